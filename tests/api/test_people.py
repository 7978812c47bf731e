"""The people part of the API: people, their level history and teams, as the pages show them to
the same person, filtered and paged by cursor."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.assessments.stored import readiness_refresh
from ladder.people.models import LevelAssignment, Team
from ladder.people.services import person_set_level
from ladder.people.tree import rebuild_paths
from tests.conftest import make_person
from tests.promotions.test_cases import shared

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def follow(api, link: str):
    """The page a `next` or `previous` link names."""
    return api.get(link.removeprefix("http://testserver"))


def queries(api, path: str, **params) -> int:
    """The queries of one call, once the token's first use (which marks it used) is past."""
    assert api.get(path, **params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, **params)
    assert response.status_code == 200, response.content
    return len(captured)


def hire(count: int, *, manager, team, level, prefix="Report") -> None:
    """`count` more reports of `manager`, each on `team` at `level`, with stored readiness."""
    people = [
        make_person(f"{prefix} {i:02}", f"{prefix.lower()}{i}@example.com", manager=manager,
                    team=team, login=False)
        for i in range(count)
    ]  # fmt: skip
    rebuild_paths()
    LevelAssignment.objects.bulk_create(
        LevelAssignment(person=p, level=level, start=datetime.date(2024, 1, 1), reason="hire")
        for p in people
    )
    readiness_refresh([p.pk for p in people])


# -- who sees whom ------------------------------------------------------------------------------


def test_a_manager_lists_themself_and_everyone_below_them_by_name(api, org):
    response = api.as_(org.manager.user, "read").get("people/")

    assert names(response) == ["Eve Engineer", "Mia Manager", "Pat Peer"]
    assert response.json()["next"] is None


def test_an_engineer_lists_only_themself(api, org):
    assert names(api.as_(org.engineer.user, "read").get("people/")) == ["Eve Engineer"]


def test_an_admin_lists_everyone_but_only_with_the_admin_scope(api, org):
    everyone = ["Ada Admin", "Eve Engineer", "Mia Manager", "Olga Outside", "Oscar Other",
                "Pat Peer", "Sam Skip"]  # fmt: skip

    assert names(api.as_(org.admin.user, "read admin").get("people/")) == everyone
    assert names(api.as_(org.admin.user, "read").get("people/")) == ["Ada Admin"]


def test_a_person_shows_their_team_manager_level_and_since_when(api, org):
    response = api.as_(org.manager.user, "read").get(f"people/{org.engineer.pk}/")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": org.engineer.pk,
        "name": "Eve Engineer",
        "email": "eve@example.com",
        "team": {"slug": "core", "name": "Core"},
        "manager": {"id": org.manager.pk, "name": "Mia Manager"},
        "level": {
            "ladder": "dotnet",
            "version": 1,
            "code": "MD1",
            "title": org.levels["MD1"].title,
            "number": org.levels["MD1"].number,
            "track": org.levels["MD1"].track,
        },
        "level_since": "2023-03-01",
        "track": org.levels["MD1"].track,
    }


def test_the_list_shows_each_person_as_their_detail_does(api, org):
    caller = api.as_(org.skip.user, "read")
    listed = {row["id"]: row for row in caller.get("people/").json()["results"]}

    for pk, row in listed.items():
        assert caller.get(f"people/{pk}/").json() == row


def test_someone_with_no_level_shows_none(api, org):
    row = api.as_(org.skip.user, "read").get(f"people/{org.skip.pk}/").json()

    assert (row["level"], row["level_since"], row["track"], row["manager"], row["team"]) == (
        None, None, None, None, None
    )  # fmt: skip


