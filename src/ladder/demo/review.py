"""The demo's review round: a cycle in calibration with its committee, its tasks, the reminders
that went out, promotion cases in every state and a calibration adjustment, all made through
the services the pages use.

The services stamp what they write with the moment they run, while the round's story is dated
around today: drafted and opened six weeks ago, self and manager assessments due since,
calibration today, decisions effective on the first of next month. So the dates the pages show
are moved to the story afterwards: the cycle's creation and opening, its tasks, the cases'
opening and submission, the notes and the mails. Decisions and the adjustment are made in
calibration, today, as the services record them. The audit log is append-only: its events keep
the moment the demo made them.

Mail is recorded as sent, never handed to a mail backend: the cycle's opening mail waits for
the next `ladder send-reminders` and a decision's for the end of the transaction, and the demo
marks each sent (at the moment of the story) before either could send it; the reminders the
reminder rule finds for each past morning are saved as sent. So the outbox shows what went out,
while the demo prints no mail and reaches no mail server, whatever EMAIL_URL says.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from ladder.assessments.adjustments import assessment_adjust
from ladder.assessments.models import current_cycle
from ladder.assessments.readiness import Readiness, Verdict, format_date
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_queue_many
from ladder.people.models import Person
from ladder.promotions.cases import case_decide, case_note_add, case_open, case_submit
from ladder.promotions.cycles import cycle_advance, cycle_create
from ladder.promotions.models import CaseNote, CycleMember, PromotionCase, ReviewCycle
from ladder.promotions.reminders import reminders_due

from .activity import Activity
from .answers import focus
from .phrases import (
    ADJUSTMENT_REASON,
    ENDORSEMENTS,
    FEEDBACK,
    JUSTIFICATIONS,
    RECOMMENDATIONS,
)
from .planning import ADMIN_EMAIL, MANAGER_EMAIL

State = PromotionCase.State
ROUND_NAME = "Promotions {label}"
# The committee: the demo manager, when this build made them, and senior people reporting to the
# top, two or three in all.
COMMITTEE_SIZE = 3
# Cases besides the demo manager's draft: one in each state, then more of the ready people, up to
# a number that grows slowly with the round and stops at 30: each case costs some dozens of
# queries in the services, so a big demo costs no more than a middling one.
CASES_BASE, CASES_PER_MEMBERS, CASES_MOST = 6, 80, 30
MORE_READY = {State.APPROVED: 45, State.SUBMITTED: 35, State.DRAFT: 20}
# Where each state's cases come from first, by the person's verdict: a ready person is approved
# or waits; one eligible once their time in level is met is deferred; one not yet ready whose
# manager opened a case anyway is declined.
SOURCES = {
    State.APPROVED: (Verdict.READY, Verdict.ELIGIBLE_FROM, Verdict.NOT_YET),
    State.SUBMITTED: (Verdict.READY, Verdict.ELIGIBLE_FROM, Verdict.NOT_YET),
    State.DEFERRED: (Verdict.ELIGIBLE_FROM, Verdict.READY, Verdict.NOT_YET),
    State.DECLINED: (Verdict.NOT_YET, Verdict.ELIGIBLE_FROM, Verdict.READY),
    State.DRAFT: (Verdict.READY, Verdict.ELIGIBLE_FROM, Verdict.NOT_YET),
}
REMINDER_HOUR, OPENING_HOUR = 7, 9


@dataclass
class RoundResult:
    cycle: ReviewCycle
    members: int
    committee: list[str]
    # Cases by state, in the order of the states.
    cases: dict[str, int] = field(default_factory=dict)
    adjustments: int = 0
    # Mail recorded as sent, by kind.
    mails: dict[str, int] = field(default_factory=dict)
    # The demo manager's case to submit, when this build made the demo manager.
    manager_draft: PromotionCase | None = None


def write_round(activity: Activity, seed: int) -> RoundResult | None:
    """The round for the organisation just written; None without a demo admin to run it."""
    admin = get_user_model().objects.filter(email=ADMIN_EMAIL, is_superuser=True).first()
    if admin is None:
        return None
    rng = random.Random(f"round-{seed}")
    builder = _Round(activity, rng, admin)
    return builder.build()


class _Round:
    def __init__(self, activity: Activity, rng: random.Random, admin) -> None:
        self.activity, self.rng, self.admin = activity, rng, admin
        self.dates = activity.round_dates
        self.top = activity.saved[0]
        manager = next(
            (i for i, node in enumerate(activity.nodes) if node.login == MANAGER_EMAIL), None
        )
        self.manager = activity.saved[manager] if manager is not None else None
        self.manager_index = manager
        self.mails: Counter = Counter()

    def build(self) -> RoundResult:
        committee = self.committee = self._committee()
        cycle = self._open(committee)
        self._remind(cycle)
        plans = self._plan_cases()
        cases = [self._case(cycle, index, state) for index, state in plans]
        draft = self._manager_draft(cycle)
        cycle = cycle_advance(by=self.admin, cycle=cycle, to_stage=ReviewCycle.Stage.CALIBRATION)
        for case, (index, state) in zip(cases, plans, strict=True):
            if state in PromotionCase.DECIDED_STATES:
                self._decide(case, index, state)
        adjusted = self._adjust({case.person_id for case in [*cases, *([draft] if draft else [])]})
        states = Counter(PromotionCase.objects.filter(cycle=cycle).values_list("state", flat=True))
        return RoundResult(
            cycle=cycle,
            members=CycleMember.objects.filter(cycle=cycle).count(),
            committee=[person.email for person in committee],
            cases={str(state): states[state] for state in State.values if states[state]},
            adjustments=int(adjusted),
            mails=dict(self.mails),
            manager_draft=draft,
        )

    # -- the cycle ---------------------------------------------------------------------------

    def _committee(self) -> list[Person]:
        """Two or three senior people: the demo manager, and those reporting to the top."""
        nodes, saved = self.activity.nodes, self.activity.saved
        seniors = [
            saved[i]
            for i, node in enumerate(nodes)
            if node.parent == 0 and node.history and i != self.manager_index
        ]
        chosen = [self.manager] if self.manager is not None else []
        wanted = min(len(seniors), COMMITTEE_SIZE - len(chosen))
        chosen += sorted(self.rng.sample(seniors, wanted), key=lambda person: person.pk)
        if len(chosen) < 2:
            chosen.append(self.top)
        return chosen

    def _open(self, committee: list[Person]) -> ReviewCycle:
        activity, dates = self.activity, self.dates
        label = current_cycle(dates.opened)
        name, number = ROUND_NAME.format(label=label), 1
        while ReviewCycle.objects.filter(name__iexact=name).exists():
            number += 1
            name = f"{ROUND_NAME.format(label=label)} ({number})"
        # Everyone, when the organisation is the whole database; a later build's round takes in
        # only the organisation it added.
        whole = self.top.manager_id is None and Person.objects.count() == len(activity.nodes)
        cycle = cycle_create(
            by=self.admin,
            name=name,
            ladder=activity.version.ladder,
            scope=ReviewCycle.Scope.EVERYONE if whole else ReviewCycle.Scope.SUBTREE,
            subtree_of=None if whole else self.top,
            self_due=dates.self_due,
            manager_due=dates.manager_due,
            calibration_on=dates.calibration_on,
            effective_on=dates.effective_on,
            committee=committee,
        )
        cycle = cycle_advance(by=self.admin, cycle=cycle, to_stage=ReviewCycle.Stage.OPEN)
        cycle.created_at = _moment(dates.drafted, 14)
        cycle.opened_at = _moment(dates.opened, OPENING_HOUR)
        ReviewCycle.objects.filter(pk=cycle.pk).update(
            created_at=cycle.created_at, opened_at=cycle.opened_at
        )
        CycleMember.objects.filter(cycle=cycle).update(added_at=cycle.opened_at)
        self._sent(f"cycle:{cycle.pk}:opened:", cycle.opened_at + datetime.timedelta(minutes=5))
        return cycle

    def _remind(self, cycle: ReviewCycle) -> None:
        """The reminders `ladder send-reminders` sent on each morning one was due, as cron runs
        it: before and after each due date, to those whose part is not done. Not done today, as
        the rule reads the assessments there are: someone late who has since caught up got no
        reminder here, while everyone reminded was indeed not done on that day."""
        before = datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE)
        after = datetime.timedelta(days=1)
        days = {self.dates.self_due - before, self.dates.self_due + after}
        days |= {self.dates.manager_due - before, self.dates.manager_due + after}
        prefix = f"cycle:{cycle.pk}:reminder:"
        for day in sorted(d for d in days if d <= self.activity.today):
            # Only this cycle's: another open cycle's reminders are not the demo's to send.
            mails = [mail for mail in reminders_due(today=day) if mail.key.startswith(prefix)]
            at = _moment(day, REMINDER_HOUR)
            for mail in mails:
                mail.created_at = mail.sent_at = mail.last_attempt_at = at
                mail.attempts = 1
            mail_queue_many(mails)
            self.mails[str(OutgoingMail.Kind.REMINDER)] += len(mails)

    def _sent(self, prefix: str, at: datetime.datetime) -> None:
        """Record the mail queued under `prefix` as sent at `at`, without sending it."""
        pending = OutgoingMail.objects.pending().filter(key__startswith=prefix)
        for kind, count in Counter(pending.values_list("kind", flat=True)).items():
            self.mails[kind] += count
        pending.update(created_at=at, sent_at=at, attempts=1, last_attempt_at=at)

    # -- cases -------------------------------------------------------------------------------

    def _plan_cases(self) -> list[tuple[int, str]]:
        """Who gets a case, and the state it ends in: one of each, then more of the ready."""
        activity, rng = self.activity, self.rng
        taken = {i for i, node in enumerate(activity.nodes) if node.parent == self.manager_index}
        taken |= {i for i, person in activity.saved.items() if person in self.committee}
        pools: dict[str, list[int]] = {verdict: [] for verdict in Verdict}
        for index in sorted(activity.in_round & activity.judged.keys()):
            if index not in taken:
                pools[activity.judged[index][2].verdict].append(index)
        for pool in pools.values():
            rng.shuffle(pool)
        members = sum(map(len, pools.values()))
        budget = min(CASES_MOST, CASES_BASE + members // CASES_PER_MEMBERS)
        planned: list[tuple[int, str]] = []
        firsts = [State.APPROVED, State.SUBMITTED, State.DEFERRED, State.DECLINED]
        if self.manager is None:
            firsts.append(State.DRAFT)
        for state in firsts:
            source = next((pools[v] for v in SOURCES[state] if pools[v]), None)
            if source is not None:
                planned.append((source.pop(), state))
        # A few more deferred and declined as the round grows; the rest are the ready.
        for state in (State.DEFERRED, State.DECLINED):
            pool = pools[SOURCES[state][0]]
            for _ in range(min(len(pool), budget // 10)):
                planned.append((pool.pop(), state))
        while len(planned) < budget and pools[Verdict.READY]:
            state = rng.choices(list(MORE_READY), list(MORE_READY.values()))[0]
            planned.append((pools[Verdict.READY].pop(), state))
        return planned

    def _words(self, index: int) -> dict[str, str]:
        activity = self.activity
        node = activity.nodes[index]
        target = activity.infos[node.history[-1][0]].next
        readiness = activity.judged[index][2]
        return {
            "first": activity.saved[index].name.split(" ", 1)[0],
            "code": target.row.code,
            "focus": focus(target, readiness),
            "date": format_date(readiness.eligible_from),
        }

    def _opener(self, person: Person):
        """The demo manager for their own organisation, the admin for everyone else."""
        if self.manager is not None and person.is_report_of(self.manager):
            return self.manager.user
        return self.admin

    def _case(self, cycle: ReviewCycle, index: int, state: str) -> PromotionCase:
        activity, rng = self.activity, self.rng
        person = activity.saved[index]
        shared_assessment, _, readiness = activity.judged[index]
        words = self._words(index)
        opener = self._opener(person)
        case = case_open(
            by=opener,
            person=person,
            to_level=shared_assessment.level,
            recommendation=rng.choice(RECOMMENDATIONS).format(**words),
            justification=_justification(readiness, words),
            cycle=cycle,
        )
        # Opened within days of the manager's assessment being shared, submitted soon after;
        # all before calibration, today.
        latest = self.activity.today - datetime.timedelta(days=1)
        shared = timezone.localdate(shared_assessment.shared_at)
        opened_on = min(latest, shared + datetime.timedelta(days=rng.randint(1, 7)))
        created_at = max(_moment(opened_on, rng.randint(9, 16)), shared_assessment.shared_at)
        submitted_at = None
        if state != State.DRAFT:
            case = case_submit(by=opener, case=case)
            submitted_on = min(latest, opened_on + datetime.timedelta(days=rng.randint(0, 4)))
            submitted_at = max(_moment(submitted_on, 17), created_at)
        case.created_at, case.submitted_at = created_at, submitted_at
        PromotionCase.objects.filter(pk=case.pk).update(
            created_at=created_at, submitted_at=submitted_at
        )
        self._endorse(case, words)
        return case

    def _endorse(self, case: PromotionCase, words: dict[str, str]) -> None:
        """Some submitted cases carry the top's endorsement as a skip-level manager."""
        top = self.top
        if (
            case.state != State.SUBMITTED
            or top.user is None
            or case.person.manager_id == top.pk
            or self.rng.random() < 0.5
        ):
            return
        note = case_note_add(
            by_person=top,
            case=case,
            kind=CaseNote.Kind.ENDORSEMENT,
            text=self.rng.choice(ENDORSEMENTS).format(**words),
        )
        later = case.submitted_at + datetime.timedelta(hours=self.rng.randint(2, 48))
        CaseNote.objects.filter(pk=note.pk).update(created_at=min(self.activity.now, later))

    def _manager_draft(self, cycle: ReviewCycle) -> PromotionCase | None:
        """The demo manager's ready report, whose case the manager has begun and not submitted."""
        if self.manager is None or self.manager.user is None:
            return None
        activity = self.activity
        ready = [
            index
            for index, node in enumerate(activity.nodes)
            if node.parent == self.manager_index
            and index in activity.judged
            and activity.judged[index][2].verdict == Verdict.READY
        ]
        if not ready:
            return None
        ready.sort(key=lambda index: activity.nodes[index].standout != "ready")
        return self._case(cycle, ready[0], State.DRAFT)

    def _decider(self, person: Person):
        """A committee member who can sign in decides outside their own organisation."""
        manager = self.manager
        if (
            manager is not None
            and manager.user is not None
            and person.pk != manager.pk
            and not person.is_report_of(manager)
        ):
            return manager.user
        return self.admin

    def _decide(self, case: PromotionCase, index: int, state: str) -> None:
        words = self._words(index)
        feedback = FEEDBACK[state]
        if state == State.DEFERRED and case.verdict_at_opening != Verdict.ELIGIBLE_FROM:
            feedback = FEEDBACK["deferred_later"]
        case_decide(
            by=self._decider(case.person),
            case=case,
            outcome=state,
            feedback=feedback.format(**words),
        )
        self._sent(f"case:{case.pk}:decided:", self.activity.now)
        if state == State.APPROVED:
            # The plan in memory follows: the new level is current from now on, as the pages
            # read it, and the verdict the build reports is no longer the old target's.
            node = self.activity.nodes[index]
            node.history.append((words["code"], self.dates.effective_on))
            del self.activity.judged[index]

    def _adjust(self, with_cases: set[int]) -> bool:
        """In calibration, one lenient rating of a shared manager assessment is brought down by
        one, leaving the verdict as it was."""
        activity = self.activity
        for index in sorted(activity.in_round & activity.judged.keys()):
            person = activity.saved[index]
            if person.pk in with_cases:
                continue
            assessment, _, _ = activity.judged[index]
            info = activity.infos[activity.nodes[index].history[-1][0]].next
            ratings = assessment.ratings.by_dimension()
            above = [r.dimension for r in info.expected if (ratings[r.dimension] or 0) > r.rating]
            if not above:
                continue
            dimension = above[0]
            assessment_adjust(
                by=self._decider(person),
                assessment=assessment,
                ratings={dimension: ratings[dimension] - 1},
                reason=ADJUSTMENT_REASON.format(code=info.row.code, dimension=dimension),
            )
            return True
        return False


def _justification(readiness: Readiness, words: dict[str, str]) -> str:
    if readiness.verdict == Verdict.READY:
        return ""
    key = "eligible_from" if readiness.verdict == Verdict.ELIGIBLE_FROM else "not_yet"
    return JUSTIFICATIONS[key].format(**words)


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
