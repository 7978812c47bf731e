"""The promotions part of the API answers what the cycle and case pages show, to the same
people, and acts through the same services: review cycles, their progress, promotion cases,
opening and submitting a case, and its decision."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.audit.models import AuditEvent
from ladder.notifications.models import OutgoingMail
from ladder.people.models import LevelAssignment, Person
from ladder.people.tree import rebuild_paths
from ladder.promotions import cases
from ladder.promotions.models import PromotionCase, ReviewCycle
from ladder.promotions.packet import packet_of
from tests.conftest import calibration_round
from tests.promotions.test_case_pages import make_cases
from tests.promotions.test_cycles import TODAY, assessed, dates, make_cycle

pytestmark = pytest.mark.django_db

PAST = TODAY - datetime.timedelta(days=70)


@pytest.fixture
def round_(org):
    """A cycle in calibration with Cora on its committee and the engineer's submitted case."""
    return calibration_round(org)


@pytest.fixture
def late_round(org):
    """An open cycle whose due dates have passed: Eve has a self-assessment draft and her
    manager's submitted; Pat is done; Olga's manager has shared; no one else began."""
    cycle = make_cycle(org, **dates(PAST))
    levels = org.levels
    assessed(org.engineer, org.engineer, levels["MD2"], "self", "draft")
    assessed(org.engineer, org.manager, levels["MD2"], "manager", "submitted")
    assessed(org.peer, org.peer, levels["SR1"], "self", "shared")
    assessed(org.peer, org.manager, levels["SR1"], "manager", "shared")
    assessed(org.outsider, org.other_manager, levels["MD1"], "manager", "shared")
    return cycle


def peer_draft(org) -> PromotionCase:
    """The peer's draft case to SR1, opened by their manager (not ready: justified)."""
    return cases.case_open(
        by=org.manager.user,
        person=org.peer,
        to_level=org.levels["SR1"],
        recommendation="Pat runs the platform guild.",
        justification="The guild is senior work already.",
    )


def fields(response) -> list[str]:
    """The fields a 422 names, as "query.state" or "body.feedback": a body field is named after
    the body whether the schema or the service refused it."""
    named = [error["field"].split(".") for error in response.json().get("errors", [])]
    return [f"{parts[0]}.{parts[-1]}" for parts in named]


# -- review cycles --------------------------------------------------------------------------------


def test_an_admin_lists_every_cycle_newest_first_and_a_manager_none_in_draft(api, org, round_):
    draft = make_cycle(org, name="2027 H1", opened=False)

    admin = api.as_(org.admin.user, "read admin").get("cycles/").json()["results"]
    manager = api.as_(org.manager.user, "read").get("cycles/").json()["results"]

    assert [c["name"] for c in admin] == ["2027 H1", "2026 H2"]
    assert admin[0]["stage"] == "draft" and admin[0]["ladder"]["slug"] == "dotnet"
    assert [c["id"] for c in manager] == [round_["cycle"]]
    assert draft.pk not in [c["id"] for c in manager]


