"""Assessments through the API: the draft, its saves at a revision (or an ETag), submitting and
sharing, by the same rules and with the same audit events as the pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.assessments import services
from ladder.assessments.models import Assessment
from ladder.audit.models import AuditEvent
from tests.assessments.test_flow import start as start_on_page
from tests.assessments.test_flow import submit as submit_on_page

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def start(api, org, role="self", level="MD2", person=None):
    person = person or org.engineer
    return api.post(f"people/{person.pk}/assessments/", {"role": role, "level": level})


def full_answers(draft: dict, status="meets") -> dict:
    """Every rating as the level expects and every criterion at `status`, from a read draft."""
    return {
        "revision": draft["revision"],
        "summary": "A fair picture.",
        "ratings": [
            {"dimension": r["dimension"], "rating": r["expected"]} for r in draft["ratings"]
        ],
        "criteria": [{"criterion": c["criterion"], "status": status} for c in draft["criteria"]],
    }


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.fixture
def engineer(api, org):
    return api.as_(org.engineer.user)


@pytest.fixture
def draft(engineer, org):
    """The engineer's self-assessment against MD2, as read when started."""
    response = start(engineer, org)
    assert response.status_code == 201, response.content
    return response.json()


# -- the whole way: draft, save, stale, If-Match, submit, share --------------------------------


def test_a_draft_is_saved_refused_when_stale_saved_by_etag_submitted_and_shared(engineer, org, api):
    started = start(engineer, org)
    assert started.status_code == 201
    draft = started.json()
    url = f"assessments/{draft['id']}/"
    assert started["ETag"] == '"1.draft"'
    assert (draft["state"], draft["revision"], draft["role"]) == ("draft", 1, "self")
    assert draft["missing"], "a new draft is missing every answer"

    saved = engineer.patch(url, full_answers(draft))
    assert saved.status_code == 200, saved.content
    assert saved.json()["revision"] == 2 and saved.json()["missing"] == []
    assert saved["ETag"] == '"2.draft"'

    stale = engineer.patch(url, {"revision": 1, "summary": "From a tab opened long ago."})
    assert stale.status_code == 409
    assert stale["Content-Type"] == PROBLEM
    assert stale.json()["current_revision"] == 2
    assert "saved elsewhere" in stale.json()["detail"]
    assert Assessment.objects.get(pk=draft["id"]).summary == "A fair picture."

    by_etag = engineer.patch(url, {"summary": "Read again."}, headers={"If-Match": '"2.draft"'})
    assert by_etag.status_code == 200, by_etag.content
    assert by_etag.json()["revision"] == 3 and by_etag.json()["summary"] == "Read again."

    old_etag = engineer.patch(url, {"summary": "Late."}, headers={"If-Match": '"2.draft"'})
    assert old_etag.status_code == 412
    assert old_etag["Content-Type"] == PROBLEM
    assert old_etag.json()["current_revision"] == 3 and old_etag["ETag"] == '"3.draft"'

    submitted = engineer.post(f"{url}submit/", {}, headers={"If-Match": '"3.draft"'})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted" and submitted["ETag"] == '"3.submitted"'
    assert engineer.patch(url, {"revision": 3, "summary": "After."}).status_code == 409

    manager = api.as_(org.manager.user)
    assert manager.get(url).status_code == 404  # a self-assessment reaches managers once shared
    shared = engineer.post(f"{url}share/")
    assert shared.status_code == 200 and shared.json()["state"] == "shared"
    assert manager.get(url).status_code == 200
    events = AuditEvent.objects.filter(target_type="assessment", target_id=str(draft["id"]))
    actions = events.values_list("action", flat=True)
    assert sorted(actions) == ["assessment.shared", "assessment.submitted"]


