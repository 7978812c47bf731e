"""Promotion cases through their services: opening, drafting, submitting, notes and decisions.

The fixtures here (a shared assessment, a running cycle with a committee, a case) are used by
the packet, page and PDF tests too.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ladder.assessments import services as assessment_services
from ladder.assessments.models import Assessment, GrowthItem, GrowthPlan
from ladder.assessments.selectors import standing_of
from ladder.audit.models import AuditEvent
from ladder.notifications.models import OutgoingMail
from ladder.people.models import LevelAssignment
from ladder.people.tree import rebuild_paths
from ladder.promotions import cases
from ladder.promotions.models import CaseNote, CycleMember, PromotionCase, ReviewCycle
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def shared(author, person, level, role, *, status="meets", below=0):
    """An assessment of `person` against `level`, every criterion at `status`, every dimension
    rated as the level expects but the first, `below` under it; submitted and shared."""
    assessment = assessment_services.assessment_start(
        author=author, person=person, level=level, role=role
    )
    expected = level.expected_ratings.by_dimension()
    first = next(iter(expected))
    assessment_services.assessment_save(
        author=author,
        assessment=assessment,
        revision=assessment.revision,
        summary="",
        ratings={d: rating - (below if d == first else 0) for d, rating in expected.items()},
        criteria={
            item.criterion_id: assessment_services.CriterionInput(status, "", [])
            for item in assessment.criteria.all()
        },
    )
    assessment_services.assessment_submit(author=author, assessment=assessment)
    return assessment_services.assessment_share(author=author, assessment=assessment)


def assessed(org, *, status="meets", below=0):
    """The engineer's self-assessment and their manager's, against MD2, shared."""
    md2 = org.levels["MD2"]
    own = shared(org.engineer, org.engineer, md2, Assessment.Role.SELF, status=status)
    manager = shared(org.manager, org.engineer, md2, "manager", status=status, below=below)
    return own, manager


@pytest.fixture
def ready(org):
    """The engineer, MD1 since 2023, assessed by their manager as meeting all of MD2."""
    assessed(org)
    return org


@pytest.fixture
def cycle(org):
    """A running cycle with the engineer and the peer in it, and a committee of one: Cora, who
    is nobody's manager and no one's report."""
    org.committee = make_person("Cora Committee", "cora@example.com")
    rebuild_paths()
    org.committee.refresh_from_db()
    running = ReviewCycle.objects.create(
        name="2026 round",
        ladder=org.levels["MD2"].version.ladder,
        stage=ReviewCycle.Stage.CALIBRATION,
        self_due=TODAY - datetime.timedelta(days=30),
        manager_due=TODAY - datetime.timedelta(days=20),
        calibration_on=TODAY,
        effective_on=TODAY + datetime.timedelta(days=30),
        opened_at=timezone.now() - datetime.timedelta(days=40),
    )
    running.committee.add(org.committee)
    for person in (org.engineer, org.peer):
        CycleMember.objects.create(
            cycle=running, person=person, target=org.levels["MD2"], manager=org.manager
        )
    org.cycle = running
    return running


def opened(org, **overrides):
    fields = {
        "by": org.manager.user,
        "person": org.engineer,
        "to_level": org.levels["MD2"],
        "recommendation": "Eve has led the payments rewrite.",
    }
    return cases.case_open(**{**fields, **overrides})


def submitted(org, **overrides):
    return cases.case_submit(by=org.manager.user, case=opened(org, **overrides))


# -- opening ------------------------------------------------------------------------------------


def test_a_manager_opens_a_draft_for_a_ready_report_in_their_running_cycle(ready, cycle):
    case = opened(ready)

    assert (case.state, case.from_level.code, case.to_level.code) == ("draft", "MD1", "MD2")
    assert case.cycle == cycle and case.verdict_at_opening == "ready"
    assert case.opened_by == ready.manager.user
    event = AuditEvent.objects.get(action="case.opened")
    assert event.after["to"] == "MD2" and event.after["cycle"] == "2026 round"


def test_outside_any_cycle_the_case_is_an_off_cycle_promotion(ready):
    assert opened(ready).cycle is None


def test_someone_in_a_running_cycle_may_be_promoted_off_cycle_when_the_opener_says_so(ready, cycle):
    case = opened(ready, off_cycle=True)

    assert case.cycle is None
    assert AuditEvent.objects.get(action="case.opened").after["cycle"] is None


def test_a_case_is_in_a_cycle_or_off_cycle_never_both(ready, cycle):
    with pytest.raises(ValidationError) as error:
        opened(ready, cycle=cycle, off_cycle=True)

    assert error.value.message_dict == {
        "cycle": ["A case is in a review cycle or off-cycle, not both: choose one."]
    }
    assert not PromotionCase.objects.exists()


def test_an_admin_may_open_a_case_but_not_a_peer_the_skip_level_may_too(ready):
    assert opened(ready, by=ready.admin.user)
    PromotionCase.objects.all().delete()
    for who in (ready.peer, ready.other_manager, ready.engineer):
        with pytest.raises(ValidationError, match="manager in the person's chain or an admin"):
            opened(ready, by=who.user)
    assert opened(ready, by=ready.skip.user)


def test_the_level_must_be_one_of_the_persons_next_levels(ready):
    with pytest.raises(ValidationError) as error:
        opened(ready, to_level=ready.levels["SR1"])

    assert error.value.message_dict["to_level"] == [
        "SR1 is not a next level of Eve Engineer (next levels: MD2)."
    ]


def test_someone_not_ready_needs_a_justification_naming_what_is_unmet(org):
    assessed(org, below=1)

    with pytest.raises(ValidationError) as error:
        opened(org)

    message = error.value.message_dict["justification"][0]
    assert message.startswith("Eve Engineer is not ready for MD2: Team Contributor is rated")
    assert message.endswith("Say why you recommend the promotion anyway.")
    case = opened(org, justification="Ratings lag the work: the rewrite shipped in May.")
    assert case.verdict_at_opening == "not_yet"


def test_someone_never_assessed_against_the_level_needs_a_justification_too(org):
    with pytest.raises(ValidationError, match="no manager assessment against MD2 has been shared"):
        opened(org)


def test_one_open_case_per_person_kept_by_the_database_with_a_message_naming_it(ready):
    opened(ready)

    with pytest.raises(
        ValidationError, match=r"already has an open promotion case \(for MD2, draft"
    ):
        opened(ready, by=ready.admin.user)
    assert PromotionCase.objects.count() == 1


def test_a_chosen_cycle_must_be_running_and_hold_the_person(ready, cycle):
    cycle.stage = ReviewCycle.Stage.CLOSED
    cycle.save()
    with pytest.raises(ValidationError, match="2026 round is closed, not running"):
        opened(ready, cycle=cycle)
    cycle.stage = ReviewCycle.Stage.OPEN
    cycle.save()
    CycleMember.objects.filter(person=ready.engineer).delete()
    with pytest.raises(ValidationError, match="Eve Engineer is not in 2026 round"):
        opened(ready, cycle=cycle)


def test_a_nul_or_control_character_is_refused_naming_the_field(ready):
    with pytest.raises(ValidationError) as error:
        opened(ready, recommendation="Strong\x00 work")
    assert "control character" in error.value.message_dict["recommendation"][0]


# -- drafting and submitting ---------------------------------------------------------------------


def test_a_draft_changes_and_is_audited_then_submitting_freezes_it(ready):
    case = opened(ready)
    cases.case_update(
        by=ready.manager.user,
        case=case,
        to_level=ready.levels["MD2"],
        recommendation="Rewritten.",
        justification="",
    )
    case = cases.case_submit(by=ready.manager.user, case=case)

    assert case.state == "submitted" and case.submitted_at is not None
    with pytest.raises(ValidationError, match="only a draft can change"):
        cases.case_update(
            by=ready.manager.user, case=case, to_level=ready.levels["MD2"], recommendation="x"
        )
    with pytest.raises(ValidationError, match="already submitted on"):
        cases.case_submit(by=ready.manager.user, case=case)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["case.opened", "case.updated", "case.submitted"]


def test_submitting_judges_readiness_again(ready):
    case = opened(ready)
    # A later assessment finds a gap: the case must now say why.
    shared(ready.manager, ready.engineer, ready.levels["MD2"], "manager", below=1)

    with pytest.raises(ValidationError, match="Say why you recommend the promotion anyway"):
        cases.case_submit(by=ready.manager.user, case=case)


# -- skip-level notes ----------------------------------------------------------------------------


def test_the_skip_level_endorses_or_comments_before_the_decision(ready):
    case = submitted(ready)

    note = cases.case_note_add(by_person=ready.skip, case=case, kind="endorsement", text="")
    assert note.author == ready.skip and AuditEvent.objects.filter(action="case.noted").exists()
    with pytest.raises(ValidationError) as error:
        cases.case_note_add(by_person=ready.skip, case=case, kind="comment", text=" ")
    assert error.value.message_dict == {"text": ["Write the comment."]}
    for who in (ready.manager, ready.peer, ready.other_manager, ready.engineer):
        with pytest.raises(ValidationError, match="manager above the person's own manager"):
            cases.case_note_add(by_person=who, case=case, kind="comment", text="Hi")


def test_no_note_after_the_decision(ready):
    case = submitted(ready)
    cases.case_decide(by=ready.admin.user, case=case, outcome="deferred", feedback="Next round.")

    with pytest.raises(ValidationError, match="notes are added before the decision"):
        cases.case_note_add(by_person=ready.skip, case=case, kind="comment", text="Late")
    assert not CaseNote.objects.exists()


# -- deciding ------------------------------------------------------------------------------------


def promotions_of(person):
    return LevelAssignment.objects.filter(person=person, reason="promotion")


def test_approving_writes_the_level_from_the_cycles_date_audited_and_mailed(ready, cycle):
    case = submitted(ready)

    case = cases.case_decide(
        by=ready.committee.user, case=case, outcome="approved", feedback="Well earned."
    )

    assert (case.state, case.effective_on, case.decided_by) == (
        "approved",
        cycle.effective_on,
        ready.committee.user,
    )
    (promotion,) = promotions_of(ready.engineer)
    assert (promotion.level.code, promotion.start) == ("MD2", cycle.effective_on)
    assert LevelAssignment.objects.get(person=ready.engineer, level__code="MD1").end == (
        cycle.effective_on
    )
    event = AuditEvent.objects.get(action="case.approved")
    assert event.after["level"] == "MD2" and event.after["feedback"] == "Well earned."
    assert AuditEvent.objects.filter(action="level.assigned", target_id=ready.engineer.pk).exists()
    mails = OutgoingMail.objects.filter(kind="case_decided")
    assert sorted(mails.values_list("to", flat=True)) == ["eve@example.com", "mia@example.com"]


def test_approving_twice_writes_one_level_change_and_says_who_decided(ready, cycle):
    case = submitted(ready)
    cases.case_decide(by=ready.committee.user, case=case, outcome="approved", feedback="Yes.")

    with pytest.raises(cases.CaseAlreadyDecided) as error:
        cases.case_decide(by=ready.admin.user, case=case, outcome="approved", feedback="Yes!")

    day = timezone.localdate()
    assert error.value.messages == [
        f"This case was already decided: approved by Cora Committee on "
        f"{day.day} {day:%B} {day.year}."
    ]
    assert promotions_of(ready.engineer).count() == 1
    assert AuditEvent.objects.filter(action="case.approved").count() == 1
    assert OutgoingMail.objects.filter(kind="case_decided").count() == 2


def test_an_off_cycle_approval_needs_its_date_and_only_an_admin_decides_it(ready):
    case = submitted(ready)
    with pytest.raises(ValidationError) as error:
        cases.case_decide(by=ready.admin.user, case=case, outcome="approved", feedback="Yes.")
    assert error.value.message_dict == {
        "effective_on": ["An off-cycle promotion needs the date it takes effect."]
    }
    for who in (ready.manager, ready.skip):
        with pytest.raises(ValidationError, match="admin or the cycle's committee"):
            cases.case_decide(by=who.user, case=case, outcome="approved", feedback="Yes.")

    day = datetime.date(2026, 1, 1)
    cases.case_decide(
        by=ready.admin.user, case=case, outcome="approved", feedback="Yes.", effective_on=day
    )

    assert promotions_of(ready.engineer).get().start == day


def test_the_committee_decides_only_its_cycles_cases_and_never_their_own(ready, cycle):
    case = submitted(ready)
    cycle.committee.add(ready.engineer)

    with pytest.raises(ValidationError, match="admin or the cycle's committee"):
        cases.case_decide(by=ready.engineer.user, case=case, outcome="approved", feedback="Me!")
    assert not promotions_of(ready.engineer).exists()


def test_a_draft_is_not_decided_and_feedback_is_required(ready):
    case = opened(ready)
    with pytest.raises(ValidationError, match="still a draft"):
        cases.case_decide(by=ready.admin.user, case=case, outcome="declined", feedback="No.")
    case = cases.case_submit(by=ready.manager.user, case=case)
    with pytest.raises(ValidationError) as error:
        cases.case_decide(by=ready.admin.user, case=case, outcome="declined", feedback="  ")
    assert error.value.message_dict == {"feedback": ["Write the feedback: the person reads it."]}
    case.refresh_from_db()
    assert case.state == "submitted"


def test_declining_turns_each_line_of_feedback_into_a_plan_item_for_the_same_level(ready):
    case = submitted(ready)
    feedback = "Not this time.\n\n- Lead one design review\n2. Mentor a new joiner\n"

    cases.case_decide(by=ready.admin.user, case=case, outcome="declined", feedback=feedback)

    plan = GrowthPlan.objects.get(person=ready.engineer)
    assert plan.target.code == "MD2"
    written = plan.items.filter(kind="next_action", edited=True).order_by("position")
    assert [item.title for item in written] == [
        "Not this time.",
        "Lead one design review",
        "Mentor a new joiner",
    ]
    # A regeneration keeps them: no gap would make them again.
    assessment_services.growth_plan_generate(by=None, person=ready.engineer)
    assert plan.items.filter(title="Mentor a new joiner").exists()
    assert not promotions_of(ready.engineer).exists()
    assert AuditEvent.objects.filter(action="case.declined").count() == 1


def test_deferring_keeps_the_plan_on_the_same_level_and_writes_no_level(ready):
    case = submitted(ready)

    cases.case_decide(by=ready.admin.user, case=case, outcome="deferred", feedback="In June.")

    assert GrowthPlan.objects.get(person=ready.engineer).target.code == "MD2"
    assert not promotions_of(ready.engineer).exists()
    assert AuditEvent.objects.filter(action="case.deferred").count() == 1


def test_after_an_approval_effective_later_the_plan_targets_the_level_after_the_new_one(
    ready, cycle
):
    assessment_services.growth_plan_generate(by=None, person=ready.engineer)
    assert GrowthPlan.objects.get(person=ready.engineer).target.code == "MD2"
    case = submitted(ready)

    cases.case_decide(by=ready.committee.user, case=case, outcome="approved", feedback="Yes.")

    assert cycle.effective_on > timezone.localdate()  # the new level starts in the future
    assert GrowthPlan.objects.get(person=ready.engineer).target.code == "SR1"
    assert standing_of(ready.engineer, timezone.localdate()).current.code == "MD2"


def test_an_approval_is_refused_when_the_persons_level_moved_since_the_case_was_opened(ready):
    case = submitted(ready)
    LevelAssignment.objects.filter(person=ready.engineer).update(level=ready.levels["MD2"])

    with pytest.raises(ValidationError, match="is now at MD2, no longer MD1"):
        cases.case_decide(
            by=ready.admin.user,
            case=case,
            outcome="approved",
            feedback="Yes.",
            effective_on=TODAY,
        )
    case.refresh_from_db()
    assert case.state == "submitted"
    assert not OutgoingMail.objects.filter(kind="case_decided").exists()


def test_feedback_lines_lose_their_bullets_and_blank_lines():
    assert cases.feedback_items("* one\n\n  - two  \n3) three\nfour") == [
        "one",
        "two",
        "three",
        "four",
    ]


def test_added_plan_items_are_not_doubled(ready):
    assessment_services.growth_plan_add_items(person=ready.engineer, texts=["A", "A", " "])
    assessment_services.growth_plan_add_items(person=ready.engineer, texts=["A", "B"])

    items = GrowthItem.objects.filter(plan__person=ready.engineer, edited=True)
    assert sorted(items.values_list("title", flat=True)) == ["A", "B"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL's row locks"
)
def test_two_approvals_at_once_write_one_level_change(org):
    # Committed for real, so that each thread sees the case and waits on the other's lock.
    assessed(org)
    case = submitted(org)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve():
        try:
            barrier.wait(timeout=10)
            cases.case_decide(
                by=org.admin.user,
                case=case,
                outcome="approved",
                feedback="Yes.",
                effective_on=TODAY,
            )
            outcomes.append("approved")
        except cases.CaseAlreadyDecided:
            outcomes.append("already decided")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already decided", "approved"]
    assert promotions_of(org.engineer).count() == 1
    assert AuditEvent.objects.filter(action="case.approved").count() == 1