def test_someone_who_may_see_no_cycle_is_answered_404_as_on_the_page(api, org, round_):
    response = api.as_(org.engineer.user, "read").get("cycles/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_an_admin_token_without_the_admin_scope_sees_no_draft(api, org, round_):
    draft = make_cycle(org, name="2027 H1", opened=False)
    narrowed = api.as_(org.admin.user, "read")

    assert narrowed.get(f"cycles/{draft.pk}/").status_code == 404
    assert api.as_(org.admin.user, "read admin").get(f"cycles/{draft.pk}/").status_code == 200


def test_a_cycle_shows_the_whole_to_the_committee_and_a_managers_part_to_them(api, org, round_):
    url = f"cycles/{round_['cycle']}/"

    committee = api.as_(org.committee.user, "read").get(url).json()
    manager = api.as_(org.manager.user, "read").get(url).json()
    admin = api.as_(org.admin.user, "read admin").get(url).json()

    assert committee["whole"] is True and committee["people"] == {"total": 4, "late": 0}
    assert manager["whole"] is False and manager["people"] == {"total": 2, "late": 0}
    assert [m["email"] for m in committee["committee"]] == ["cora@example.com"]
    assert committee["may_calibrate"] is True and manager["may_calibrate"] is False
    assert (manager["next_stage"], admin["next_stage"]) == (None, "closed")
    assert committee["stage"] == "calibration" and committee["scope"] == "everyone"


def test_a_draft_cycle_counts_no_one_yet(api, org):
    draft = make_cycle(org, name="2027 H1", opened=False, committee=[org.skip])

    detail = api.as_(org.admin.user, "read admin").get(f"cycles/{draft.pk}/").json()

    assert detail["people"] is None and detail["opened_at"] is None
    assert detail["next_stage"] == "open"
    assert detail["committee"] == [
        {"id": org.skip.pk, "name": "Sam Skip", "email": "sam@example.com"}
    ]


def test_an_unknown_or_too_large_cycle_id_is_a_404_or_a_422(api, org, round_):
    admin = api.as_(org.admin.user, "read admin")

    assert admin.get("cycles/999999/").status_code == 404
    too_large = admin.get(f"cycles/{2**63}/")
    assert too_large.status_code == 422 and fields(too_large) == ["path.pk"]


# -- progress -------------------------------------------------------------------------------------


def _tally(t) -> tuple:
    def counts(c):
        return (c["not_started"], c["draft"], c["submitted"], c["shared"])

    return (
        t["people"],
        counts(t["self_assessments"]),
        counts(t["manager_assessments"]),
        t["overdue"],
    )


def _page_tally(t) -> tuple:
    def counts(c):
        return (c.not_started, c.draft, c.submitted, c.shared)

    return (t.people, counts(t.self_assessments), counts(t.manager_assessments), t.overdue)


def page_figures(user, cycle, query="") -> dict:
    """What the progress page shows `user`: the total, each manager's row, who is late."""
    page = Client()
    page.force_login(user)
    response = page.get(f"/cycles/{cycle.pk}/progress/{query}")
    assert response.status_code == 200
    progress = response.context["progress"]
    return {
        "total": _page_tally(progress.total),
        "managers": [
            (row.manager.name if row.manager else None, _page_tally(row.tally))
            for row in progress.managers
        ],
        "overdue": [
            (row.member.person.email, row.self_progress.value, row.manager_progress.value)
            for row in progress.overdue
        ],
    }


def api_figures(api, user, cycle, scopes="read", **params) -> dict:
    response = api.as_(user, scopes).get(f"cycles/{cycle.pk}/progress/", **params)
    assert response.status_code == 200, response.content
    body = response.json()
    return {
        "total": _tally(body["total"]),
        "managers": [
            (row["manager"]["name"] if row["manager"] else None, _tally(row["tally"]))
            for row in body["managers"]
        ],
        "overdue": [
            (row["person"]["email"], row["self_assessment"], row["manager_assessment"])
            for row in body["overdue"]
        ],
    }


@pytest.mark.parametrize("who", ["admin", "manager", "other_manager", "skip"])
def test_progress_gives_the_figures_the_page_shows_each_viewer(api, org, late_round, who):
    user = getattr(org, who).user

    figures = api_figures(api, user, late_round, scopes="read admin")

    assert figures == page_figures(user, late_round)
    assert figures["total"][0] > 0


def test_a_manager_sees_only_the_progress_of_the_people_below_them(api, org, late_round):
    body = api.as_(org.manager.user, "read").get(f"cycles/{late_round.pk}/progress/").json()

    assert body["whole"] is False
    assert [row["manager"]["name"] for row in body["managers"]] == ["Mia Manager"]
    assert body["total"]["people"] == 2
    eve = next(row for row in body["overdue"] if row["person"]["email"] == "eve@example.com")
    assert eve["target"] == {"code": "MD2", "title": "Mid-level Developer II"}
    assert (eve["self_overdue"], eve["manager_overdue"]) == (True, False)
    assert eve["person"]["team"] == "Core" and eve["manager"]["email"] == "mia@example.com"


def test_progress_filters_as_the_page_does(api, org, late_round):
    admin = org.admin.user

    by_team = api_figures(api, admin, late_round, scopes="read admin", team="core")
    by_manager = api_figures(
        api, admin, late_round, scopes="read admin", manager="oscar@example.com"
    )

    assert by_team == page_figures(admin, late_round, "?team=core")
    assert by_manager == page_figures(admin, late_round, "?manager=oscar@example.com")
    assert [name for name, _ in by_manager["managers"]] == ["Oscar Other"]


def test_a_filter_naming_no_one_in_the_viewers_part_is_a_422_naming_it(api, org, late_round):
    url = f"cycles/{late_round.pk}/progress/"
    manager = api.as_(org.manager.user, "read")

    outside = manager.get(url, manager="oscar@example.com")
    unknown = manager.get(url, team="Nowhere")
    too_long = manager.get(url, team="x" * 101)

    assert outside.status_code == 422 and fields(outside) == ["query.manager"]
    assert "No one has the email oscar@example.com." in outside.json()["detail"]
    assert unknown.status_code == 422 and fields(unknown) == ["query.team"]
    assert too_long.status_code == 422 and fields(too_long) == ["query.team"]


def test_progress_is_not_for_those_who_may_not_see_the_cycle(api, org, late_round):
    url = f"cycles/{late_round.pk}/progress/"

    assert api.as_(org.engineer.user, "read").get(url).status_code == 404
    assert api.get(url).status_code == 401


# -- promotion cases: reading -----------------------------------------------------------------------


def case_ids(api, user, scopes="read", **params) -> list[int]:
    response = api.as_(user, scopes).get("cases/", **params)
    assert response.status_code == 200, response.content
    return [case["id"] for case in response.json()["results"]]


def test_each_person_lists_the_cases_the_cases_page_shows_them(api, org, round_):
    draft = peer_draft(org)
    everyone = [round_["case"], draft.pk]
    page = Client()

    for who in ["engineer", "peer", "manager", "skip", "other_manager", "committee", "admin"]:
        user = getattr(org, who).user
        page.force_login(user)
        shown = [case.pk for case in page.get("/cases/").context["page"]]
        assert sorted(case_ids(api, user, "read admin")) == sorted(shown), who
    assert sorted(case_ids(api, org.manager.user)) == sorted(everyone)
    assert case_ids(api, org.other_manager.user) == []
    assert case_ids(api, org.engineer.user) == [round_["case"]]


def test_a_case_in_a_list_names_the_person_the_levels_and_the_cycle(api, org, round_):
    (case,) = api.as_(org.committee.user, "read").get("cases/").json()["results"]

    assert case["person"] == {
        "id": org.engineer.pk,
        "name": "Eve Engineer",
        "team": {"slug": "core", "name": "Core"},
    }
    assert (case["from_level"]["code"], case["to_level"]["code"]) == ("MD1", "MD2")
    assert case["to_level"]["ladder"] == "dotnet"
    assert case["cycle"] == {"id": round_["cycle"], "name": "2026 H2"}
    assert case["state"] == "submitted" and case["decided_at"] is None


def test_cases_filter_by_state_cycle_off_cycle_and_person(api, org, round_):
    draft = peer_draft(org)
    off = PromotionCase.objects.create(
        person=org.outsider,
        from_level=org.levels["JR2"],
        to_level=org.levels["MD1"],
        recommendation="Off-cycle.",
    )
    admin = org.admin.user

    assert case_ids(api, admin, "read admin", state="draft") == [off.pk, draft.pk]
    assert case_ids(api, admin, "read admin", state="submitted") == [round_["case"]]
    assert case_ids(api, admin, "read admin", cycle=round_["cycle"]) == [draft.pk, round_["case"]]
    assert case_ids(api, admin, "read admin", off_cycle="true") == [off.pk]
    assert case_ids(api, admin, "read admin", person=org.peer.pk) == [draft.pk]


def test_a_bad_case_filter_is_a_422_naming_it(api, org, round_):
    reader = api.as_(org.admin.user, "read admin")

    state = reader.get("cases/", state="lost")
    both = reader.get("cases/", cycle=round_["cycle"], off_cycle="true")
    huge = reader.get("cases/", person=2**40)

    assert state.status_code == 422 and fields(state) == ["query.state"]
    assert both.status_code == 422 and fields(both) == ["query.off_cycle"]
    assert huge.status_code == 422 and fields(huge) == ["query.person"]


def test_cases_page_by_cursor_newest_first(api, org):
    make_cases(org, 3)
    reader = api.as_(org.manager.user, "read")

    first = reader.get("cases/", page_size=2).json()
    following = urlsplit(first["next"])
    second = reader.get(f"{following.path}?{following.query}").json()

    newest_first = list(
        PromotionCase.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    assert [c["id"] for c in first["results"] + second["results"]] == newest_first
    assert second["next"] is None


def case_of(api, user, pk, scopes="read"):
    response = api.as_(user, scopes).get(f"cases/{pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_case_shows_its_packet_to_the_manager_and_the_committee(api, org, round_):
    for who in ["manager", "committee"]:
        case = case_of(api, getattr(org, who).user, round_["case"])
        packet = case["packet"]

        assert packet["recommendation"] == "Ready in all but time."
        assert packet["justification"] == "Leads the payments work already."
        assert packet["opened_by"] == "Mia Manager" and packet["verdict_at_opening"] == "not_yet"
        assert packet["manager_assessment"] == round_["assessment"]
        assert packet["decision"] is None


def test_the_readiness_snapshot_is_the_packets(api, org, round_):
    packet = packet_of(PromotionCase.objects.get(pk=round_["case"]))

    readiness = case_of(api, org.committee.user, round_["case"])["packet"]["readiness"]

    assert readiness["verdict"] == str(packet.readiness.verdict) == "not_yet"
    assert readiness["summary"] == packet.summary
    assert [r["text"] for r in readiness["reasons"]] == [r.text for r in packet.readiness.reasons]
    assert [r["met"] for r in readiness["reasons"]] == [r.met for r in packet.readiness.reasons]
    assert readiness["months_required"] == packet.readiness.months_required
    assert readiness["as_of"] == TODAY.isoformat()


def test_the_person_sees_only_the_state_of_their_case_until_it_is_decided(api, org, round_):
    before = case_of(api, org.engineer.user, round_["case"])
    case = PromotionCase.objects.get(pk=round_["case"])
    cases.case_decide(by=org.committee.user, case=case, outcome="declined", feedback="- Lead\n")
    after = case_of(api, org.engineer.user, round_["case"])

    assert before["state"] == "submitted" and before["packet"] is None
    assert after["state"] == "declined"
    assert after["packet"]["decision"]["feedback"] == "- Lead"
    assert after["packet"]["decision"]["decided_by"] == "Cora Committee"
    assert after["packet"]["recommendation"] == "Ready in all but time."


def test_notes_are_shown_to_those_who_may_read_the_packet(api, org, round_):
    case = PromotionCase.objects.get(pk=round_["case"])
    cases.case_note_add(by_person=org.skip, case=case, kind="endorsement", text="Agreed.")

    notes = case_of(api, org.manager.user, case.pk)["packet"]["notes"]

    assert [(n["kind"], n["author"]["name"], n["text"]) for n in notes] == [
        ("endorsement", "Sam Skip", "Agreed.")
    ]
    assert case_of(api, org.engineer.user, case.pk)["packet"] is None
    assert api.as_(org.other_manager.user, "read").get(f"cases/{case.pk}/").status_code == 404


def test_the_actions_say_what_the_viewer_may_do_as_the_page_does(api, org, round_):
    draft = peer_draft(org)

    manager = case_of(api, org.manager.user, draft.pk)["actions"]
    skip = case_of(api, org.skip.user, round_["case"])["actions"]
    committee = case_of(api, org.committee.user, round_["case"])["actions"]

    assert manager == {"edit": True, "note": False, "decide": False}
    assert skip == {"edit": False, "note": True, "decide": False}
    assert committee == {"edit": False, "note": False, "decide": True}


# -- opening and submitting -------------------------------------------------------------------------


OPEN = {
    "to_level": "SR1",
    "recommendation": "Pat runs the platform guild.",
    "justification": "The guild is senior work already.",
}


def test_a_manager_opens_a_draft_case_as_the_form_does(api, org, round_):
    response = api.as_(org.manager.user, "read write").post(f"people/{org.peer.pk}/cases/", OPEN)

    assert response.status_code == 201, response.content
    body = response.json()
    case = PromotionCase.objects.get(pk=body["id"])
    assert (case.state, case.from_level.code, case.to_level.code) == ("draft", "MD2", "SR1")
    assert case.cycle_id == round_["cycle"] and case.opened_by == org.manager.user
    assert body["state"] == "draft" and body["packet"]["recommendation"] == OPEN["recommendation"]
    assert body["actions"]["edit"] is True
    event = AuditEvent.objects.get(action="case.opened", target_id=str(case.pk))
    assert event.actor == org.manager.user and event.after["to"] == "SR1"


def test_an_admin_opens_an_off_cycle_case(api, org, round_):
    response = api.as_(org.admin.user).post(
        f"people/{org.peer.pk}/cases/", {**OPEN, "off_cycle": True}
    )

    assert response.status_code == 201, response.content
    assert response.json()["cycle"] is None


@pytest.mark.parametrize("who", ["engineer", "peer", "other_manager", "committee"])
def test_only_a_manager_in_the_chain_or_an_admin_opens_a_case(api, org, round_, who):
    response = api.as_(getattr(org, who).user).post(f"people/{org.peer.pk}/cases/", OPEN)

    assert response.status_code == 404
    assert not PromotionCase.objects.filter(person=org.peer).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"justification": ""}, "body.justification"),
        ({"to_level": "PE1"}, "body.to_level"),
        ({"to_level": "NOPE"}, "body.to_level"),
        ({"recommendation": "  "}, "body.recommendation"),
        ({"recommendation": "Fine\x07"}, "body.recommendation"),
        ({"cycle": 999999}, "body.cycle"),
        ({"cycle": 0}, "body.cycle"),
        ({"to_level": "X" * 33}, "body.to_level"),
    ],
)
def test_a_case_refused_names_the_field_and_nothing_is_written(api, org, round_, change, field):
    response = api.as_(org.manager.user).post(f"people/{org.peer.pk}/cases/", {**OPEN, **change})

    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not PromotionCase.objects.filter(person=org.peer).exists()


