"""What a manager and the person answer in an assessment: statuses and ratings planned to give
a believable verdict, and that verdict as the readiness rule the pages use works it out."""

from __future__ import annotations

import datetime

from ladder.assessments.models import Status
from ladder.assessments.readiness import (
    AssessmentFacts,
    CriterionRating,
    Readiness,
    judge_readiness,
)
from ladder.assessments.readiness import Status as RuleStatus
from ladder.frameworks.models import Criterion

from .activity import Activity, LevelInfo, choose

# The gaps of those not strong: a dimension or two, too few criteria met, a Responsibility not
# yet.
DIMENSION_GAPS = {0: 35, 1: 45, 2: 20}
RESPONSIBILITY_GAPS = {0: 65, 1: 28, 2: 7}
CRITERIA_SHARE_GAP = 0.5
# How a self-assessment differs from the manager's: usually the same or one higher.
SELF_RATING_STEP = {-1: 7, 0: 55, 1: 38}
SELF_STATUS_STEP = {-1: 5, 0: 70, 1: 25}
STATUS_ORDER = [Status.NOT_YET, Status.DEVELOPING, Status.MEETS, Status.EXCEEDS]
RESPONSIBILITIES = Criterion.Section.RESPONSIBILITIES


def manager_answers(
    activity: Activity, target: LevelInfo, strong: bool
) -> tuple[list[str], list[int]]:
    """Statuses of the target's criteria and ratings of its dimensions.

    Strong: every dimension at or above what the target expects, enough criteria met and
    no Responsibility not yet. Otherwise one or more of those fall short: a few gaps.
    """
    rng, rules = activity.rng, activity.ladder.rules
    lowest, highest = activity.version.scale_min, activity.version.scale_max
    short: set[str] = set()
    if not strong:
        can_fall = [
            r.dimension for r in target.expected if r.rating - rules.max_rating_shortfall > lowest
        ]
        short = set(rng.sample(can_fall, min(len(can_fall), choose(rng, DIMENSION_GAPS))))
    scores = []
    for expected in target.expected:
        if expected.dimension in short:
            below = expected.rating - rules.max_rating_shortfall - 1 - (rng.random() < 0.1)
            scores.append(max(lowest, below))
        else:
            scores.append(min(highest, expected.rating + (rng.random() < 0.15)))

    criteria = target.criteria
    not_applicable = {
        i
        for i, criterion in enumerate(criteria)
        if criterion.section != RESPONSIBILITIES and rng.random() < 0.03
    }
    if len(not_applicable) == len(criteria):
        not_applicable = set()
    counted = [i for i in range(len(criteria)) if i not in not_applicable]
    # The most criteria that may fall short with enough of them still met, by the rule's
    # own sum.
    total = len(counted)
    most_unmet = max(
        (u for u in range(total + 1) if (total - u) / total >= rules.min_criteria_met),
        default=0,
    )
    not_yet: set[int] = set()
    share_gap = False
    if not strong:
        if not rules.allow_responsibility_not_yet:
            responsibilities = [i for i in counted if criteria[i].section == RESPONSIBILITIES]
            wanted = min(len(responsibilities), most_unmet, choose(rng, RESPONSIBILITY_GAPS))
            not_yet = set(rng.sample(responsibilities, wanted))
        share_gap = rng.random() < CRITERIA_SHARE_GAP
        if not (short or not_yet or share_gap):
            share_gap = True  # a gap besides time in level, whatever else
    if share_gap and most_unmet < len(counted):
        high = min(len(counted), most_unmet + 1 + len(counted) // 4)
        unmet_count = rng.randint(most_unmet + 1, high)
    else:
        unmet_count = rng.randint(len(not_yet), max(len(not_yet), most_unmet))
    others = [i for i in counted if i not in not_yet]
    unmet = not_yet | set(rng.sample(others, unmet_count - len(not_yet)))
    statuses = []
    for i, criterion in enumerate(criteria):
        if i in not_applicable:
            status = Status.NOT_APPLICABLE
        elif i in not_yet:
            status = Status.NOT_YET
        elif i in unmet:
            developing = criterion.section == RESPONSIBILITIES or rng.random() < 0.75
            status = Status.DEVELOPING if developing else Status.NOT_YET
        else:
            status = Status.EXCEEDS if rng.random() < 0.18 else Status.MEETS
        statuses.append(str(status))
    return statuses, scores


def self_answers(
    activity: Activity, statuses: list[str], scores: list[int]
) -> tuple[list[str], list[int]]:
    """Usually as the manager sees it, or one step higher."""
    rng = activity.rng
    lowest, highest = activity.version.scale_min, activity.version.scale_max
    own_scores = [
        min(highest, max(lowest, score + choose(rng, SELF_RATING_STEP))) for score in scores
    ]
    own_statuses = []
    for status in statuses:
        if status in STATUS_ORDER:
            step = STATUS_ORDER.index(status) + choose(rng, SELF_STATUS_STEP)
            status = str(STATUS_ORDER[min(len(STATUS_ORDER) - 1, max(0, step))])
        own_statuses.append(status)
    return own_statuses, own_scores


def judge(
    activity: Activity,
    current: LevelInfo,
    target: LevelInfo,
    since: datetime.date,
    answers: tuple[list[str], list[int]] | None,
) -> Readiness:
    """The verdict the pages will show, by the same rule and from the same facts: the
    manager's `answers` (statuses and scores), or none yet."""
    facts = None
    if answers is not None:
        statuses, scores = answers
        facts = AssessmentFacts(
            ratings={r.dimension: score for r, score in zip(target.expected, scores, strict=True)},
            criteria=tuple(
                CriterionRating(criterion.section, criterion.text, RuleStatus(status))
                for criterion, status in zip(target.criteria, statuses, strict=True)
                if status
            ),
        )
    return judge_readiness(
        target=target.data,
        current=current.data,
        rules=activity.ladder.rules,
        assessment=facts,
        level_since=since,
        today=activity.today,
    )


def focus(target: LevelInfo, readiness: Readiness) -> str:
    """What the summaries name as the next thing to grow in: the first gap the verdict found."""
    gaps = readiness.gaps
    dimension = next((gap.subject for gap in gaps if gap.kind == "dimension"), None)
    if dimension is not None:
        return dimension
    if any(gap.kind == "responsibility" for gap in gaps):
        return f"the Responsibilities of {target.row.code}"
    return f"meeting more of the {target.row.code} criteria consistently"