def test_the_detail_carries_ratings_criteria_evidence_links_and_the_etag(engineer, org, draft):
    evidence = services.evidence_add(
        added_by=org.engineer,
        person=org.engineer,
        happened_on=datetime.date(2024, 5, 1),
        text="Ran the design review.",
        criteria=[],
    )
    criterion = draft["criteria"][0]["criterion"]
    body = {"revision": 1, "criteria": [{"criterion": criterion, "evidence": [evidence.pk]}]}
    engineer.patch(f"assessments/{draft['id']}/", body)

    response = engineer.get(f"assessments/{draft['id']}/")

    assert response.status_code == 200
    assert response["ETag"] == '"2.draft"'
    read = response.json()
    assert read["level"]["code"] == "MD2" and read["scale"] == {"min": 1, "max": 5}
    assert {r["dimension"] for r in read["ratings"]} == set(
        org.levels["MD2"].expected_ratings.by_dimension()
    )
    assert read["criteria"][0]["evidence"] == [evidence.pk]
    assert all(c["evidence"] == [] for c in read["criteria"][1:])


# -- PUT replaces, PATCH merges --------------------------------------------------------------


def test_put_leaves_blank_what_it_does_not_send_and_patch_keeps_it(engineer, draft):
    url = f"assessments/{draft['id']}/"
    engineer.put(url, full_answers(draft))
    first = draft["criteria"][0]["criterion"]

    patched = engineer.patch(
        url, {"revision": 2, "criteria": [{"criterion": first, "comment": "Yes."}]}
    )
    answer = patched.json()["criteria"][0]
    assert (answer["status"], answer["comment"]) == ("meets", "Yes.")
    assert patched.json()["summary"] == "A fair picture."

    put = engineer.put(url, {"revision": 3, "summary": "Only this."})
    assert put.status_code == 200
    assert put.json()["summary"] == "Only this."
    assert {c["status"] for c in put.json()["criteria"]} == {""}
    assert {r["rating"] for r in put.json()["ratings"]} == {None}


def test_the_same_save_sent_twice_is_answered_as_saved(engineer, draft):
    url = f"assessments/{draft['id']}/"
    answers = full_answers(draft)
    assert engineer.put(url, answers).status_code == 200

    again = engineer.put(url, answers)

    assert again.status_code == 200 and again.json()["revision"] == 2


# -- revisions and entity tags ---------------------------------------------------------------


def test_a_save_needs_a_revision_or_an_if_match(engineer, draft):
    response = engineer.patch(f"assessments/{draft['id']}/", {"summary": "No revision."})

    assert response.status_code == 422
    assert fields(response) == {"body.revision"}


def test_a_revision_that_disagrees_with_if_match_is_refused(engineer, draft):
    response = engineer.patch(
        f"assessments/{draft['id']}/",
        {"revision": 7, "summary": "Two minds."},
        headers={"If-Match": '"1.draft"'},
    )

    assert response.status_code == 422
    assert fields(response) == {"body.revision"}
    assert Assessment.objects.get(pk=draft["id"]).revision == 1


@pytest.mark.parametrize("tag", ['W/"1.draft"', '"1"', "1.draft", '"1.submitted"', "nonsense"])
def test_an_if_match_naming_no_current_etag_is_a_412_and_changes_nothing(engineer, draft, tag):
    response = engineer.patch(
        f"assessments/{draft['id']}/", {"summary": "Changed?"}, headers={"If-Match": tag}
    )

    assert response.status_code == 412
    assert response.json()["etag"] == '"1.draft"'
    assert Assessment.objects.get(pk=draft["id"]).summary == ""


@pytest.mark.parametrize("tag", ['"1.draft"', '"0.draft", "1.draft"', "*"])
def test_an_if_match_naming_the_current_etag_saves(engineer, draft, tag):
    body = {"summary": "Matched."} | ({"revision": 1} if tag == "*" else {})

    response = engineer.patch(f"assessments/{draft['id']}/", body, headers={"If-Match": tag})

    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Matched."