def test_a_missing_recommendation_is_a_422_naming_it(api, org, round_):
    body = {key: value for key, value in OPEN.items() if key != "recommendation"}

    response = api.as_(org.manager.user).post(f"people/{org.peer.pk}/cases/", body)

    assert response.status_code == 422 and fields(response) == ["body.recommendation"]


def test_a_second_open_case_is_refused(api, org, round_):
    writer = api.as_(org.manager.user)
    writer.post(f"people/{org.peer.pk}/cases/", OPEN)

    second = writer.post(f"people/{org.peer.pk}/cases/", OPEN)

    assert second.status_code == 422
    assert "already has an open promotion case" in second.json()["detail"]
    assert PromotionCase.objects.filter(person=org.peer).count() == 1


def test_a_cycle_the_person_is_not_running_in_is_refused(api, org, round_):
    closed = make_cycle(org, name="Closed round")
    ReviewCycle.objects.filter(pk=closed.pk).update(stage="closed")

    response = api.as_(org.manager.user).post(
        f"people/{org.peer.pk}/cases/", {**OPEN, "cycle": closed.pk}
    )

    assert response.status_code == 422 and fields(response) == ["body.cycle"]


def test_submitting_a_draft_sends_it_for_decision_and_again_is_a_409(api, org, round_):
    draft = peer_draft(org)
    writer = api.as_(org.skip.user, "read write")

    first = writer.post(f"cases/{draft.pk}/submit/")
    second = writer.post(f"cases/{draft.pk}/submit/")

    assert first.status_code == 200 and first.json()["state"] == "submitted"
    assert AuditEvent.objects.filter(action="case.submitted", target_id=str(draft.pk)).count() == 1
    assert second.status_code == 409 and second.json()["state"] == "submitted"
    assert "already submitted" in second.json()["detail"]


