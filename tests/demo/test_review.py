"""The demo's review round: a cycle in calibration, dated around today, with a committee, tasks
in every state, reminders already sent, promotion cases in every state decided through the
services, a calibration adjustment, and the demo manager's case to submit."""

import datetime
import io
import re
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ladder.assessments.models import Assessment, GrowthItem
from ladder.assessments.selectors import readiness_of, standing_of
from ladder.audit.models import AuditEvent
from ladder.demo.organisation import MANAGER_EMAIL, demo_organisation_create
from ladder.notifications.models import OutgoingMail
from ladder.people.models import LevelAssignment, Person
from ladder.promotions.models import CaseNote, CycleMember, PromotionCase, ReviewCycle
from ladder.promotions.permissions import is_committee, may_decide_case, may_edit_case
from ladder.promotions.selectors import Progress, members_of, tasks_of

pytestmark = pytest.mark.django_db

N = 200


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    # What runs once the build commits runs here too: mail queued for then must find nothing
    # left to send.
    with django_capture_on_commit_callbacks(execute=True):
        return demo_organisation_create(people=N, seed=1)


def the_cycle() -> ReviewCycle:
    return ReviewCycle.objects.prefetch_related("committee").get()


def tasks(cycle: ReviewCycle) -> dict:
    return tasks_of(cycle, list(members_of(cycle)))


def moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_round_is_in_calibration_today_with_its_due_dates_past_and_decisions_next_month(demo):
    cycle = the_cycle()
    today = timezone.localdate()

    assert cycle.stage == ReviewCycle.Stage.CALIBRATION and cycle == demo.review.cycle
    assert cycle.created_at < cycle.opened_at < moment(cycle.self_due, 0)
    assert cycle.self_due < cycle.manager_due < today == cycle.calibration_on
    assert cycle.effective_on == (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    assert cycle.closed_at is None and cycle.scope == ReviewCycle.Scope.EVERYONE
    actions = set(
        AuditEvent.objects.filter(target_type="reviewcycle").values_list("action", flat=True)
    )
    assert {"cycle.created", "cycle.opened", "cycle.calibration"} <= actions
    # Everyone with a level to aim at is in it, since the day it opened.
    members = CycleMember.objects.filter(cycle=cycle)
    assert members.count() == demo.review.members >= 0.9 * N
    assert set(members.values_list("added_at", flat=True)) == {cycle.opened_at}


def test_a_committee_of_two_or_three_senior_people_with_the_demo_manager(demo):
    cycle = the_cycle()
    committee = list(cycle.committee.all())
    manager = Person.objects.get(email=MANAGER_EMAIL)

    assert 2 <= len(committee) <= 3 and manager in committee
    assert sorted(demo.review.committee) == sorted(person.email for person in committee)
    current = dict(
        LevelAssignment.objects.filter(end=None, person__in=committee).values_list(
            "person", "level__number"
        )
    )
    assert all(current.get(person.pk, 99) >= 6 for person in committee)  # SR2 and above
    assert not PromotionCase.objects.filter(person__in=committee).exists()
    assert is_committee(manager.user, cycle)


def test_tasks_are_in_a_spread_of_states_and_their_assessments_belong_to_the_round(demo):
    cycle = the_cycle()
    found = tasks(cycle)
    selves = Counter(task.self_progress for task in found.values())
    managers = Counter(task.manager_progress for task in found.values())

    assert set(selves) == set(Progress) and set(managers) == set(Progress)
    assert selves[Progress.SHARED] >= 0.6 * len(found)
    assert managers[Progress.SHARED] >= 0.5 * len(found)
    today = timezone.localdate()
    assert 0 < sum(task.is_overdue(today) for task in found.values()) < 0.5 * len(found)
    for task in found.values():
        for ref in (task.self_assessment, task.manager_assessment):
            if ref is not None:
                assessment = Assessment.objects.select_related("level").get(pk=ref.pk)
                assert assessment.created_at > cycle.opened_at
                assert assessment.level.code == task.member.target.code
    # The round before this one was finished; its assessments belong to no task here.
    earlier = Assessment.objects.filter(created_at__lt=cycle.opened_at)
    assert earlier.exists() and not earlier.exclude(state="shared").exists()


def test_cases_in_every_state_through_the_services(demo):
    cycle = the_cycle()
    cases = PromotionCase.objects.select_related("person", "from_level", "to_level")

    assert set(cases.values_list("state", flat=True)) == set(PromotionCase.State.values)
    assert dict(Counter(cases.values_list("state", flat=True))) == demo.review.cases
    today = timezone.localdate()
    for case in cases:
        assert case.cycle == cycle and case.recommendation
        shared = Assessment.objects.filter(
            person=case.person, role="manager", state="shared", level=case.to_level, adjusts=None
        ).latest("shared_at")
        # Opened after the manager shared the assessment it rests on, before calibration.
        assert shared.shared_at <= case.created_at < moment(today, 0)
        if case.verdict_at_opening != "ready":
            assert case.justification
        if case.state == "draft":
            assert case.submitted_at is None
            continue
        assert case.created_at <= case.submitted_at < moment(today, 0)
        if case.state == "submitted":
            assert case.decided_at is None
            continue
        assert case.submitted_at < case.decided_at and case.feedback and case.decided_by
        actions = AuditEvent.objects.filter(target_type="promotioncase", target_id=str(case.pk))
        assert f"case.{case.state}" in set(actions.values_list("action", flat=True))


def test_approving_wrote_the_promotion_from_the_cycles_date_and_moved_the_plan_on(demo):
    cycle = the_cycle()
    today = timezone.localdate()
    approved = PromotionCase.objects.filter(state="approved").select_related("person", "to_level")
    assert approved.exists()
    for case in approved:
        current = LevelAssignment.objects.get(person=case.person, end=None)
        assert (current.level, current.start, current.reason) == (
            case.to_level,
            cycle.effective_on,
            "promotion",
        )
        assert case.effective_on == cycle.effective_on
        standing = standing_of(case.person, today)
        plan = case.person.growth_plan
        assert plan.target == (standing.next_levels[0] if standing.next_levels else None)


def test_declining_turned_the_feedback_into_plan_items_for_the_same_level(demo):
    declined = PromotionCase.objects.filter(state="declined").select_related("person", "to_level")
    assert declined.exists()
    for case in declined:
        plan = case.person.growth_plan
        assert plan.target.code == case.to_level.code
        lines = [line.strip() for line in case.feedback.splitlines() if line.strip()]
        titles = set(plan.items.values_list("title", flat=True))
        assert set(lines) <= titles


def test_the_demo_manager_holds_a_draft_case_of_a_ready_report_to_submit(demo):
    manager = Person.objects.select_related("user").get(email=MANAGER_EMAIL)
    draft = PromotionCase.objects.select_related("person", "to_level").get(
        person__manager=manager, state="draft"
    )
    today = timezone.localdate()

    assert draft == demo.review.manager_draft and draft.opened_by == manager.user
    assert may_edit_case(manager.user, draft)
    readiness, _ = readiness_of(
        draft.person, standing_of(draft.person, today), draft.to_level, today
    )
    assert readiness.verdict == "ready" == draft.verdict_at_opening
    assert draft.cycle == the_cycle()


def test_the_committee_member_who_signs_in_has_cases_to_decide(demo):
    manager = Person.objects.select_related("user").get(email=MANAGER_EMAIL)
    submitted = PromotionCase.objects.filter(state="submitted").select_related("person", "cycle")

    assert any(may_decide_case(manager.user, case) for case in submitted)
    # The committee member decided the cases outside their own organisation.
    decided_by_them = PromotionCase.objects.filter(decided_by=manager.user)
    assert all(not case.person.is_report_of(manager) for case in decided_by_them)


def test_a_rating_was_adjusted_in_calibration_keeping_the_original(demo):
    adjusted = Assessment.objects.filter(adjusts__isnull=False).select_related("adjusts")
    cycle = the_cycle()

    assert adjusted.count() == demo.review.adjustments == 1
    (adjustment,) = adjusted
    assert adjustment.adjustment_reason and adjustment.adjusted_by is not None
    assert adjustment.created_at > cycle.opened_at and adjustment.state == "shared"
    before = adjustment.adjusts.ratings.by_dimension()
    after = adjustment.ratings.by_dimension()
    assert [dimension for dimension in before if before[dimension] != after[dimension]] != []
    assert sum(before.values()) - sum(after.values()) == 1


def test_the_outbox_shows_the_rounds_mail_sent_and_none_was_delivered(demo):
    cycle = the_cycle()
    sent = OutgoingMail.objects.all()

    assert not OutgoingMail.objects.pending().exists()
    assert mail.outbox == []  # recorded as sent, never handed to a mail backend
    kinds = Counter(sent.values_list("kind", flat=True))
    assert kinds == demo.review.mails
    assert kinds["cycle_opened"] == demo.review.members
    decided = PromotionCase.objects.decided().count()
    assert decided * 1 <= kinds["case_decided"] <= decided * 2
    opened = sent.filter(kind="cycle_opened")
    assert set(opened.values_list("sent_at", flat=True)) == {
        cycle.opened_at + datetime.timedelta(minutes=5)
    }


def test_reminders_went_out_each_morning_around_the_due_dates_to_those_not_done(demo):
    cycle = the_cycle()
    reminders = OutgoingMail.objects.filter(kind="reminder")
    days = {
        cycle.self_due - datetime.timedelta(days=3),
        cycle.self_due + datetime.timedelta(days=1),
        cycle.manager_due - datetime.timedelta(days=3),
        cycle.manager_due + datetime.timedelta(days=1),
    }

    assert {timezone.localdate(at) for at in reminders.values_list("sent_at", flat=True)} == days
    assert all(at.hour == 7 for at in reminders.values_list("sent_at", flat=True))
    found = tasks(cycle)
    not_done = {
        task.member.person.email for task in found.values() if not task.self_progress.is_done
    }
    own = reminders.filter(key__contains=":self_due:")
    assert set(own.values_list("to", flat=True)) == not_done
    overdue = own.filter(key__contains=":after:")
    assert overdue.count() == len(not_done)
    assert all(
        subject.startswith("Overdue") for subject in overdue.values_list("subject", flat=True)
    )


def test_skip_level_endorsements_came_before_the_decision(demo):
    notes = CaseNote.objects.select_related("case")
    for note in notes:
        assert note.case.submitted_at < note.created_at <= timezone.now()
        assert note.case.decided_at is None or note.created_at < note.case.decided_at


def test_plans_items_from_the_round_are_never_due_before_the_plan(demo):
    items = GrowthItem.objects.select_related("plan").exclude(due=None)
    assert all(item.due > timezone.localdate(item.plan.generated_at) for item in items)


def test_a_second_build_runs_a_round_of_its_own_organisation():
    first = demo_organisation_create(people=40, seed=0).review
    second = demo_organisation_create(people=40, seed=0).review

    assert second.cycle.name == f"{first.cycle.name} (2)"
    assert second.cycle.scope == ReviewCycle.Scope.SUBTREE
    members = Person.objects.filter(cycle_memberships__cycle=second.cycle)
    assert members.count() == second.members > 0
    assert all(person.is_report_of(second.cycle.subtree_of) for person in members)
    assert second.manager_draft is None  # the demo manager is the first organisation's
    assert not OutgoingMail.objects.pending().exists()


class Undone(Exception):
    pass


def round_of(seed: int, people: int) -> dict:
    """The round a fresh demo builds, by names and dates, then rolled back."""
    try:
        with transaction.atomic():
            demo_organisation_create(people=people, seed=seed)
            cycle = the_cycle()
            found = tasks(cycle)
            result = {
                "cycle": (cycle.name, cycle.opened_at, cycle.self_due, cycle.effective_on),
                "committee": sorted(person.name for person in cycle.committee.all()),
                "tasks": sorted(
                    (t.member.person.name, t.self_progress, t.manager_progress)
                    for t in found.values()
                ),
                "cases": sorted(
                    (c.person.name, c.to_level.code, c.state, c.created_at, c.submitted_at)
                    for c in PromotionCase.objects.select_related("person", "to_level")
                ),
                "reminders": sorted(
                    OutgoingMail.objects.filter(kind="reminder").values_list("to", "subject")
                ),
                "adjusted": sorted(
                    Assessment.objects.exclude(adjusts=None).values_list(
                        "person__name", "adjustment_reason"
                    )
                ),
            }
            raise Undone
    except Undone:
        return result


def test_the_same_seed_builds_the_same_round_and_another_seed_another():
    first = round_of(3, 120)

    assert round_of(3, 120) == first
    assert round_of(4, 120)["cases"] != first["cases"]


def test_the_command_reports_the_round_and_prints_no_mail(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed-demo", "--people", "40", stdout=out)

    text = out.getvalue()
    cycle = the_cycle()
    assert f"Review cycle: {cycle.name}, in calibration, with " in text
    (cases,) = re.findall(r"; cases ([^;]*);", text)
    assert re.fullmatch(
        r"\d+ draft, \d+ submitted, \d+ approved, \d+ declined, \d+ deferred", cases
    )
    assert " recorded as sent (" in text and "none delivered" in text
    assert f"{MANAGER_EMAIL} sits on the committee and has a draft case to submit for " in text
    assert "Subject:" not in text and mail.outbox == []
    assert not OutgoingMail.objects.pending().exists()