def test_submitting_with_a_stale_revision_is_a_409(engineer, draft):
    url = f"assessments/{draft['id']}/"
    engineer.put(url, full_answers(draft))

    response = engineer.post(f"{url}submit/", {"revision": 1})

    assert response.status_code == 409 and response.json()["current_revision"] == 2
    assert Assessment.objects.get(pk=draft["id"]).state == "draft"


# -- bad answers name the field, and change nothing ------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ratings": [{"dimension": "Team Contributor", "rating": 9}]}, "body.ratings.0.rating"),
        ({"ratings": [{"dimension": "Juggling", "rating": 3}]}, "body.ratings.0.dimension"),
        ({"criteria": [{"criterion": 987654, "status": "meets"}]}, "body.criteria.0.criterion"),
        ({"criteria": [{"criterion": "FIRST", "evidence": [987654]}]}, "body.criteria.0.evidence"),
    ],
)
def test_an_answer_this_assessment_cannot_hold_is_a_422_naming_it(engineer, draft, change, field):
    for answer in change.get("criteria", []):
        if answer["criterion"] == "FIRST":
            answer["criterion"] = draft["criteria"][0]["criterion"]

    response = engineer.patch(f"assessments/{draft['id']}/", {"revision": 1, **change})

    assert response.status_code == 422, response.content
    assert fields(response) == {field}
    assert Assessment.objects.get(pk=draft["id"]).revision == 1


def test_someone_elses_evidence_cannot_be_linked(engineer, org, draft):
    theirs = services.evidence_add(
        added_by=org.peer,
        person=org.peer,
        happened_on=datetime.date(2024, 5, 1),
        text="Mine.",
        criteria=[],
    )
    first = draft["criteria"][0]["criterion"]

    response = engineer.patch(
        f"assessments/{draft['id']}/",
        {"revision": 1, "criteria": [{"criterion": first, "evidence": [theirs.pk]}]},
    )

    assert response.status_code == 422
    assert fields(response) == {"body.criteria.0.evidence"}


@pytest.mark.parametrize(
    "body",
    [
        {"revision": 1, "criteria": [{"criterion": 1, "status": "brilliant"}]},
        {"revision": 0},
        {"revision": 2**31},
        {"revision": "one"},
        {"revision": 1, "ratings": [{"dimension": "Team Contributor", "rating": "high"}]},
    ],
)
def test_input_off_the_schema_is_a_422(engineer, draft, body):
    response = engineer.patch(f"assessments/{draft['id']}/", body)

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM


def test_half_a_character_in_a_comment_is_a_422_never_a_500(engineer, draft):
    first = draft["criteria"][0]["criterion"]
    body = {"revision": 1, "criteria": [{"criterion": first, "comment": "\udfff"}]}

    response = engineer.patch(f"assessments/{draft['id']}/", body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("criteria.0.comment")
    assert Assessment.objects.get(pk=draft["id"]).revision == 1


def test_submitting_an_incomplete_draft_says_what_is_missing(engineer, draft):
    response = engineer.post(f"assessments/{draft['id']}/submit/", {})

    assert response.status_code == 422
    assert "Before submitting, give a rating for" in response.json()["detail"]
    assert Assessment.objects.get(pk=draft["id"]).state == "draft"


def test_sharing_a_draft_is_a_409(engineer, draft):
    response = engineer.post(f"assessments/{draft['id']}/share/")

    assert response.status_code == 409
    assert "Submit this draft" in response.json()["detail"]


# -- starting ----------------------------------------------------------------------------------


def test_starting_again_answers_the_draft_already_begun(engineer, org, draft):
    again = start(engineer, org)

    assert again.status_code == 200
    assert again.json()["id"] == draft["id"]
    assert Assessment.objects.count() == 1


def test_a_level_that_is_not_current_or_next_is_a_422_naming_the_level(engineer, org):
    response = start(engineer, org, level="PE1")

    assert response.status_code == 422
    assert fields(response) == {"body.level"}
    assert "MD1" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_a_manager_assessment_is_started_by_a_manager_in_the_chain(api, org):
    assert start(api.as_(org.engineer.user), org, role="manager").status_code == 404
    assert start(api.as_(org.other_manager.user), org, role="manager").status_code == 404
    assert start(api.as_(org.admin.user), org, role="manager").status_code == 404

    response = start(api.as_(org.skip.user), org, role="manager")

    assert response.status_code == 201
    assert response.json()["author"]["id"] == org.skip.pk


def test_a_self_assessment_of_someone_else_is_a_404(api, org):
    assert start(api.as_(org.manager.user), org, role="self").status_code == 404


def test_a_role_that_does_not_exist_is_a_422(engineer, org):
    assert start(engineer, org, role="peer").status_code == 422


# -- who may read --------------------------------------------------------------------------------


def test_the_list_holds_what_the_reader_may_see(api, org, draft):
    shared = services.assessment_start(
        author=org.manager, person=org.engineer, level=org.levels["MD2"], role="manager"
    )
    Assessment.objects.filter(pk=shared.pk).update(state="shared", submitted_at=shared.created_at)
    url = f"people/{org.engineer.pk}/assessments/"

    mine = api.as_(org.engineer.user).get(url).json()["results"]
    managers = api.as_(org.manager.user).get(url).json()["results"]

    assert [a["id"] for a in mine] == [shared.pk, draft["id"]]  # newest first
    assert [a["id"] for a in managers] == [shared.pk]  # the engineer's draft is theirs alone
    assert api.as_(org.peer.user).get(url).status_code == 404


def test_the_list_runs_as_many_queries_for_twenty_assessments_as_for_two(api, org):
    engineer = api.as_(org.engineer.user)
    url = f"people/{org.engineer.pk}/assessments/"

    def queries_for(count: int) -> int:
        Assessment.objects.all().delete()
        for n in range(count):
            Assessment.objects.create(
                person=org.engineer,
                author=org.engineer,
                role="self",
                level=org.levels["MD2"],
                cycle=f"{2000 + n} H1",
            )
        engineer.get(url)  # a token's first use also records when it was used
        with CaptureQueriesContext(connection) as queries:
            response = engineer.get(url)
        assert len(response.json()["results"]) == count
        return len(queries)

    assert queries_for(2) == queries_for(20)


def test_an_id_past_any_that_exists_is_a_404_or_a_422_never_a_500(engineer):
    assert engineer.get(f"assessments/{2**63 - 1}/").status_code == 404
    assert engineer.get(f"assessments/{2**63}/").status_code == 422
    assert engineer.patch(f"assessments/{2**63 - 1}/", {"revision": 1}).status_code == 404


# -- the same audit events as the pages --------------------------------------------------------


def _event(action: str) -> dict:
    event = AuditEvent.objects.filter(action=action).latest("id")
    return {
        "actor": event.actor_id,
        "target": (event.target_type, event.target_label),
        "before": event.before,
        "after": event.after,
    }


def test_saving_submitting_and_sharing_record_what_the_pages_record(client, api, org):
    engineer = api.as_(org.engineer.user)  # making the token is audited too
    before = AuditEvent.objects.count()
    on_page = start_on_page(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    submit_on_page(client, on_page)
    client.post(f"/assessments/{on_page.pk}/share/")
    page_events = {
        action: _event(action) for action in ("assessment.submitted", "assessment.shared")
    }
    page_count = AuditEvent.objects.count() - before
    assert page_count == 2

    draft = start(engineer, org).json()
    url = f"assessments/{draft['id']}/"
    engineer.put(url, full_answers(draft))
    assert (
        AuditEvent.objects.count() == before + page_count
    )  # a draft's save records nothing, as on the page
    engineer.post(f"{url}submit/", {})
    engineer.post(f"{url}share/")

    assert draft["id"] != on_page.pk
    for action, recorded in page_events.items():
        assert _event(action) == recorded
    assert AuditEvent.objects.count() == before + 2 * page_count