def test_a_read_token_or_the_person_cannot_submit(api, org, round_):
    draft = peer_draft(org)

    assert api.as_(org.manager.user, "read").post(f"cases/{draft.pk}/submit/").status_code == 404
    assert api.as_(org.peer.user).post(f"cases/{draft.pk}/submit/").status_code == 404
    assert PromotionCase.objects.get(pk=draft.pk).state == "draft"


# -- decisions ---------------------------------------------------------------------------------------


def decide(api, user, pk, scopes="read write admin", **body):
    return api.as_(user, scopes).post(f"cases/{pk}/decision/", body)


def test_the_committee_approves_and_the_new_level_is_written_as_the_page_writes_it(
    api, org, round_
):
    cycle = ReviewCycle.objects.get(pk=round_["cycle"])

    response = decide(api, org.committee.user, round_["case"], outcome="approved", feedback="Yes.")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "approved"
    assert body["packet"]["decision"] == {
        "outcome": "approved",
        "feedback": "Yes.",
        "decided_at": body["decided_at"],
        "decided_by": "Cora Committee",
        "effective_on": cycle.effective_on.isoformat(),
    }
    promotion = LevelAssignment.objects.get(person=org.engineer, reason="promotion")
    assert (promotion.level.code, promotion.start) == ("MD2", cycle.effective_on)
    event = AuditEvent.objects.get(action="case.approved")
    assert event.actor == org.committee.user
    assert event.after == {
        "state": "approved",
        "feedback": "Yes.",
        "effective_on": cycle.effective_on.isoformat(),
        "level": "MD2",
    }
    assert OutgoingMail.objects.filter(to="eve@example.com", kind="case_decided").exists()


