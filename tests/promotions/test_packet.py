"""The packet of a promotion case: assembled from what exists, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments import services as assessment_services
from ladder.assessments.adjustments import assessment_adjust
from ladder.assessments.models import Assessment, Evidence
from ladder.frameworks.services import ladder_import
from ladder.promotions import cases, permissions
from ladder.promotions.packet import packet_of
from tests.promotions.test_cases import assessed, cycle, opened, ready, shared, submitted

pytestmark = pytest.mark.django_db
__all__ = ["cycle", "ready"]  # fixtures


def packet(org, case):
    return packet_of(permissions.get_visible_case(org.admin.user, case.pk))


def test_a_ready_case_carries_every_reason_and_both_assessments_side_by_side(ready):
    case = opened(ready)

    result = packet(ready, case)

    assert result.is_ready and not result.gaps
    kinds = [reason.kind for reason in result.readiness.reasons]
    assert kinds == ["dimension"] * 3 + ["criteria", "experience"]
    assert result.manager_assessment.role == "manager"
    assert result.self_assessment.role == "self"
    rows = [row for section in result.sections for row in section.rows]
    assert len(rows) == ready.levels["MD2"].criteria.count()
    assert all(row.own.status == row.manager.status == "meets" for row in rows)
    assert [s.heading for s in result.sections] == [
        "Responsibilities",
        "Skills and Criteria",
        "Soft Skills and Collaboration",
    ]
    expected = ready.levels["MD2"].expected_ratings.by_dimension()
    assert {r.dimension: (r.expected, r.own, r.manager) for r in result.ratings} == {
        d: (rating, rating, rating) for d, rating in expected.items()
    }


def test_a_case_for_someone_not_ready_shows_the_unmet_reasons(org):
    assessed(org, below=1)
    case = opened(org, justification="Carried the team through the migration.")

    result = packet(org, case)

    assert not result.is_ready
    assert [gap.subject for gap in result.gaps] == ["Team Contributor"]
    assert result.opening_verdict == "Not yet ready"


def test_the_self_assessment_is_the_one_the_managers_rests_on(ready):
    first_self = Assessment.objects.get(role="self")
    # Shared after the manager's assessment: the manager never saw it.
    shared(ready.engineer, ready.engineer, ready.levels["MD2"], "self", status="exceeds")
    case = opened(ready)

    assert packet(ready, case).self_assessment == first_self


def test_evidence_tagged_to_a_criterion_or_linked_in_an_assessment_shows_beside_it(ready):
    md2 = ready.levels["MD2"]
    first, second = md2.criteria.order_by("position")[:2]
    tagged = assessment_services.evidence_add(
        added_by=ready.engineer,
        person=ready.engineer,
        happened_on=datetime.date(2025, 5, 1),
        text="Ran the incident review.",
        criteria=[first],
    )
    linked = Evidence.objects.create(
        person=ready.engineer,
        added_by=ready.manager,
        happened_on=datetime.date(2025, 6, 1),
        text="Paired with two juniors.",
    )
    review = Assessment.objects.get(role="manager")
    review.criteria.get(criterion=second).evidence.add(linked)
    case = opened(ready)

    rows = {row.criterion.pk: row for s in packet(ready, case).sections for row in s.rows}

    assert rows[first.pk].evidence == (tagged,)
    assert rows[second.pk].evidence == (linked,)


def test_the_assessments_keep_the_wording_of_their_ladder_version(ready, dotnet_text):
    old_text = ready.levels["MD2"].criteria.order_by("position").first().text
    ladder_import(
        source=dotnet_text.replace(old_text, "Reworded in version two."),
        source_name="dotnet.md",
        slug="dotnet",
    )
    case = opened(ready)

    result = packet(ready, case)

    texts = [row.criterion.text for s in result.sections for row in s.rows]
    assert old_text in texts and "Reworded in version two." not in texts
    assert result.criteria_level.version.number == 1


def test_level_history_with_time_in_level_and_the_plan_and_the_notes(ready):
    assessment_services.growth_plan_generate(by=None, person=ready.engineer)
    case = submitted(ready)
    cases.case_note_add(by_person=ready.skip, case=case, kind="endorsement", text="Yes.")

    result = packet(ready, case)

    (row,) = result.history
    assert row.assignment.level.code == "MD1" and row.assignment.start.year == 2023
    assert row.months >= 12 and "year" in row.words
    assert result.plan.target.code == "MD2" and result.plan_progress.total > 0
    assert [(n.author, n.kind) for n in result.notes] == [(ready.skip, "endorsement")]


def test_after_approval_the_packet_still_judges_from_the_level_it_was_opened_at(ready, cycle):
    case = submitted(ready)
    cases.case_decide(by=ready.admin.user, case=case, outcome="approved", feedback="Yes.")

    result = packet(ready, case)

    assert result.is_ready and result.as_of == timezone.localdate()
    assert [row.assignment.level.code for row in result.history] == ["MD2", "MD1"]
    assert result.history[0].upcoming  # effective on the cycle's date, still ahead
    assert result.plan.target.code == "SR1"


def declined(org):
    case = submitted(org, justification="Worth a look.")
    return cases.case_decide(by=org.admin.user, case=case, outcome="declined", feedback="Later.")


def test_a_decided_packet_keeps_the_assessments_shared_by_the_decision(ready):
    before = (Assessment.objects.get(role="self"), Assessment.objects.get(role="manager"))
    case = declined(ready)
    md2 = ready.levels["MD2"]
    # Shared after the decision: the next round's assessments, which the decision never saw.
    shared(ready.engineer, ready.engineer, md2, "self", status="exceeds")
    later = shared(ready.manager, ready.engineer, md2, "manager", below=1)

    result = packet(ready, case)

    assert (result.self_assessment, result.manager_assessment) == before
    assert result.is_ready and result.summary == "Ready for MD2."
    reopened = opened(ready, justification="Worth a look.")
    assert packet(ready, reopened).manager_assessment == later
    assert not packet(ready, reopened).is_ready


def test_a_case_decided_unassessed_stays_unassessed_when_an_assessment_comes_later(org):
    case = declined(org)
    assessed(org)

    result = packet(org, case)

    assert result.manager_assessment is None and result.self_assessment is None
    assert result.readiness.verdict == "not_assessed"


def test_beside_an_adjustment_is_the_self_assessment_the_original_rested_on(ready):
    first_self = Assessment.objects.get(role="self")
    original = Assessment.objects.get(role="manager")
    # Shared after the manager's assessment was submitted, before the committee adjusted it.
    shared(ready.engineer, ready.engineer, ready.levels["MD2"], "self", status="exceeds")
    adjusted = assessment_adjust(
        by=ready.admin.user,
        assessment=original,
        ratings={"Technical Leadership": 4},
        reason="Led the migration.",
    )
    case = opened(ready)

    result = packet(ready, case)

    assert result.manager_assessment == adjusted
    assert result.self_assessment == first_self


def test_not_assessed_reads_as_the_manager_summary_says_it(org):
    case = opened(org, justification="Carried the team through the migration.")

    result = packet(org, case)

    assert result.summary == result.readiness.manager_summary == "Not assessed against MD2 yet."


def test_a_packet_costs_the_same_queries_however_much_the_person_has(ready):
    case = submitted(ready)
    criteria = list(ready.levels["MD2"].criteria.all())
    review = Assessment.objects.get(role="manager")
    assessment_services.growth_plan_generate(by=None, person=ready.engineer)

    def add(count):
        for n in range(count):
            entry = Evidence.objects.create(
                person=ready.engineer,
                added_by=ready.engineer,
                happened_on=datetime.date(2025, 1, 1 + n),
                text=f"Entry {n}",
            )
            entry.criteria.set(criteria)
            cases.case_note_add(by_person=ready.skip, case=case, kind="comment", text=f"Note {n}")
        for item in review.criteria.all():
            item.evidence.set(Evidence.objects.all())

    def queries():
        loaded = permissions.get_visible_case(ready.admin.user, case.pk)
        with CaptureQueriesContext(connection) as captured:
            packet_of(loaded)
        return len(captured)

    add(1)
    one_of_each = queries()
    add(8)

    assert queries() == one_of_each
