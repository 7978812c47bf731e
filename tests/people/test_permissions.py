"""The authorization matrix: every people page and action against the whole cast.

Outcomes: 200 shown, 302 sent to sign in (anonymous) or elsewhere, 404 not found (hidden).
"""

import pytest

from ladder.people import permissions

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "engineer", "peer", "manager", "skip", "other_manager", "admin"]

# url template, method, then the outcome for each actor in ACTORS order.
MATRIX = [
    ("/people/", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/people/?format=csv", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/people/{engineer}/", "get", [302, 200, 404, 200, 200, 404, 200]),
    ("/people/{manager}/", "get", [302, 404, 404, 200, 200, 404, 200]),
    ("/people/{outsider}/", "get", [302, 404, 404, 404, 200, 200, 200]),
    ("/teams/core/", "get", [302, 200, 200, 200, 200, 404, 200]),
    ("/teams/other/", "get", [302, 404, 404, 404, 200, 200, 200]),
    ("/teams/", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/me/", "get", [302, 302, 302, 302, 302, 302, 302]),
    ("/people/import/", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/people/import/", "post", [302, 404, 404, 404, 404, 404, 200]),
    ("/people/export.csv", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/accounts/invite/", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/accounts/invite/?everyone=1", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/accounts/invite/", "post", [302, 404, 404, 404, 404, 404, 400]),
    ("/accounts/invitation/accept/", "get", [404, 404, 404, 404, 404, 404, 404]),
    ("/accounts/password_reset/", "get", [200, 200, 200, 200, 200, 200, 200]),
    ("/audit/", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/admin/people/person/", "get", [302, 302, 302, 302, 302, 302, 200]),
    ("/admin/people/person/{engineer}/change/", "get", [302, 302, 302, 302, 302, 302, 200]),
    ("/ladders/dotnet/levels/TL2/", "get", [200, 200, 200, 200, 200, 200, 200]),
    ("/ladders/dotnet/versions/1/", "get", [200, 200, 200, 200, 200, 200, 200]),
    ("/ladders/dotnet/versions/new/", "get", [302, 404, 404, 404, 404, 404, 200]),
    ("/ladders/dotnet/versions/new/", "post", [302, 404, 404, 404, 404, 404, 400]),
    ("/people/{engineer}/assessments/", "get", [302, 200, 404, 200, 200, 404, 200]),
    ("/people/{engineer}/assessments/side-by-side/", "get", [302, 200, 404, 200, 200, 404, 200]),
    ("/people/{engineer}/evidence/", "get", [302, 200, 404, 200, 200, 404, 200]),
    ("/people/{engineer}/evidence/", "post", [302, 200, 404, 200, 200, 404, 404]),
    ("/people/{engineer}/plan/", "get", [302, 200, 404, 200, 200, 404, 200]),
    ("/people/{engineer}/plan/generate/", "post", [302, 302, 404, 302, 302, 404, 302]),
    ("/people/{engineer}/assessments/start/", "post", [302, 404, 404, 404, 404, 404, 404]),
    ("/reports/", "get", [302, 404, 404, 200, 200, 200, 404]),
    ("/ladders/dotnet/search/?q=EF", "get", [200, 200, 200, 200, 200, 200, 200]),
    ("/insights/", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/?format=csv&table=history", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/readiness/", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/readiness/?format=csv&table=teams", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/time-in-level/", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/time-in-level/?format=csv", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/promotions/", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/promotions/?format=csv", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/gaps/", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/gaps/?format=csv", "get", [302, 404, 404, 200, 200, 200, 200]),
    ("/insights/", "post", [302, 405, 405, 405, 405, 405, 405]),
]

CASES = [
    pytest.param(url, method, actor, expected, id=f"{method} {url} as {actor}")
    for url, method, outcomes in MATRIX
    for actor, expected in zip(ACTORS, outcomes, strict=True)
]


@pytest.mark.parametrize("url, method, actor, expected", CASES)
def test_authorization_matrix(client, org, url, method, actor, expected):
    if actor != "anonymous":
        client.force_login(getattr(org, actor).user)
    url = url.format(
        **{name: getattr(org, name).pk for name in ("engineer", "manager", "outsider")}
    )

    response = getattr(client, method)(url)

    assert response.status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get(f"/people/{org.engineer.pk}/")

    assert response["Location"] == f"/accounts/login/?next=/people/{org.engineer.pk}/"


def test_hidden_pages_use_the_sites_404_page(client, org):
    client.force_login(org.peer.user)

    response = client.get(f"/people/{org.engineer.pk}/")

    assert "<h1>Not found</h1>" in response.content.decode()


def test_a_managers_directory_holds_exactly_their_whole_chain(client, org):
    client.force_login(org.skip.user)
    names = {p.name for p in client.get("/people/").context["page"].object_list}
    assert names == {"Mia Manager", "Eve Engineer", "Pat Peer", "Oscar Other", "Olga Outside"}

    client.force_login(org.manager.user)
    names = {p.name for p in client.get("/people/").context["page"].object_list}
    assert names == {"Eve Engineer", "Pat Peer"}


def test_a_team_page_shows_a_member_only_themselves_among_their_peers(client, org):
    client.force_login(org.engineer.user)

    members = client.get("/teams/core/").context["members"]

    assert [m.name for m in members] == ["Eve Engineer"]


def test_me_leads_to_the_signed_in_persons_own_page(client, org):
    client.force_login(org.engineer.user)

    assert client.get("/me/")["Location"] == f"/people/{org.engineer.pk}/"


def test_the_permission_module_answers_for_each_role(org):
    assert permissions.is_admin(org.admin.user)
    assert not permissions.is_admin(org.manager.user)
    assert permissions.may_view_person(org.skip.user, org.engineer)
    assert not permissions.may_view_person(org.other_manager.user, org.engineer)
    assert not permissions.may_view_person(org.engineer.user, org.manager)
    assert permissions.may_use_directory(org.manager.user)
    assert not permissions.may_use_directory(org.engineer.user)
    assert not permissions.may_edit_person(org.manager.user, org.engineer)
    assert permissions.may_edit_person(org.admin.user, org.engineer)