def test_an_api_decision_records_what_a_page_decision_records(api, org, round_):
    page = Client()
    page.force_login(org.committee.user)
    draft = peer_draft(org)
    cases.case_submit(by=org.manager.user, case=draft)

    page.post(f"/cases/{draft.pk}/decide/", {"outcome": "approved", "feedback": "Yes."})
    decide(api, org.committee.user, round_["case"], outcome="approved", feedback="Yes.")

    by_page, by_api = (
        AuditEvent.objects.filter(action__startswith="case.", target_id=str(pk))
        .exclude(action__in=["case.opened", "case.submitted"])
        .order_by("pk")
        for pk in (draft.pk, round_["case"])
    )
    shape = [(e.action, sorted(e.after), e.actor_id) for e in by_page]
    assert shape == [(e.action, sorted(e.after), e.actor_id) for e in by_api]
    histories = [
        list(LevelAssignment.objects.filter(person=p).values_list("reason", "end").order_by("pk"))
        for p in (org.peer, org.engineer)
    ]
    assert histories[0] == histories[1]


def test_deciding_twice_is_a_409_and_changes_nothing(api, org, round_):
    decide(api, org.committee.user, round_["case"], outcome="approved", feedback="Yes.")

    again = decide(api, org.admin.user, round_["case"], outcome="declined", feedback="No.")

    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["state"] == "approved"
    assert "already decided: approved by Cora Committee" in again.json()["detail"]
    assert LevelAssignment.objects.filter(person=org.engineer, reason="promotion").count() == 1
    assert AuditEvent.objects.filter(action__in=["case.approved", "case.declined"]).count() == 1