@pytest.mark.parametrize("who", ["peer", "other_manager"])
def test_a_person_one_may_not_see_is_not_found(api, org, who):
    response = api.as_(getattr(org, who).user, "read").get(f"people/{org.engineer.pk}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_person_is_not_found_and_a_key_no_database_holds_is_refused(api, org):
    caller = api.as_(org.admin.user, "read admin")

    assert caller.get("people/987654321/").status_code == 404
    assert fields(caller.get(f"people/{2**63}/")) == ["path.pk"]
    assert fields(caller.get("people/0/")) == ["path.pk"]
    assert fields(caller.get("people/eve/")) == ["path.pk"]


# -- filters ------------------------------------------------------------------------------------


def test_filters_by_team_level_and_track(api, org):
    caller = api.as_(org.admin.user, "read admin")
    track = org.levels["JR2"].track

    assert names(caller.get("people/", team="core")) == ["Eve Engineer", "Mia Manager", "Pat Peer"]
    assert names(caller.get("people/", team="nobody")) == []
    assert names(caller.get("people/", level="MD1")) == ["Eve Engineer"]
    assert names(caller.get("people/", level="MD1", team="other")) == []
    held = {org.levels[code].track: [] for code in ("MD1", "MD2", "TL1", "JR2")}
    for person, code in ((org.engineer, "MD1"), (org.peer, "MD2"), (org.manager, "TL1"),
                         (org.outsider, "JR2")):  # fmt: skip
        held[org.levels[code].track].append(person.name)
    assert names(caller.get("people/", track=track)) == sorted(held[track])


def test_under_lists_everyone_below_a_person_one_may_see(api, org):
    assert names(api.as_(org.skip.user, "read").get("people/", under=org.manager.pk)) == [
        "Eve Engineer",
        "Pat Peer",
    ]
    assert names(api.as_(org.engineer.user, "read").get("people/", under=org.engineer.pk)) == []


def test_under_someone_one_may_not_see_is_refused_as_if_they_did_not_exist(api, org):
    caller = api.as_(org.peer.user, "read")
    hidden = caller.get("people/", under=org.engineer.pk)
    missing = caller.get("people/", under=987654321)

    assert fields(hidden) == fields(missing) == ["query.under"]
    assert hidden.json()["errors"][0]["reason"].replace(str(org.engineer.pk), "N") == (
        missing.json()["errors"][0]["reason"].replace("987654321", "N")
    )


def test_filters_by_the_verdict_closest_to_a_promotion(api, org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    caller = api.as_(org.manager.user, "read")

    assert names(caller.get("people/", verdict="ready")) == ["Eve Engineer"]
    assert names(caller.get("people/", verdict="not_assessed")) == ["Mia Manager", "Pat Peer"]
    assert names(caller.get("people/", verdict="not_yet")) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"verdict": "almost"}, "query.verdict"),
        ({"team": ""}, "query.team"),
        ({"team": "x" * 101}, "query.team"),
        ({"level": "M" * 33}, "query.level"),
        ({"track": "t" * 101}, "query.track"),
        ({"under": "0"}, "query.under"),
        ({"under": "mia"}, "query.under"),
        ({"under": str(2**63)}, "query.under"),
        ({"page_size": "ten"}, "query.page_size"),
        ({"cursor": "not a cursor"}, "query.cursor"),
    ],
)
def test_a_bad_filter_is_a_422_naming_it(api, org, params, field):
    assert field in fields(api.as_(org.admin.user, "read admin").get("people/", **params))


# -- paging -------------------------------------------------------------------------------------


def test_pages_follow_each_other_by_cursor_without_gaps_or_repeats(api, org, client):
    hire(7, manager=org.manager, team=org.core, level=org.levels["MD1"])
    caller = api.as_(org.manager.user, "read")
    pages, response = [], caller.get("people/", page_size=3)
    while True:
        pages.append(names(response))
        link = response.json()["next"]
        if link is None:
            break
        response = follow(caller, link)
    seen = [name for page in pages for name in page]

    assert [len(page) for page in pages] == [3, 3, 3, 1]
    assert seen == sorted(seen) and len(set(seen)) == 10
    assert names(follow(caller, response.json()["previous"])) == pages[-2]


def test_people_with_one_name_page_in_the_order_of_their_ids(api, org):
    for i in range(5):
        make_person("Same Name", f"same{i}@example.com", manager=org.manager, login=False)
    rebuild_paths()
    caller = api.as_(org.manager.user, "read")
    ids = []
    response = caller.get("people/", page_size=2)
    while True:
        assert response.status_code == 200, response.content
        ids += [row["id"] for row in response.json()["results"] if row["name"] == "Same Name"]
        link = response.json()["next"]
        if link is None:
            break
        response = follow(caller, link)

    assert ids == sorted(ids) and len(ids) == 5


# -- level history ------------------------------------------------------------------------------


def test_level_history_is_latest_first_with_its_reasons_and_dates(api, org):
    person_set_level(
        by=org.admin.user, person=org.engineer, level=org.levels["MD2"],
        since=datetime.date(2025, 4, 1),
    )  # fmt: skip
    response = api.as_(org.manager.user, "read").get(f"people/{org.engineer.pk}/levels/")

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [(r["level"]["code"], r["start"], r["end"], r["reason"]) for r in rows] == [
        ("MD2", "2025-04-01", None, "promotion"),
        ("MD1", "2023-03-01", "2025-04-01", "hire"),
    ]
    assert rows[0]["level"]["ladder"] == "dotnet"
    # The person's level is the one the history leaves open, counted from its start.
    person = api.as_(org.manager.user, "read").get(f"people/{org.engineer.pk}/").json()
    assert (person["level"]["code"], person["level_since"]) == ("MD2", "2025-04-01")


