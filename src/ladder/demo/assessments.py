"""Writing assessments: a self-assessment and the direct manager's against the first next level,
with believable gaps, some still drafts, and the audit events their submitting and sharing
leave. The verdict each shared one gives is worked out by the readiness rule the pages use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ladder.assessments.models import (
    Assessment,
    CriterionAssessment,
    DimensionRating,
    Evidence,
    Status,
    current_cycle,
)
from ladder.assessments.readiness import Verdict
from ladder.assessments.services import (
    assessment_shared_event,
    assessment_snapshot,
    assessment_submitted_event,
)
from ladder.audit.services import audit_record_many
from ladder.people.models import Person

from .activity import Activity, Answer, LevelInfo, Window, choose
from .answers import focus, judge, manager_answers, self_answers
from .bulk import BATCH_SIZE, insert
from .phrases import COMMENTS, SUMMARIES

# Share of people with a next level and a manager who were assessed against it, in the review
# round or the one before it (activity.IN_ROUND_SHARE).
ASSESSED_SHARE = 0.85
# How far the review round's tasks got, as (self-assessment, manager assessment) states, None
# for one not started: mostly both shared, with some left as drafts, submitted but not shared,
# or not begun by the manager. A round before this one was finished: both shared.
ROUND_OUTCOMES = {
    ("shared", "shared"): 72,
    ("shared", "submitted"): 5,
    ("shared", "draft"): 5,
    ("shared", None): 6,
    ("submitted", None): 3,
    ("draft", None): 4,
    ("submitted", "shared"): 3,
    ("draft", "shared"): 2,
}
FINISHED = ("shared", "shared")
# Share of assessments submitted by their due date; the rest came late, by yesterday.
ON_TIME_SHARE = 0.85
# Share of the assessed whom their manager sees meeting everything the next level asks, by
# whether their time in level is met: those are ready, or eligible from a date.
STRONG_SHARE = {True: 0.25, False: 0.2}
COMMENT_SHARE = 0.15
LINK_SHARE = {Assessment.Role.SELF: 0.8, Assessment.Role.MANAGER: 0.5}


@dataclass
class _Planned:
    """One assessment with its answers, and the evidence its answers point to."""

    assessment: Assessment
    target: LevelInfo
    answers: list[Answer]
    scores: list[int | None]
    links: list[tuple[int, Evidence]]  # (criterion id, evidence)


def write_assessments(activity: Activity, batch: range) -> None:
    planned: list[_Planned] = []
    for index in batch:
        mine = _plan_assessments(activity, index)
        if mine:
            planned += mine
            activity.counts["people assessed"] += 1
    Assessment.objects.bulk_create([p.assessment for p in planned], batch_size=BATCH_SIZE)
    for p in planned:
        activity.states[p.assessment.state] += 1
    insert(
        CriterionAssessment,
        ["assessment", "criterion", "status", "comment"],
        [
            (p.assessment.pk, criterion.pk, status, comment)
            for p in planned
            for criterion, status, comment in p.answers
        ],
    )
    insert(
        DimensionRating,
        ["assessment", "position", "dimension", "rating"],
        [
            (p.assessment.pk, expected.position, expected.dimension, score)
            for p in planned
            for expected, score in zip(p.target.expected, p.scores, strict=True)
        ],
    )
    linked = [p for p in planned if p.links]
    if linked:
        # The answers' ids, read back in one query by the range of this batch's assessments.
        low, high = min(p.assessment.pk for p in linked), max(p.assessment.pk for p in linked)
        answer_ids = {
            (assessment, criterion): pk
            for pk, assessment, criterion in CriterionAssessment.objects.filter(
                assessment__gte=low, assessment__lte=high
            ).values_list("pk", "assessment_id", "criterion_id")
        }
        insert(
            CriterionAssessment.evidence.through,
            ["criterionassessment", "evidence"],
            [
                (answer_ids[(p.assessment.pk, criterion)], entry.pk)
                for p in linked
                for criterion, entry in p.links
            ],
        )
    audit_record_many([event for p in planned for event in _audit_events(p)])


def _plan_assessments(activity: Activity, index: int) -> list[_Planned]:
    """A self-assessment and their direct manager's against the first next level, as far as
    they got: in the review round, begun after it opened, or finished in the round before."""
    node, rng = activity.nodes[index], activity.rng
    if not node.history or node.parent is None:
        return []
    code, since = node.history[-1]
    current = activity.infos[code]
    target = current.next
    if target is None or not target.criteria:
        return []
    if not (node.standout or rng.random() < ASSESSED_SHARE):
        return []
    window = activity.window(index)
    if window is None:
        return []
    if node.standout:
        strong = node.standout in ("ready", "eligible")
    else:
        # With no assessment, the rule's only reason is the time in level.
        time_met = not judge(activity, current, target, since, None).gaps
        strong = rng.random() < STRONG_SHARE[time_met]
    for _ in range(100):
        statuses, scores = manager_answers(activity, target, strong)
        readiness = judge(activity, current, target, since, (statuses, scores))
        if node.standout != "gaps" or (
            readiness.verdict == Verdict.NOT_YET and 2 <= len(readiness.gaps) <= 4
        ):
            break
    own_statuses, own_scores = self_answers(activity, statuses, scores)
    own_state, manager_state = (
        choose(rng, ROUND_OUTCOMES) if window.in_round and not node.standout else FINISHED
    )
    own_day, manager_day = _days(activity, window)
    person, manager = activity.saved[index], activity.saved[node.parent]
    words = {
        "first": person.name.split(" ", 1)[0],
        "code": target.row.code,
        "focus": focus(target, readiness),
    }
    # Nothing is begun before the first day of the window (after the round opened, for it),
    # nor shared after its last.
    floor = timezone.make_aware(datetime.datetime.combine(window.first, datetime.time(8)))
    until = timezone.make_aware(datetime.datetime.combine(window.last, datetime.time(23)))
    common = {
        "index": index,
        "person": person,
        "target": target,
        "floor": floor,
        "until": min(activity.now, until),
    }
    planned = [
        _assessment(
            activity,
            **common,
            author=person,
            role=Assessment.Role.SELF,
            state=own_state,
            day=own_day,
            statuses=own_statuses,
            scores=own_scores,
            summary=rng.choice(SUMMARIES[("self", strong)]).format(**words),
        )
    ]
    if manager_state is not None:
        theirs = _assessment(
            activity,
            **common,
            author=manager,
            role=Assessment.Role.MANAGER,
            state=manager_state,
            day=manager_day,
            statuses=statuses,
            scores=scores,
            summary=rng.choice(SUMMARIES[("manager", strong)]).format(**words),
        )
        planned.append(theirs)
        if manager_state == Assessment.State.SHARED:
            activity.judged[index] = (theirs.assessment, theirs.answers, readiness)
    if window.in_round:
        activity.in_round.add(index)
    return planned


def _day_between(activity: Activity, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=activity.rng.randint(0, max(0, (last - first).days)))


def _days(activity: Activity, window: Window) -> tuple[datetime.date, datetime.date]:
    """The days of the self-assessment and of the manager's, which comes on the same day or
    later. In the review round most come by their due dates, the rest late."""
    rng, first, last = activity.rng, window.first, window.last
    if not window.in_round:
        own = _day_between(activity, first, last)
        return own, min(last, own + datetime.timedelta(days=rng.randint(0, 21)))
    dates, one_day = activity.round_dates, datetime.timedelta(days=1)
    if rng.random() < ON_TIME_SHARE and first <= dates.self_due:
        own = _day_between(activity, first, dates.self_due)
    else:
        own = _day_between(activity, max(first, dates.self_due + one_day), last)
    if rng.random() < ON_TIME_SHARE and own <= dates.manager_due:
        theirs = _day_between(
            activity, own, min(own + datetime.timedelta(days=21), dates.manager_due)
        )
    else:
        theirs = _day_between(activity, max(own, dates.manager_due + one_day), last)
    return own, theirs


def _assessment(
    activity: Activity,
    *,
    index: int,
    person: Person,
    author: Person,
    target: LevelInfo,
    role: str,
    state: str,
    floor: datetime.datetime,
    until: datetime.datetime,
    day: datetime.date,
    statuses: list[str],
    scores: list[int],
    summary: str,
) -> _Planned:
    rng, now = activity.rng, activity.now
    if state == Assessment.State.DRAFT:
        # Half written: some answers still to give.
        kept = rng.uniform(0.2, 0.8)
        statuses = [status if rng.random() < kept else "" for status in statuses]
        scores = [score if rng.random() < kept else None for score in scores]
        summary = summary if rng.random() < 0.5 else ""
        created = activity.at(day)
        updated = min(now, created + datetime.timedelta(hours=rng.randint(1, 240)))
        submitted = shared = None
        revision = rng.randint(1, 5)
    else:
        submitted = activity.at(day)
        begun = submitted - datetime.timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
        created = min(submitted, max(floor, begun))
        updated = submitted
        shared = None
        if state == Assessment.State.SHARED:
            later = datetime.timedelta(minutes=rng.randint(5, 60 * 24 * 5))
            # Shared by the end of the window's last day (yesterday, for the review round).
            shared = max(submitted, min(submitted + later, until))
        revision = rng.randint(2, 7)
    assessment = Assessment(
        person=person,
        author=author,
        level=target.row,
        role=role,
        state=state,
        # Named by the assessments' own rule, so a cycle here is one the pages know.
        cycle=current_cycle(timezone.localdate(created)),
        summary=summary,
        revision=revision,
        created_at=created,
        updated_at=updated,
        submitted_at=submitted,
        shared_at=shared,
    )
    comments = COMMENTS[role]
    answers = [
        (
            criterion,
            status,
            rng.choice(comments[status]) if status and rng.random() < COMMENT_SHARE else "",
        )
        for criterion, status in zip(target.criteria, statuses, strict=True)
    ]
    rated = {
        criterion.pk
        for criterion, status, _ in answers
        if status and status != Status.NOT_APPLICABLE
    }
    # Only evidence written down by the time the answers were last saved.
    written = submitted or updated
    links = [
        (criterion.pk, entry)
        for entry, criteria in activity.evidence.get(index, ())
        if entry.created_at <= written
        for criterion in criteria
        if criterion.pk in rated and rng.random() < LINK_SHARE[role]
    ]
    return _Planned(assessment, target, answers, scores, links)


def _audit_events(planned: _Planned) -> list:
    """What `assessment_submit` and `assessment_share` would have recorded, and when."""
    assessment = planned.assessment
    if assessment.state == Assessment.State.DRAFT:
        return []
    by = assessment.author.user
    expected = planned.target.expected
    after = assessment_snapshot(
        state=Assessment.State.SUBMITTED,
        level_code=assessment.level.code,
        ratings={r.dimension: score for r, score in zip(expected, planned.scores, strict=True)},
        criteria={criterion.pk: status for criterion, status, _ in planned.answers},
    )
    submitted = assessment_submitted_event(by=by, assessment=assessment, snapshot=after)
    submitted.at = assessment.submitted_at
    if assessment.state != Assessment.State.SHARED:
        return [submitted]
    shared = assessment_shared_event(by=by, assessment=assessment)
    shared.at = assessment.shared_at
    return [submitted, shared]