def test_a_draft_is_not_decided_yet_409(api, org, round_):
    draft = peer_draft(org)

    response = decide(api, org.admin.user, draft.pk, outcome="approved", feedback="Yes.")

    assert response.status_code == 409 and response.json()["state"] == "draft"
    assert PromotionCase.objects.get(pk=draft.pk).state == "draft"


@pytest.mark.parametrize("who", ["engineer", "manager", "skip", "other_manager"])
def test_only_the_committee_or_an_admin_decides(api, org, round_, who):
    response = decide(api, getattr(org, who).user, round_["case"], outcome="approved", feedback="Y")

    assert response.status_code == 404
    assert PromotionCase.objects.get(pk=round_["case"]).state == "submitted"


def test_an_admins_token_without_the_admin_scope_decides_nothing(api, org, round_):
    response = decide(
        api, org.admin.user, round_["case"], "read write", outcome="approved", feedback="Yes."
    )

    assert response.status_code == 404
    assert PromotionCase.objects.get(pk=round_["case"]).state == "submitted"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"outcome": "approved", "feedback": "  "}, "body.feedback"),
        ({"outcome": "maybe", "feedback": "Yes."}, "body.outcome"),
        ({"feedback": "Yes."}, "body.outcome"),
        ({"outcome": "approved", "feedback": "Yes.", "effective_on": "2030-01-01"}, "body.effective_on"),
        ({"outcome": "approved", "feedback": "Yes.", "effective_on": "someday"}, "body.effective_on"),
        ({"outcome": "declined", "feedback": "No\x1b"}, "body.feedback"),
        ({"outcome": "approved", "feedback": "Yes.", "effective_on": "9999-12-31"}, "body.effective_on"),
    ],
)  # fmt: skip
def test_a_refused_decision_names_the_field_and_changes_nothing(api, org, round_, body, field):
    response = api.as_(org.committee.user).post(f"cases/{round_['case']}/decision/", body)

    assert response.status_code == 422, response.content
    assert fields(response) == [field]
    assert PromotionCase.objects.get(pk=round_["case"]).state == "submitted"
    assert not LevelAssignment.objects.filter(reason="promotion").exists()