def test_level_history_of_someone_one_may_not_see_is_not_found(api, org):
    response = api.as_(org.peer.user, "read").get(f"people/{org.engineer.pk}/levels/")

    assert response.status_code == 404


# -- teams --------------------------------------------------------------------------------------


def test_teams_are_those_of_the_people_one_sees_with_how_many_one_sees(api, org):
    def teams(user, scopes="read"):
        response = api.as_(user, scopes).get("teams/")
        assert response.status_code == 200, response.content
        return [(t["slug"], t["members"]) for t in response.json()["results"]]

    Team.objects.create(name="Empty", slug="empty")

    assert teams(org.engineer.user) == [("core", 1)]
    assert teams(org.manager.user) == [("core", 3)]
    assert teams(org.other_manager.user) == [("other", 2)]
    assert teams(org.skip.user) == [("core", 3), ("other", 2)]
    assert teams(org.admin.user, "read admin") == [("core", 3), ("empty", 0), ("other", 2)]
    assert teams(org.admin.user) == []


def test_a_team_is_seen_by_those_who_see_a_member_of_it(api, org):
    engineer = api.as_(org.engineer.user, "read").get("teams/core/")

    assert engineer.status_code == 200, engineer.content
    assert engineer.json() == {"slug": "core", "name": "Core", "members": 1}
    assert api.as_(org.skip.user, "read").get("teams/core/").json()["members"] == 3
    assert api.as_(org.other_manager.user, "read").get("teams/core/").status_code == 404
    assert api.as_(org.admin.user, "read admin").get("teams/nowhere/").status_code == 404


def test_a_team_slug_no_team_may_have_is_refused(api, org):
    caller = api.as_(org.admin.user, "read admin")

    assert fields(caller.get(f"teams/{'x' * 101}/")) == ["path.slug"]
    # NUL is refused before any operation reads the request, wherever it is.
    assert caller.get("teams/co%00re/").status_code == 400
    assert caller.get("people/", team="co\x00re").status_code == 400


# -- queries that never grow --------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        lambda org: {},
        lambda org: {"team": "core"},
        lambda org: {"level": "MD1", "track": org.levels["MD1"].track},
        lambda org: {"verdict": "not_assessed"},
    ],
    ids=["plain", "team", "level and track", "verdict"],
)
def test_listing_people_costs_the_same_queries_for_2_or_20(api, org, filters):
    params = filters(org)
    caller = api.as_(org.manager.user, "read")
    hire(1, manager=org.manager, team=org.core, level=org.levels["MD1"], prefix="First")
    few = queries(caller, "people/", **params)
    hire(18, manager=org.manager, team=org.core, level=org.levels["MD1"])

    assert queries(caller, "people/", **params) == few
    assert len(caller.get("people/", page_size=200).json()["results"]) == 22


def test_listing_people_under_someone_costs_the_same_queries_for_2_or_20(api, org):
    caller = api.as_(org.skip.user, "read")
    few = queries(caller, "people/", under=org.manager.pk)
    hire(18, manager=org.manager, team=org.core, level=org.levels["MD1"])

    assert queries(caller, "people/", under=org.manager.pk) == few


def test_level_history_costs_the_same_queries_for_2_or_20_rows(api, org):
    caller = api.as_(org.manager.user, "read")
    person_set_level(
        by=org.admin.user, person=org.engineer, level=org.levels["MD2"],
        since=datetime.date(2023, 9, 1),
    )  # fmt: skip
    few = queries(caller, f"people/{org.engineer.pk}/levels/")
    for month in range(1, 19):
        code = "MD1" if month % 2 else "MD2"
        person_set_level(
            by=org.admin.user, person=org.engineer, level=org.levels[code],
            since=datetime.date(2024, 1, 1) + datetime.timedelta(days=31 * month),
            reason="correction",
        )  # fmt: skip

    assert LevelAssignment.objects.filter(person=org.engineer).count() == 20
    assert queries(caller, f"people/{org.engineer.pk}/levels/") == few


def test_listing_teams_costs_the_same_queries_for_2_or_20(api, org):
    caller = api.as_(org.skip.user, "read")
    few = queries(caller, "teams/")
    for i in range(18):
        team = Team.objects.create(name=f"Team {i:02}", slug=f"team-{i}")
        make_person(f"Member {i}", f"member{i}@example.com", manager=org.manager, team=team,
                    login=False)  # fmt: skip
    rebuild_paths()

    assert len(caller.get("teams/", page_size=200).json()["results"]) == 20
    assert queries(caller, "teams/") == few
