"""Who may see the insights pages and about whom, and the filters every page shares."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ladder.insights.filters import InsightsFilter
from ladder.insights.scope import Scope, scope_of
from ladder.people.models import Person
from tests.conftest import make_person
from tests.insights.html_tables import body, csv_rows

pytestmark = pytest.mark.django_db

PAGES = ["insights:levels", "insights:readiness", "insights:time"]


def request_of(user):
    request = RequestFactory().get("/insights/")
    request.user = user
    return request


def names(people) -> set[str]:
    return set(people.values_list("name", flat=True))


def test_an_admin_sees_the_whole_organisation(org):
    scope = scope_of(request_of(org.admin.user))

    assert scope.is_admin and scope.label == "the whole organisation"
    assert names(scope.people) == set(Person.objects.values_list("name", flat=True))


def test_a_manager_sees_everyone_below_them_and_not_themself(org):
    scope = scope_of(request_of(org.manager.user))

    assert names(scope.people) == {"Eve Engineer", "Pat Peer"}
    assert scope.label == "everyone below Mia Manager"
    # The Q form of the scope, over a model that leads to the person, agrees.
    assert names(Person.objects.filter(scope.q())) == {"Eve Engineer", "Pat Peer"}


def test_a_skip_level_manager_sees_the_whole_subtree(org):
    scope = scope_of(request_of(org.skip.user))

    assert names(scope.people) == {
        "Mia Manager",
        "Eve Engineer",
        "Pat Peer",
        "Oscar Other",
        "Olga Outside",
    }


def test_someone_who_manages_no_one_finds_nothing(org):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    for user in [org.engineer.user, AnonymousUser()]:
        with pytest.raises(Http404):
            scope_of(request_of(user))


ACTORS = ["anonymous", "engineer", "peer", "manager", "skip", "other_manager", "admin"]
# Every insights page and download against the whole cast: 302 sent to sign in, 404 for one
# who manages no one (what it would show does not leak), 405 for a POST (they only show).
MATRIX = [
    (url, method, outcome)
    for path in [
        "/insights/",
        "/insights/readiness/",
        "/insights/time-in-level/",
        "/insights/promotions/",
        "/insights/gaps/",
    ]
    for url, method, outcome in [
        (path, "get", [302, 404, 404, 200, 200, 200, 200]),
        (path + "?format=csv", "get", [302, 404, 404, 200, 200, 200, 200]),
        (path, "post", [302, 405, 405, 405, 405, 405, 405]),
    ]
]


@pytest.mark.parametrize("url,method,outcomes", MATRIX)
def test_the_authorization_matrix(client, org, url, method, outcomes):
    for actor, expected in zip(ACTORS, outcomes, strict=True):
        client.logout()
        if actor != "anonymous":
            client.force_login(getattr(org, actor).user)
        response = getattr(client, method)(url)
        assert response.status_code == expected, (actor, url, method)
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/?next=/insights/")


@pytest.mark.parametrize("name", PAGES)
def test_each_page_counts_only_a_managers_subtree(client, org, name):
    client.force_login(org.manager.user)
    header, *rows = csv_rows(client.get(reverse(name), {"format": "csv"}))

    # Eve (MD1) and Pat (MD2) are below Mia; Olga (JR2) and Mia herself (TL1) are not.
    assert header[-1] == "total"
    counted = {
        row[0].split()[0] if not row[0].isdigit() else row[1].split()[0]: int(row[-1])
        for row in rows
        if int(row[-1])
    }
    assert counted == {"MD1": 1, "MD2": 1}
    page = client.get(reverse(name)).content.decode()
    assert "Counting everyone below Mia Manager." in page


def test_a_managers_not_assessed_list_names_only_their_reports(client, org):
    client.force_login(org.manager.user)
    response = client.get(reverse("insights:readiness"))

    listed = {row[0] for row in body(response.content.decode(), "readiness-unassessed-table")}
    assert listed == {"Pat Peer", "Eve Engineer"}


def test_the_site_navigation_links_insights_for_admins_and_managers_only(client, org):
    link = f'href="{reverse("insights:levels")}"'
    for person, shown in [(org.admin, True), (org.manager, True), (org.engineer, False)]:
        client.force_login(person.user)
        page = client.get("/", follow=True).content.decode()
        assert (link in page) is shown, person.name


# -- the filters ---------------------------------------------------------------------------------


def form(org, data, scope=None):
    filters = InsightsFilter(data, scope=scope or Scope(manager=None))
    filters.is_valid()
    return filters


def test_each_filter_keeps_the_people_it_names(org):
    everyone = Person.objects.all()

    assert names(form(org, {"team": "core"}).apply(everyone)) == {
        "Mia Manager",
        "Eve Engineer",
        "Pat Peer",
    }
    assert names(form(org, {"track": "Tech Lead"}).apply(everyone)) == {"Mia Manager"}
    assert names(form(org, {"level": "MD1"}).apply(everyone)) == {"Eve Engineer"}
    # A manager's subtree, by their address in any case, without the manager.
    assert names(form(org, {"manager": "SAM@example.com"}).apply(everyone)) == {
        "Mia Manager",
        "Eve Engineer",
        "Pat Peer",
        "Oscar Other",
        "Olga Outside",
    }
    assert names(form(org, {"team": "Core", "level": "MD2"}).apply(everyone)) == {"Pat Peer"}


def test_a_filter_that_names_nothing_says_so(org):
    errors = form(
        org, {"team": "Nope", "manager": "nobody@example.com", "level": "XX9", "track": "Ops"}
    ).errors

    assert errors["team"] == ["No team is called “Nope”."]
    assert errors["manager"] == ["No one in this view has the address “nobody@example.com”."]
    assert "not one of the available choices" in errors["level"][0]
    assert "not one of the available choices" in errors["track"][0]


def test_a_manager_cannot_name_someone_outside_their_subtree(org):
    mine = Scope(manager=org.manager)

    outside = form(org, {"manager": "oscar@example.com"}, scope=mine)
    assert "No one in this view" in outside.errors["manager"][0]
    # Naming themself is allowed: their own subtree.
    assert form(org, {"manager": "mia@example.com"}, scope=mine).is_valid()


def test_a_manager_cannot_name_a_team_they_see_no_one_in(org):
    mine = Scope(manager=org.manager)

    assert form(org, {"team": "Other"}, scope=mine).errors["team"] == ["No team is called “Other”."]
    assert form(org, {"team": "core"}, scope=mine).is_valid()


def test_naming_someone_who_manages_no_one_says_so(org):
    errors = form(org, {"manager": "eve@example.com"}).errors

    assert errors["manager"] == ["No one reports to Eve Engineer (eve@example.com)."]


def test_the_team_box_suggests_only_the_teams_in_view(org):
    make_person("Lone Lena", "lena@example.com", login=False)
    from ladder.people.models import Team

    Team.objects.create(name="Empty", slug="empty")

    assert form(org, {}).team_suggestions() == ["Core", "Empty", "Other"]
    assert form(org, {}, scope=Scope(manager=org.manager)).team_suggestions() == ["Core"]


@pytest.mark.parametrize("name", PAGES)
def test_bad_filters_give_a_message_on_the_page_and_400_for_the_csv(client, org, name):
    client.force_login(org.admin.user)
    url = reverse(name)

    page = client.get(url, {"team": "Nope", "level": "<script>"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "No team is called “Nope”." in text
    assert "<script>" not in text
    assert "<svg" not in text.split("insights-errors")[1]

    refused = client.get(url, {"team": "Nope", "format": "csv"})
    assert refused.status_code == 400
    assert "No team is called “Nope”." in refused.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_table_a_page_does_not_have_is_refused_naming_those_it_has(client, org, name):
    client.force_login(org.admin.user)

    refused = client.get(reverse(name), {"format": "csv", "table": "nope"})

    assert refused.status_code == 400
    assert "There is no such table: choose one of levels" in refused.content.decode()