def test_an_off_cycle_approval_needs_its_date(api, org):
    case = PromotionCase.objects.create(
        person=org.peer,
        from_level=org.levels["MD2"],
        to_level=org.levels["SR1"],
        recommendation="Off-cycle.",
        state="submitted",
        submitted_at=timezone.now(),
    )
    admin = org.admin.user

    missing = decide(api, admin, case.pk, outcome="approved", feedback="Yes.")
    given = decide(
        api, admin, case.pk, outcome="approved", feedback="Yes.", effective_on="2026-02-01"
    )

    assert missing.status_code == 422 and fields(missing) == ["body.effective_on"]
    assert (
        given.status_code == 200
        and given.json()["packet"]["decision"]["effective_on"] == "2026-02-01"
    )
    promotion = LevelAssignment.objects.get(person=org.peer, reason="promotion")
    assert promotion.start == datetime.date(2026, 2, 1)


# -- query counts ------------------------------------------------------------------------------------


def queries(reader, path, **params) -> int:
    reader.get(path, **params)  # the token's first use is recorded once; count a warm call
    with CaptureQueriesContext(connection) as captured:
        response = reader.get(path, **params)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("who, scopes", [("manager", "read"), ("admin", "read admin")])
def test_the_case_list_costs_the_same_queries_for_2_or_20_cases(api, org, who, scopes):
    reader = api.as_(getattr(org, who).user, scopes)
    make_cases(org, 2)
    few = queries(reader, "cases/", page_size=50)
    make_cases(org, 18)

    many = queries(reader, "cases/", page_size=50)

    assert len(reader.get("cases/").json()["results"]) == 20
    assert many == few


def test_the_cycle_list_costs_the_same_queries_for_2_or_20_cycles(api, org):
    reader = api.as_(org.admin.user, "read admin")
    for n in range(2):
        make_cycle(org, name=f"Round {n}", opened=False)
    few = queries(reader, "cycles/")
    for n in range(2, 20):
        make_cycle(org, name=f"Round {n}", opened=False)

    many = queries(reader, "cycles/")

    assert len(reader.get("cycles/").json()["results"]) == 20
    assert many == few


def test_progress_costs_the_same_queries_for_2_or_20_members(api, org):
    def cycle_of(size: int) -> ReviewCycle:
        Person.objects.bulk_create(
            Person(name=f"R {size}-{n}", email=f"r{size}-{n}@example.com", manager=org.manager)
            for n in range(size)
        )
        rebuild_paths()
        added = Person.objects.filter(email__startswith=f"r{size}-")
        LevelAssignment.objects.bulk_create(
            LevelAssignment(person=p, level=org.levels["JR2"], start=PAST, reason="hire")
            for p in added
        )
        cycle = make_cycle(
            org, name=f"Round {size}", scope="subtree", subtree_of=org.manager, **dates(PAST)
        )
        for person in list(added)[::2]:
            assessed(person, person, org.levels["MD1"], "self", "shared")
        return cycle

    small, big = cycle_of(2), cycle_of(20)
    counts = {}
    for cycle in (small, big):
        for who, scopes in (("admin", "read admin"), ("manager", "read")):
            reader = api.as_(getattr(org, who).user, scopes)
            counts[(cycle.name, who)] = queries(reader, f"cycles/{cycle.pk}/progress/")

    assert big.members.count() >= 20
    assert counts[("Round 2", "admin")] == counts[("Round 20", "admin")]
    assert counts[("Round 2", "manager")] == counts[("Round 20", "manager")]


# -- the schema -------------------------------------------------------------------------------------


def test_every_promotions_and_insights_operation_is_documented_with_a_response_schema(api, db):
    schema = api.get("openapi.json").json()

    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if {"promotions", "insights"} & set(operation.get("tags", []))
    ]

    assert len(operations) == 13
    for path, method, operation in operations:
        assert operation.get("summary") and operation.get("description"), (method, path)
        done = operation["responses"].get("201") or operation["responses"]["200"]
        body = done["content"]["application/json"]["schema"]
        assert "$ref" in body or body.get("type") == "object", (method, path, body)
        assert "409" in operation["responses"] or method == "get"
