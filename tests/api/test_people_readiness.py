"""Readiness through the API: one person's, worked out by the rule as their page does, with
every reason; and many people's at once, read from the stored readiness, as the reports page
reads it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from ladder.people.services import person_set_level
from tests.api.test_people import fields, follow, hire, queries
from tests.promotions.test_cases import shared

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def readiness_of(api, person, viewer):
    response = api.as_(viewer.user, "read").get(f"people/{person.pk}/readiness/")
    assert response.status_code == 200, response.content
    return response.json()


def page_html(client, person, viewer) -> str:
    client.force_login(viewer.user)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# -- one person ---------------------------------------------------------------------------------


def test_a_person_assessed_as_meeting_everything_is_ready_with_every_reason_met(api, org):
    md2 = org.levels["MD2"]
    assessment = shared(org.manager, org.engineer, md2, "manager")

    found = readiness_of(api, org.engineer, org.manager)

    assert found["person"] == {"id": org.engineer.pk, "name": "Eve Engineer"}
    assert (found["level"]["code"], found["level_since"]) == ("MD1", "2023-03-01")
    [md2_readiness] = found["next_levels"]
    assert md2_readiness["target"]["code"] == "MD2"
    assert (md2_readiness["verdict"], md2_readiness["summary"]) == ("ready", "Ready for MD2.")
    counted = md2.criteria.count()
    assert (md2_readiness["criteria_met"], md2_readiness["criteria_counted"]) == (counted, counted)
    expected = md2.expected_ratings.by_dimension()
    assert md2_readiness["ratings"] == [
        {"dimension": d, "expected": r, "rating": r, "met": True} for d, r in expected.items()
    ]
    assert {reason["kind"] for reason in md2_readiness["reasons"]} >= {
        "dimension", "criteria", "experience"
    }  # fmt: skip
    assert all(reason["met"] for reason in md2_readiness["reasons"])
    assert md2_readiness["assessment"]["id"] == assessment.pk
    assert md2_readiness["assessment"]["author"] == {"id": org.manager.pk, "name": "Mia Manager"}
    assert md2_readiness["stale"] is False
    assert md2_readiness["months_required"] is not None
    assert md2_readiness["months_in_level"] == found["months_in_level"] > 12


def test_the_reasons_are_those_the_person_page_spells_out(api, client, org):
    shared(org.manager, org.peer, org.levels["SR1"], "manager", status="developing", below=1)

    found = readiness_of(api, org.peer, org.manager)
    html = page_html(client, org.peer, org.manager)

    [sr1] = found["next_levels"]
    assert sr1["verdict"] == "not_yet"
    assert escape(sr1["summary"]) in html
    for reason in sr1["reasons"]:
        assert escape(reason["text"]) in html


def test_a_shortfall_names_the_rating_and_every_criterion_not_met(api, org):
    sr1 = org.levels["SR1"]
    shared(org.manager, org.peer, sr1, "manager", status="developing", below=1)

    [found] = readiness_of(api, org.peer, org.manager)["next_levels"]

    first, *others = found["ratings"]
    assert (first["rating"], first["met"]) == (first["expected"] - 1, False)
    assert all(rating["met"] for rating in others)
    criteria = next(reason for reason in found["reasons"] if reason["kind"] == "criteria")
    assert criteria["met"] is False
    assert len(criteria["not_met"]) == sr1.criteria.count() == found["criteria_counted"]
    assert found["criteria_met"] == 0
    assert {c["status"] for c in criteria["not_met"]} == {"developing"}
    assert {(c["section"], c["text"]) for c in criteria["not_met"]} == set(
        sr1.criteria.values_list("section", "text")
    )
    assert all(c["heading"] for c in criteria["not_met"])


def test_someone_not_assessed_has_only_their_time_in_level_as_a_reason(api, org):
    [found] = readiness_of(api, org.outsider, org.other_manager)["next_levels"]

    assert found["verdict"] == "not_assessed"
    assert found["assessment"] is None
    assert [reason["kind"] for reason in found["reasons"]] == ["experience"]
    assert all(rating["rating"] is None and not rating["met"] for rating in found["ratings"])


def test_someone_with_no_level_has_no_next_level(api, org):
    found = readiness_of(api, org.skip, org.skip)

    assert (found["level"], found["months_in_level"], found["next_levels"]) == (None, None, [])


def test_just_promoted_is_eligible_from_the_day_their_minimum_experience_is_reached(api, org):
    person_set_level(by=None, person=org.engineer, level=org.levels["MD2"], since=TODAY)
    [target] = readiness_of(api, org.engineer, org.manager)["next_levels"]
    shared(org.manager, org.engineer, org.levels[target["target"]["code"]], "manager")

    [found] = readiness_of(api, org.engineer, org.manager)["next_levels"]

    assert found["verdict"] == "eligible_from"
    assert found["months_in_level"] == 0
    experience = next(reason for reason in found["reasons"] if reason["kind"] == "experience")
    assert experience["met"] is False
    assert found["eligible_from"] > TODAY.isoformat()


def test_the_readiness_of_someone_one_may_not_see_is_not_found(api, org):
    assert (
        api.as_(org.peer.user, "read").get(f"people/{org.engineer.pk}/readiness/").status_code
        == 404
    )
    assert fields(api.as_(org.peer.user, "read").get("people/0/readiness/")) == ["path.pk"]


# -- many people, from the stored readiness -----------------------------------------------------


def test_a_manager_reads_their_reports_readiness_by_default(api, org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")

    response = api.as_(org.manager.user, "read").get("readiness/")

    assert names_of(response) == ["Eve Engineer", "Pat Peer"]
    eve, pat = response.json()["results"]
    assert (eve["verdict"], eve["last_assessed_on"]) == ("ready", TODAY.isoformat())
    assert (eve["level"]["code"], eve["level_since"]) == ("MD1", "2023-03-01")
    assert eve["team"] == {"slug": "core", "name": "Core"}
    [md2] = eve["next_levels"]
    assert (md2["target"]["code"], md2["verdict"], md2["gaps"]) == ("MD2", "ready", [])
    assert md2["assessed_on"] == TODAY.isoformat()
    assert pat["verdict"] == "not_assessed"
    assert (
        pat["next_levels"][0]["summary"]
        == f"Not assessed against {pat['next_levels'][0]['target']['code']} yet."
    )


def names_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["person"]["name"] for row in response.json()["results"]]


def test_whose_readiness_is_read_by_default(api, org):
    everyone = ["Ada Admin", "Eve Engineer", "Mia Manager", "Olga Outside", "Oscar Other",
                "Pat Peer", "Sam Skip"]  # fmt: skip

    assert names_of(api.as_(org.engineer.user, "read").get("readiness/")) == []
    assert names_of(api.as_(org.skip.user, "read").get("readiness/")) == [
        "Eve Engineer", "Mia Manager", "Olga Outside", "Oscar Other", "Pat Peer"
    ]  # fmt: skip
    assert names_of(api.as_(org.admin.user, "read admin").get("readiness/")) == everyone
    assert names_of(api.as_(org.admin.user, "read").get("readiness/")) == []


def test_readiness_under_a_person_and_of_one_verdict(api, org):
    shared(org.manager, org.peer, org.levels["SR1"], "manager", below=1)
    caller = api.as_(org.skip.user, "read")

    assert names_of(caller.get("readiness/", under=org.other_manager.pk)) == ["Olga Outside"]
    assert names_of(caller.get("readiness/", verdict="not_yet")) == ["Pat Peer"]
    assert names_of(caller.get("readiness/", under=org.manager.pk, verdict="ready")) == []
    [row] = caller.get("readiness/", verdict="not_yet").json()["results"]
    [sr1] = row["next_levels"]
    assert [gap["kind"] for gap in sr1["gaps"]] == ["dimension"]
    assert sr1["summary"] == "Not yet ready for SR1: 1 gap."


def test_readiness_under_someone_one_may_not_see_is_refused(api, org):
    assert fields(api.as_(org.peer.user, "read").get("readiness/", under=org.engineer.pk)) == [
        "query.under"
    ]
    assert fields(api.as_(org.peer.user, "read").get("readiness/", verdict="soon")) == [
        "query.verdict"
    ]


def test_the_stored_verdicts_agree_with_the_rule_run_for_each_person(api, org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    shared(org.manager, org.peer, org.levels["SR1"], "manager", below=1)
    person_set_level(by=None, person=org.outsider, level=org.levels["JR2"], since=TODAY)
    caller = api.as_(org.admin.user, "read admin")

    for row in caller.get("readiness/").json()["results"]:
        detail = caller.get(f"people/{row['person']['id']}/readiness/").json()
        assert [(n["target"], n["verdict"], n["eligible_from"]) for n in row["next_levels"]] == [
            (n["target"], n["verdict"], n["eligible_from"]) for n in detail["next_levels"]
        ]
        assert row["level"] == detail["level"]
        assert row["months_in_level"] == detail["months_in_level"]


def test_eligible_from_reads_as_ready_once_the_day_has_come(api, org, monkeypatch):
    person_set_level(by=None, person=org.engineer, level=org.levels["MD2"], since=TODAY)
    [target] = readiness_of(api, org.engineer, org.manager)["next_levels"]
    shared(org.manager, org.engineer, org.levels[target["target"]["code"]], "manager")
    caller = api.as_(org.manager.user, "read")
    [before] = caller.get("readiness/", verdict="eligible_from").json()["results"]
    [stored] = before["next_levels"]
    assert [gap["kind"] for gap in stored["gaps"]] == ["experience"]

    day = datetime.date.fromisoformat(stored["eligible_from"])
    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: day if value is None else real(value, tz)
    )
    [after] = caller.get("readiness/", verdict="ready").json()["results"]

    assert after["person"]["name"] == "Eve Engineer"
    assert (after["next_levels"][0]["verdict"], after["next_levels"][0]["gaps"]) == ("ready", [])


# -- queries that never grow --------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"verdict": "not_assessed"}], ids=["all", "verdict"])
def test_reading_many_peoples_readiness_costs_the_same_queries_for_2_or_20(api, org, params):
    caller = api.as_(org.manager.user, "read")
    few = queries(caller, "readiness/", **params)
    hire(18, manager=org.manager, team=org.core, level=org.levels["MD1"])

    assert len(caller.get("readiness/", page_size=200).json()["results"]) == 20
    assert queries(caller, "readiness/", **params) == few


def test_reading_readiness_under_someone_costs_the_same_queries_for_2_or_20(api, org):
    caller = api.as_(org.admin.user, "read admin")
    few = queries(caller, "readiness/", under=org.manager.pk)
    hire(18, manager=org.manager, team=org.core, level=org.levels["MD2"])

    assert queries(caller, "readiness/", under=org.manager.pk) == few


def test_a_page_of_readiness_is_three_queries_beside_the_tokens(api, org):
    caller = api.as_(org.admin.user, "read admin")
    caller.get("readiness/")
    with CaptureQueriesContext(connection) as captured:
        assert caller.get("readiness/").status_code == 200
    read = [q["sql"] for q in captured if "api_apitoken" not in q["sql"]]

    assert len(read) == 3, "\n".join(read)


def test_pages_of_readiness_follow_each_other(api, org):
    hire(5, manager=org.manager, team=org.core, level=org.levels["MD1"])
    caller = api.as_(org.manager.user, "read")
    seen, response = [], caller.get("readiness/", page_size=2)
    while True:
        seen += names_of(response)
        if response.json()["next"] is None:
            break
        response = follow(caller, response.json()["next"])

    assert seen == sorted(seen) and len(set(seen)) == 7
