"""Writing assessments: a self-assessment and the direct manager's against the first next level,
with believable gaps, some still drafts, and the audit events their submitting and sharing
leave. The verdict each shared one gives is worked out by the readiness rule the pages use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ladder.assessments.models import (
    Assessment,
    CriterionAssessment,
    DimensionRating,
    Evidence,
    Status,
)
from ladder.assessments.readiness import Verdict
from ladder.assessments.services import (
    assessment_shared_event,
    assessment_snapshot,
    assessment_submitted_event,
)
from ladder.audit.services import audit_record_many
from ladder.people.models import Person

from .activity import Activity, Answer, LevelInfo
from .answers import focus, judge, manager_answers, self_answers
from .bulk import BATCH_SIZE, insert
from .phrases import COMMENTS, SUMMARIES

# Share of people with a next level and a manager who were assessed against it.
ASSESSED_SHARE = 0.5
# Of those, the share with one of the two assessments still a draft (about 5% of assessments),
# and with the manager's submitted but not shared yet.
DRAFT_SHARE = 0.1
SUBMITTED_SHARE = 0.04
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
    """A self-assessment and their direct manager's against the first next level."""
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
    window = activity.window(since)
    if window is None:
        return []
    cycle, first, last = window
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
    own_state = manager_state = Assessment.State.SHARED
    if not node.standout:
        if rng.random() < DRAFT_SHARE:
            if rng.random() < 0.5:
                own_state = Assessment.State.DRAFT
            else:
                manager_state = Assessment.State.DRAFT
        elif rng.random() < SUBMITTED_SHARE:
            manager_state = Assessment.State.SUBMITTED
    # The self-assessment first, the manager's within three weeks of it.
    own_day = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
    manager_day = min(last, own_day + datetime.timedelta(days=rng.randint(0, 21)))
    person, manager = activity.saved[index], activity.saved[node.parent]
    words = {
        "first": person.name.split(" ", 1)[0],
        "code": target.row.code,
        "focus": focus(target, readiness),
    }
    common = {"index": index, "person": person, "target": target, "cycle": cycle}
    own = _assessment(
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
    if manager_state == Assessment.State.SHARED:
        activity.judged[index] = (theirs.assessment, theirs.answers, readiness)
    return [own, theirs]


def _assessment(
    activity: Activity,
    *,
    index: int,
    person: Person,
    author: Person,
    target: LevelInfo,
    role: str,
    state: str,
    cycle: str,
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
        created = submitted - datetime.timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
        updated = submitted
        shared = None
        if state == Assessment.State.SHARED:
            later = datetime.timedelta(minutes=rng.randint(5, 60 * 24 * 5))
            shared = min(now, submitted + later)
        revision = rng.randint(2, 7)
    assessment = Assessment(
        person=person,
        author=author,
        level=target.row,
        role=role,
        state=state,
        cycle=cycle,
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
    links = [
        (criterion.pk, entry)
        for entry, criteria in activity.evidence.get(index, ())
        if entry.happened_on <= day
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
