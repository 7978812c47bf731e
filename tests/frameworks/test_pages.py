"""The ladder's pages, through Django's test client on the real database."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ladder.audit.models import AuditEvent
from ladder.frameworks.export import ladder_to_json
from ladder.frameworks.models import Ladder
from ladder.frameworks.parse import parse
from ladder.frameworks.services import ladder_import, ladder_retire
from ladder.frameworks.write import format_ladder

pytestmark = pytest.mark.django_db


@pytest.fixture
def dotnet(dotnet_text):
    return ladder_import(source=dotnet_text, source_name="ladders/dotnet.md", slug="dotnet").version


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_home_page_is_the_overview_of_the_only_ladder(client, dotnet):
    html = page(client, "/")

    assert "<h1>.NET Developer Career Ladder</h1>" in html
    assert "10 levels on 2 tracks" in html


def test_the_home_page_without_a_ladder_says_how_to_import_one(client):
    assert "ladder import ladders/dotnet.md" in page(client, "/")


def test_the_overview_shows_every_level_with_the_branch_and_the_join(client, dotnet):
    html = page(client, "/ladders/dotnet/")

    for code in ["JR1", "JR2", "MD1", "MD2", "SR1", "SR2", "TL1", "SP1", "TL2", "PE1"]:
        assert f'href="/ladders/dotnet/levels/{code}/"' in html
    assert "Branches from SR1" in html
    assert "Tracks join: from SP1 or TL2" in html
    assert html.count("<svg") == 10
    assert "Minimum 18 months" in html and "No minimum" in html


def test_a_level_page_shows_the_seven_sections_in_the_seeds_order(client, dotnet, seed_text):
    html = page(client, "/ladders/dotnet/levels/TL2/")

    headings = ["Responsibilities", "Skills and Criteria", "Soft Skills and Collaboration",
                "Minimum Experience", "Next Actions", "Scenario"]  # fmt: skip
    positions = [html.index(f">{name}</h2>") for name in headings]
    assert positions == sorted(positions)
    # The seventh, the ratings, heads the page beside the chart, under the seed's own name.
    assert '<caption>Competency Ratings <span class="scale">(1 to 5)</span></caption>' in html
    for text in parse(seed_text).levels[0].criteria():
        assert text[1].replace("'", "&#x27;") in html
    assert '<th scope="row">Technical Leadership</th><td>5</td>' in html
    assert 'href="/ladders/dotnet/compare/TL2/PE1/"' in html
    assert 'href="/ladders/dotnet/levels/TL1/"' in html  # previous


def test_a_level_code_in_lower_case_redirects_to_the_level(client, dotnet):
    response = client.get("/ladders/dotnet/levels/tl2/")

    assert response.status_code == 302
    assert response["Location"] == "/ladders/dotnet/levels/TL2/"


def test_compare_shows_each_rating_change_and_both_levels(client, dotnet):
    html = page(client, "/ladders/dotnet/compare/TL1/TL2/")

    assert "▼ -1" in html and "▲ +1" in html
    assert "Leading multiple teams or sub-teams." in html
    assert "TL2 is a next level of TL1." in html
    assert html.count('class="radar-shape ') == 2


def test_the_compare_form_redirects_to_the_chosen_pair(client, dotnet):
    response = client.get("/ladders/dotnet/compare/", {"a": "SR1", "b": "TL1"})

    assert response["Location"] == "/ladders/dotnet/compare/SR1/TL1/"


def test_the_version_history_and_diff_show_what_an_import_changed(client, dotnet, dotnet_text):
    changed = dotnet_text.replace("Leading multiple teams or sub-teams.", "Leading several teams.")
    changed = changed.replace("| 3                | 5 ", "| 4                | 5 ")
    ladder_import(source=changed, source_name="ladders/dotnet.md", slug="dotnet")

    history = page(client, "/ladders/dotnet/versions/")
    diff = page(client, "/ladders/dotnet/versions/1/diff/2/")

    assert "v1" in history and "v2" in history
    assert 'href="/ladders/dotnet/versions/1/diff/2/"' in history
    assert "Level TL2" in diff
    assert (
        "<del>Leading multiple teams or sub-teams.</del> <ins>Leading several teams.</ins>" in diff
    )
    assert "<strong>Rating Team Contributor</strong>: <del>3</del> → <ins>4</ins>" in diff


def test_search_puts_the_line_with_every_word_first_and_marks_them(client, dotnet):
    html = page(client, "/ladders/dotnet/search/?q=sub-teams+leading")
    first = html.split('<ol class="search-results">')[1].split("</li>")[0]

    assert "1 with every word, the rest with some" in html
    assert "<mark>Leading</mark> multiple teams or <mark>sub-teams</mark>." in first
    assert 'href="/ladders/dotnet/levels/TL2/"' in first


def test_search_escapes_what_was_typed(client, dotnet):
    html = page(client, "/ladders/dotnet/search/?q=<script>")

    assert "<script>" not in html.split("<main", 1)[1]
    assert "0 results" in html


def test_downloads_are_the_same_as_ladder_export(client, dotnet):
    data = parse(dotnet.source)

    markdown = client.get("/ladders/dotnet/download.md")
    exported = client.get("/ladders/dotnet/download.json")

    assert markdown.content.decode() == format_ladder(data)
    assert json.loads(exported.content) == json.loads(ladder_to_json(data))
    assert 'filename="dotnet-v1.json"' in exported["Content-Disposition"]


@pytest.mark.parametrize(
    "url",
    [
        "/ladders/nope/",
        "/ladders/dotnet/levels/XX9/",
        "/ladders/dotnet/compare/TL2/XX9/",
        "/ladders/dotnet/versions/1/diff/7/",
        "/ladders/dotnet/download.md?version=9",
        "/no/such/page/",
    ],
)
def test_unknown_things_answer_a_404_page_in_the_sites_design(client, dotnet, url):
    html = page(client, url, status=404)

    assert "<h1>Not found</h1>" in html
    assert "site.css" in html


def test_a_setting_makes_reading_the_ladder_sign_in_only(
    client, dotnet, settings, django_user_model
):
    settings.LADDER_REQUIRE_SIGN_IN = True

    response = client.get("/ladders/dotnet/levels/TL2/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/ladders/dotnet/levels/TL2/")

    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get("/ladders/dotnet/levels/TL2/").status_code == 200


# -- query counts --------------------------------------------------------------------------


def ladder_of(levels: int) -> str:
    parts = ["---", "dimensions: [Craft, Impact, People]", "---", f"# Ladder of {levels}", ""]
    for n in range(1, levels + 1):
        parts += [f"## Engineer (E{n})", ""]
        for section in ["Responsibilities", "Skills and Criteria", "Soft Skills and Collaboration"]:
            parts += [f"### {section}:", *(f"- {section} {k} of E{n}." for k in range(4)), ""]
        parts += ["### Minimum Experience:", "- 12 months.", "", "### Next Actions:", "- Grow.", ""]
        parts += ["### Scenario:", f"- An engineer at level {n}.", ""]
        parts += ["### Competency Ratings:", "| Craft | Impact | People |", "| - | - | - |"]
        parts += [f"| {1 + n % 5} | 2 | 3 |", ""]
    return "\n".join(parts)


PAGES = [
    "/ladders/{slug}/",
    "/ladders/{slug}/levels/E2/",
    "/ladders/{slug}/compare/E1/E2/",
    "/ladders/{slug}/versions/",
    "/ladders/{slug}/versions/1/diff/2/",
    "/ladders/{slug}/search/?q=Skills+E1",
    "/ladders/{slug}/download.json",
    "/ladders/{slug}/print/",
]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_no_page_makes_more_queries_for_a_bigger_ladder(client):
    counts = {}
    for size in (10, 100):
        slug = f"ladder-{size}"
        ladder_import(source=ladder_of(size), source_name="x.md", slug=slug)
        ladder_import(
            source=ladder_of(size).replace("Grow.", "Grow more."), source_name="x.md", slug=slug
        )
        counts[size] = [queries_for(client, url.format(slug=slug)) for url in PAGES]

    assert counts[10] == counts[100]
    assert max(counts[100]) <= 10


def test_the_print_page_holds_every_level_in_order(client, dotnet):
    html = page(client, "/ladders/dotnet/print/")

    codes = re.findall(r'<article class="level-page" aria-label="(\w+) ', html)
    assert codes == ["JR1", "JR2", "MD1", "MD2", "SR1", "SR2", "TL1", "SP1", "TL2", "PE1"]
    assert html.count("<svg") == 10


def test_an_expired_form_gets_a_page_in_the_sites_design(dotnet):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "a@b.c", "password": "x"})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_odd_input_in_the_address_gets_an_answer_not_a_crash(client, dotnet):
    assert client.get("/ladders/dotnet/download.md?version=²").status_code == 200  # the latest
    assert client.get("/ladders/dotnet/compare/", {"a": "MD1/x", "b": "MD2"}).status_code == 404
    assert client.get("/ladders/dotnet/compare/", {"a": "md1", "b": "MD2"})["Location"] == (
        "/ladders/dotnet/compare/MD1/MD2/"
    )


def test_a_ladder_of_two_dimensions_reads_without_a_chart(client):
    two = ladder_of(3).replace("[Craft, Impact, People]", "[Craft, Impact]")
    two = two.replace("| Craft | Impact | People |", "| Craft | Impact |").replace(
        "| - | - | - |", "| - | - |"
    )
    two = re.sub(r"\| (\d) \| 2 \| 3 \|", r"| \1 | 2 |", two)
    ladder_import(source=two, source_name="two.md", slug="two")

    for url in [
        "/ladders/two/",
        "/ladders/two/levels/E2/",
        "/ladders/two/compare/E1/E2/",
        "/ladders/two/print/",
    ]:
        html = page(client, url)
        assert "<svg" not in html
    assert '<th scope="row">Impact</th><td>2</td>' in page(client, "/ladders/two/levels/E2/")


# -- retired ladders ------------------------------------------------------------------------


def retire(slug):
    ladder_retire(by=None, ladder=Ladder.objects.get(slug=slug))


def test_a_retired_ladder_leaves_the_home_page_and_its_pages_answer_404(client, dotnet):
    ladder_import(source=ladder_of(3), source_name="other.md", slug="other")
    assert 'href="/ladders/dotnet/"' in page(client, "/")

    retire("dotnet")

    home = page(client, "/")
    assert "Ladder of 3" in home and "dotnet" not in home
    for url in PAGES:
        page(client, url.format(slug="dotnet").replace("E2", "TL2").replace("E1", "TL1"), 404)
    assert dotnet.ladder.versions.count() == 1


def test_people_on_a_retired_ladder_keep_their_pages_and_assessments(client, org):
    retire("dotnet")
    client.force_login(org.engineer.user)

    assert "MD1" in page(client, f"/people/{org.engineer.pk}/")
    page(client, f"/people/{org.engineer.pk}/assessments/")
    started = client.post(
        f"/people/{org.engineer.pk}/assessments/start/",
        {"role": "self", "self-level": org.levels["MD2"].pk},
    )
    assert started.status_code == 302
    page(client, started["Location"])
    client.force_login(org.admin.user)
    page(client, "/people/import/")
    page(client, "/people/")


def admin_action(client, action, *ladders):
    return client.post(
        "/admin/frameworks/ladder/",
        {"action": action, "_selected_action": [ladder.pk for ladder in ladders]},
    )


def test_an_admin_retires_and_restores_a_ladder_from_the_django_admin(
    client, dotnet, django_user_model
):
    client.force_login(django_user_model.objects.create_superuser("hr", password="x"))
    ladder = dotnet.ladder

    assert admin_action(client, "retire", ladder).status_code == 302
    ladder.refresh_from_db()
    assert ladder.retired_at is not None
    page(client, "/ladders/dotnet/", 404)

    admin_action(client, "restore", ladder)
    ladder.refresh_from_db()
    assert ladder.retired_at is None
    page(client, "/ladders/dotnet/")
    actions = AuditEvent.objects.filter(actor_label="hr").order_by("id")
    assert list(actions.values_list("action", flat=True)) == ["ladder.retired", "ladder.restored"]


def test_staff_who_may_only_view_ladders_cannot_retire_one(client, dotnet, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_ladder"))
    client.force_login(viewer)

    assert "Retire the selected" not in page(client, "/admin/frameworks/ladder/")
    admin_action(client, "retire", dotnet.ladder)

    dotnet.ladder.refresh_from_db()
    assert dotnet.ladder.retired_at is None
