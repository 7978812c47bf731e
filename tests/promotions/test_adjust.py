"""Calibration adjustments: a new assessment beside the manager's, read by readiness from then
on, audited with both; refused when there is nothing to record or no reason; only in calibration."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ladder.assessments.adjustments import assessment_adjust
from ladder.assessments.models import Assessment, CriterionAssessment, Evidence
from ladder.assessments.selectors import readiness_of, standing_of
from ladder.audit.models import AuditEvent
from ladder.promotions.models import ReviewCycle
from tests.assessments.test_repeated_requests import in_threads, postgresql_only
from tests.promotions.test_calibration_page import make_cycle, shared

pytestmark = pytest.mark.django_db

URL = "/cycles/{}/calibration/assessments/{}/adjust/"


@pytest.fixture
def cycle(org):
    return make_cycle(org)


@pytest.fixture
def original(org, cycle):
    """Oscar's shared assessment of the outsider against MD1: one below in Technical
    Leadership (1 of 2), so not yet ready."""
    return shared(
        org.outsider,
        org.levels["MD1"],
        "manager",
        {"Technical Leadership": 1},
        author=org.other_manager,
    )


def adjust(org, assessment, ratings=None, reason="Seen leading the migration.", **kwargs):
    return assessment_adjust(
        by=org.admin.user,
        assessment=assessment,
        ratings={"Technical Leadership": 2} if ratings is None else ratings,
        reason=reason,
        **kwargs,
    )


def readiness_now(org):
    today = timezone.localdate()
    standing = standing_of(org.outsider, today)
    return readiness_of(org.outsider, standing, org.levels["MD1"], today)


# -- the service ------------------------------------------------------------------------------


def test_an_adjustment_is_a_new_shared_assessment_beside_the_untouched_original(org, original):
    adjusted = adjust(org, original)

    assert adjusted.pk != original.pk
    assert (adjusted.person, adjusted.level, adjusted.author, adjusted.role) == (
        original.person,
        original.level,
        original.author,
        original.role,
    )
    assert adjusted.state == "shared" and adjusted.shared_at > original.shared_at
    assert adjusted.submitted_at is not None
    assert (adjusted.adjusts, adjusted.adjusted_by) == (original, org.admin.user)
    assert adjusted.adjustment_reason == "Seen leading the migration."
    assert adjusted.ratings.by_dimension() == {
        "Team Contributor": 3,
        "Technical Leadership": 2,
        "People Management": 1,
    }
    original.refresh_from_db()
    assert original.ratings.by_dimension()["Technical Leadership"] == 1
    assert original.state == "shared" and not original.adjusts_id


def test_criteria_comments_and_evidence_are_copied_with_statuses_changed_where_asked(org, original):
    first = original.criteria.first()
    evidence = Evidence.objects.create(
        person=org.outsider, added_by=org.other_manager, happened_on="2026-01-05", text="Led it."
    )
    first.evidence.add(evidence)
    CriterionAssessment.objects.filter(pk=first.pk).update(comment="Clear owner.")
    last = original.criteria.last()

    adjusted = adjust(org, original, statuses={last.criterion_id: "exceeds"})

    copies = adjusted.criteria.by_criterion()
    assert set(copies) == set(original.criteria.by_criterion())
    assert copies[first.criterion_id].comment == "Clear owner."
    assert list(copies[first.criterion_id].evidence.all()) == [evidence]
    assert copies[last.criterion_id].status == "exceeds"
    assert original.criteria.get(pk=last.pk).status == "meets"


def test_the_audit_log_keeps_the_original_and_the_adjusted_ratings_with_both_ids(org, original):
    adjusted = adjust(org, original)

    event = AuditEvent.objects.get(action="assessment.adjusted")
    assert event.target_id == str(adjusted.pk)
    assert event.actor == org.admin.user
    assert event.before["assessment"] == original.pk
    assert event.before["ratings"]["Technical Leadership"] == 1
    assert event.after["assessment"] == adjusted.pk and event.after["adjusts"] == original.pk
    assert event.after["ratings"]["Technical Leadership"] == 2
    assert event.after["reason"] == "Seen leading the migration."


def test_readiness_reads_the_adjusted_assessment(org, original):
    before, read_before = readiness_now(org)
    assert (before.verdict, read_before) == ("not_yet", original)

    adjusted = adjust(org, original)

    after, read_after = readiness_now(org)
    assert read_after == adjusted
    assert after.verdict == "ready"


def test_an_adjustment_can_itself_be_adjusted_but_the_original_no_longer(org, original):
    adjusted = adjust(org, original)

    again = adjust(org, adjusted, {"Technical Leadership": 3}, "Second look.")
    assert again.adjusts == adjusted

    with pytest.raises(ValidationError, match="no longer the one readiness reads"):
        adjust(org, original, {"Technical Leadership": 4})
    assert Assessment.objects.filter(person=org.outsider).count() == 3


@pytest.mark.parametrize(
    ("ratings", "reason", "message"),
    [
        ({"Technical Leadership": 1}, "Looked again.", "Nothing was changed"),
        ({}, "Looked again.", "Nothing was changed"),
        ({"Technical Leadership": 2}, "   ", "the reason is required"),
        (
            {"Technical Leadership": 6},
            "Why not.",
            "Technical Leadership: 6 is not on the scale 1 to 5",
        ),
        ({"Technical Leadership": 0}, "Why not.", "not on the scale 1 to 5"),
        ({"Technical Leadership": "3"}, "Why not.", "not on the scale"),
        ({"Charisma": 3}, "Why not.", "Charisma: this assessment has no such dimension"),
    ],
)
def test_an_adjustment_without_change_reason_or_on_scale_rating_is_refused(
    org, original, ratings, reason, message
):
    with pytest.raises(ValidationError, match=message):
        adjust(org, original, ratings, reason)

    assert Assessment.objects.filter(person=org.outsider).count() == 1
    assert not AuditEvent.objects.filter(action="assessment.adjusted").exists()


def test_an_unknown_status_is_refused(org, original):
    criterion = original.criteria.first().criterion_id

    with pytest.raises(ValidationError, match="Unknown status 'brilliant'"):
        adjust(org, original, statuses={criterion: "brilliant"})


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_an_assessment_not_yet_shared_is_refused(org, original, state):
    Assessment.objects.filter(pk=original.pk).update(state=state)

    with pytest.raises(ValidationError, match="Only a shared manager assessment"):
        adjust(org, original)


def test_a_self_assessment_is_refused(org, cycle):
    own = shared(org.outsider, org.levels["MD1"], "self", {"Technical Leadership": 1})

    with pytest.raises(ValidationError, match="a self-assessment is not"):
        adjust(org, own)


# -- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "committee"])
def test_admins_and_the_committee_see_the_form_in_calibration(client, org, cycle, original, who):
    user = cycle.committee_member.user if who == "committee" else org.admin.user
    client.force_login(user)

    response = client.get(URL.format(cycle.pk, original.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Adjust Olga Outside" in html and 'name="reason"' in html
    assert '<option value="1" selected>1</option>' in html


@pytest.mark.parametrize("who", ["manager", "skip", "other_manager", "engineer", "outsider"])
def test_nobody_else_finds_the_form(client, org, cycle, original, who):
    client.force_login(getattr(org, who).user)

    url = URL.format(cycle.pk, original.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "rating-1": "2"}).status_code == 404
    assert Assessment.objects.count() == 1


def test_outside_the_calibration_stage_there_is_no_form(client, org, cycle, original):
    client.force_login(org.admin.user)
    for stage in ("open", "closed"):
        ReviewCycle.objects.filter(pk=cycle.pk).update(stage=stage)
        assert client.get(URL.format(cycle.pk, original.pk)).status_code == 404


def test_an_assessment_of_someone_outside_the_cycle_or_a_self_assessment_is_not_found(
    client, org, cycle
):
    outside = shared(org.manager, org.levels["TL2"], "manager", author=org.skip)
    own = shared(org.outsider, org.levels["MD1"], "self")
    client.force_login(org.admin.user)

    assert client.get(URL.format(cycle.pk, outside.pk)).status_code == 404
    assert client.get(URL.format(cycle.pk, own.pk)).status_code == 404
    assert client.get(URL.format(cycle.pk, 999999)).status_code == 404


def form_data(assessment, **changes):
    data = {f"rating-{r.position}": str(r.rating) for r in assessment.ratings.all()}
    data |= {f"status-{c.criterion_id}": c.status for c in assessment.criteria.all()}
    data["reason"] = "Seen leading the migration."
    return data | changes


def test_posting_the_form_records_the_adjustment_and_returns_to_calibration(
    client, org, cycle, original
):
    client.force_login(cycle.committee_member.user)
    position = original.ratings.get(dimension="Technical Leadership").position

    response = client.post(
        URL.format(cycle.pk, original.pk), form_data(original, **{f"rating-{position}": "2"})
    )

    assert response.status_code == 302
    assert response["Location"] == f"/cycles/{cycle.pk}/calibration/"
    adjusted = Assessment.objects.get(adjusts=original)
    assert adjusted.ratings.by_dimension()["Technical Leadership"] == 2
    assert adjusted.adjusted_by == cycle.committee_member.user
    page = client.get(response["Location"])
    olga = next(row for row in page.context["rows"] if row.name == "Olga Outside")
    assert (olga.manager_assessment_id, olga.verdict) == (adjusted.pk, "ready")


def test_a_refused_post_says_why_and_keeps_what_was_typed(client, org, cycle, original):
    client.force_login(org.admin.user)

    unchanged = client.post(URL.format(cycle.pk, original.pk), form_data(original))
    no_reason = client.post(URL.format(cycle.pk, original.pk), form_data(original, reason=""))

    assert unchanged.status_code == 400
    assert "Nothing was changed" in unchanged.content.decode()
    assert no_reason.status_code == 400
    assert "This field is required." in no_reason.content.decode()
    assert Assessment.objects.count() == 1


def test_a_rating_off_the_scale_is_refused_by_the_form(client, org, cycle, original):
    client.force_login(org.admin.user)

    response = client.post(
        URL.format(cycle.pk, original.pk), form_data(original, **{"rating-1": "9"})
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Assessment.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_adjustments_of_one_assessment_record_one(org):
    cycle = make_cycle(org)
    original = shared(
        org.outsider,
        org.levels["MD1"],
        "manager",
        {"Technical Leadership": 1},
        author=org.other_manager,
    )
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(org.admin.user)
    position = original.ratings.get(dimension="Technical Leadership").position
    data = form_data(original, **{f"rating-{position}": "2"})

    responses = in_threads(
        *(lambda c=c: c.post(URL.format(cycle.pk, original.pk), data) for c in clients)
    )

    assert sorted(r.status_code for r in responses) == [302, 400]
    assert Assessment.objects.filter(adjusts=original).count() == 1
    assert AuditEvent.objects.filter(action="assessment.adjusted").count() == 1
