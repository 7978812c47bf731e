"""The ladder's pages are made once per version and kept in Django's cache (locmem, or Redis
with CACHE_URL), and browsers keep them by ETag; a new version is served at once."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ladder.frameworks.services import ladder_import
from tests.conftest import DOTNET

pytestmark = pytest.mark.django_db

PAGES = [
    "/ladders/dotnet/",
    "/ladders/dotnet/levels/TL2/",
    "/ladders/dotnet/compare/TL1/TL2/",
    "/ladders/dotnet/print/",
    "/ladders/dotnet/download.md",
    "/ladders/dotnet/download.json",
]
# Made for every request, around the content kept for the version: the site's header and footer.
PAGE_TEMPLATES = {"base.html"}
# What a second request may ask the database: which version is current; signed in, also the
# session, the user, their person, whether they manage anyone and whether they see a cycle.
ANYONE_QUERIES, SIGNED_IN_QUERIES = 1, 6


@pytest.fixture(autouse=True)
def empty_cache():
    # Only the cache this test run uses: locmem, or the Redis database CACHE_URL names.
    cache.clear()
    yield
    cache.clear()


def changed_ladder() -> str:
    return DOTNET.read_text().replace(
        "Leading multiple teams or sub-teams.", "Leading several teams at once."
    )


def import_changed():
    return ladder_import(source=changed_ladder(), source_name="dotnet.md", slug="dotnet").version


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def second_request(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_a_second_request_asks_the_database_only_which_version_is_current(
    client, dotnet_version, url
):
    response, queries = second_request(client, url)

    assert queries == ANYONE_QUERIES
    rendered = {template.name for template in response.templates}
    if url == "/ladders/dotnet/":
        # Its <style> carries this request's CSP nonce: only the frame around the content is
        # rendered again.
        assert rendered == PAGE_TEMPLATES | {"frameworks/overview.html"}
    else:
        # The whole page, the same for anyone not signed in, came from the cache.
        assert rendered == set()


@pytest.mark.parametrize(
    "url, template",
    [
        ("/ladders/dotnet/", "frameworks/overview.html"),
        ("/ladders/dotnet/levels/TL2/", "frameworks/level.html"),
        ("/ladders/dotnet/compare/TL1/TL2/", "frameworks/compare.html"),
        ("/ladders/dotnet/print/", "frameworks/print.html"),
    ],
)
def test_a_signed_in_reader_gets_the_content_from_the_cache_in_few_queries(
    dotnet_version, django_user_model, url, template
):
    client = signed_in(django_user_model.objects.create_user("reader", password="x"))

    response, queries = second_request(client, url)

    assert queries <= SIGNED_IN_QUERIES
    # The content (frameworks/_level.html and the like) is not rendered again.
    rendered = {template.name for template in response.templates}
    assert rendered == PAGE_TEMPLATES | {template}
    assert "Sign out" in response.content.decode()


def test_the_query_counts_do_not_grow_with_the_ladder(client, dotnet_version):
    counts = [second_request(client, url)[1] for url in PAGES]
    import_changed()
    cache.clear()

    assert [second_request(client, url)[1] for url in PAGES] == counts


def test_cached_pages_are_the_pages_first_made(client, dotnet_version):
    # Not the overview, whose nonce changes with every request.
    urls = PAGES[1:]
    first = {url: client.get(url).content for url in urls}

    assert {url: client.get(url).content for url in urls} == first
    level = first["/ladders/dotnet/levels/TL2/"].decode()
    assert "Leading multiple teams or sub-teams." in level and "<svg" in level


def test_a_new_version_is_served_at_once(client, dotnet_version):
    for url in PAGES:
        client.get(url)

    version = import_changed()

    assert version.number == 2
    assert "version 2 (imported" in client.get("/ladders/dotnet/").content.decode()
    for url in PAGES[1:4] + PAGES[5:]:
        html = client.get(url).content.decode()
        assert "Leading several teams at once." in html, url
        assert "Leading multiple teams or sub-teams." not in html, url
    assert 'filename="dotnet-v2.md"' in client.get(PAGES[4])["Content-Disposition"]
    # Each earlier version is still there, as it was, by its number.
    old = client.get("/ladders/dotnet/download.md?version=1").content.decode()
    assert "Leading multiple teams or sub-teams." in old


def test_a_retired_ladder_answers_404_though_its_pages_are_kept(client, dotnet_version):
    from ladder.frameworks.services import ladder_retire

    for url in PAGES:
        client.get(url)
    ladder_retire(by=None, ladder=dotnet_version.ladder)

    assert [client.get(url).status_code for url in PAGES] == [404] * len(PAGES)


def test_a_cleared_cache_makes_the_pages_again(client, dotnet_version):
    first = client.get("/ladders/dotnet/levels/TL2/").content

    cache.clear()

    again, queries = second_request(client, "/ladders/dotnet/compare/TL1/TL2/")
    cache.clear()
    assert client.get("/ladders/dotnet/levels/TL2/").content == first
    assert queries == ANYONE_QUERIES and "TL2 is a next level of TL1." in again.content.decode()


# -- ETags


def revisit(client, url, etag):
    return client.get(url, HTTP_IF_NONE_MATCH=etag)


@pytest.mark.parametrize("url", PAGES)
def test_a_browsers_repeat_visit_gets_a_304(client, dotnet_version, url):
    response = client.get(url)

    again = revisit(client, url, response["ETag"])

    assert again.status_code == 304
    assert again["ETag"] == response["ETag"] and again.content == b""
    assert response["Last-Modified"]
    assert "Cookie" in response["Vary"]
    assert set(re.split(r",\s*", response["Cache-Control"])) == {"private", "no-cache"}


def test_a_304_asks_the_database_only_which_version_is_current(client, dotnet_version):
    etag = client.get("/ladders/dotnet/levels/TL2/")["ETag"]

    with CaptureQueriesContext(connection) as queries:
        assert revisit(client, "/ladders/dotnet/levels/TL2/", etag).status_code == 304

    assert len(queries) == ANYONE_QUERIES


def test_a_new_version_changes_the_etag(client, dotnet_version):
    etag = client.get("/ladders/dotnet/levels/TL2/")["ETag"]

    import_changed()

    assert revisit(client, "/ladders/dotnet/levels/TL2/", etag).status_code == 200


def test_one_users_etag_is_not_another_users_page(dotnet_version, django_user_model):
    alice = signed_in(django_user_model.objects.create_user("alice", password="x"))
    bob = signed_in(django_user_model.objects.create_user("bob", password="x"))
    url = "/ladders/dotnet/levels/TL2/"
    alices = alice.get(url)

    bobs = revisit(bob, url, alices["ETag"])

    assert revisit(alice, url, alices["ETag"]).status_code == 304
    assert bobs.status_code == 200
    assert "bob" in bobs.content.decode() and "alice" not in bobs.content.decode()
    assert bobs["ETag"] != alices["ETag"]


def test_a_signed_in_page_is_not_one_for_anyone(client, dotnet_version, django_user_model):
    url = "/ladders/dotnet/levels/TL2/"
    anyones = client.get(url)
    reader = signed_in(django_user_model.objects.create_user("reader", password="x"))

    assert revisit(reader, url, anyones["ETag"]).status_code == 200
    # And back: signed out, the copy that showed the reader's name and sign-out form is stale.
    readers = reader.get(url)
    reader.post("/accounts/logout/")
    assert revisit(reader, url, readers["ETag"]).status_code == 200


def test_a_new_sign_in_gets_a_new_etag(dotnet_version, django_user_model):
    # The page holds the session's CSRF token in its sign-out form: a copy from an earlier
    # session would post a token that no longer works.
    user = django_user_model.objects.create_user("reader", password="x")
    url = "/ladders/dotnet/levels/TL2/"
    before = signed_in(user).get(url)["ETag"]

    assert revisit(signed_in(user), url, before).status_code == 200


def test_an_if_modified_since_alone_gets_the_page(client, dotnet_version):
    # A time cannot tell one visitor's copy from another's: only the ETag answers with 304.
    since = client.get("/ladders/dotnet/levels/TL2/")["Last-Modified"]

    again = client.get("/ladders/dotnet/levels/TL2/", HTTP_IF_MODIFIED_SINCE=since)

    assert again.status_code == 200


# -- the Content-Security-Policy nonce


def nonces(response) -> tuple[str, str]:
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    page = re.search(r'<style nonce="([^"]+)">', response.content.decode())[1]
    return header, page


def test_the_overview_carries_a_fresh_nonce_on_every_request(client, dotnet_version):
    first, second = client.get("/ladders/dotnet/"), client.get("/ladders/dotnet/")

    assert nonces(first)[0] == nonces(first)[1]
    assert nonces(second)[0] == nonces(second)[1]
    assert nonces(first)[0] != nonces(second)[0]


def test_a_304_sends_no_policy_to_replace_the_one_kept_with_the_page(client, dotnet_version):
    # A browser updates its copy's headers from a 304: a new nonce there would block the
    # copy's <style>, which carries the nonce it was sent with.
    etag = client.get("/ladders/dotnet/")["ETag"]

    again = revisit(client, "/ladders/dotnet/", etag)

    assert again.status_code == 304
    assert "Content-Security-Policy" not in again
