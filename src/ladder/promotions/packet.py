"""A promotion case's packet, assembled from what exists and never retyped: the readiness verdict
with every reason, the shared manager assessment beside the self-assessment it rests on, the
evidence of each criterion, the level history and the growth plan.

One packet costs a fixed number of queries, however many criteria, evidence entries, levels or
notes the person has. The page and the PDF render the same packet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ladder.assessments.models import (
    Assessment,
    CriterionAssessment,
    Evidence,
    GrowthPlan,
    PlanProgress,
)
from ladder.assessments.readiness import Readiness, Reason, Verdict
from ladder.assessments.selectors import Standing, latest_shared, plan_of, readiness_of
from ladder.frameworks.experience import months_between
from ladder.frameworks.ladder_data import CRITERIA_SECTIONS
from ladder.frameworks.models import Criterion
from ladder.people.models import LevelAssignment
from ladder.people.tenure import Tenure

from .models import CaseNote, PromotionCase


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of the target, as the manager and the person rated it, with its evidence."""

    criterion: Criterion
    manager: CriterionAssessment | None
    own: CriterionAssessment | None
    evidence: tuple[Evidence, ...]

    @property
    def differs(self) -> bool:
        return (self.manager and self.manager.status) != (self.own and self.own.status)


@dataclass(frozen=True)
class Section:
    heading: str
    rows: tuple[CriterionRow, ...]


@dataclass(frozen=True)
class RatingRow:
    dimension: str
    expected: int | None
    manager: int | None
    own: int | None

    @property
    def below(self) -> bool:
        return None not in (self.manager, self.expected) and self.manager < self.expected

    @property
    def differs(self) -> bool:
        return self.manager != self.own


@dataclass(frozen=True)
class HistoryRow:
    assignment: LevelAssignment
    months: int
    upcoming: bool

    @property
    def words(self) -> str:
        return Tenure(self.assignment, self.assignment.start, self.months).words


OPENING_VERDICTS = {
    Verdict.READY: "Ready",
    Verdict.NOT_YET: "Not yet ready",
    Verdict.ELIGIBLE_FROM: "Eligible later: not enough time in level yet",
    Verdict.NOT_ASSESSED: "Not assessed against the level",
}


@dataclass(frozen=True)
class Packet:
    case: PromotionCase
    # The day the readiness is judged on: today for an open case, the decision's day after it,
    # from the assessments shared by the moment of the decision.
    as_of: datetime.date
    readiness: Readiness
    manager_assessment: Assessment | None
    self_assessment: Assessment | None
    sections: tuple[Section, ...]
    ratings: tuple[RatingRow, ...]
    history: tuple[HistoryRow, ...]
    plan: GrowthPlan | None
    plan_progress: PlanProgress
    notes: tuple[CaseNote, ...]

    @property
    def is_ready(self) -> bool:
        return self.readiness.verdict == Verdict.READY

    @property
    def gaps(self) -> tuple[Reason, ...]:
        return self.readiness.gaps

    @property
    def summary(self) -> str:
        # Those who read a packet judge the case: the verdict as a manager reads it.
        return self.readiness.manager_summary

    @property
    def opening_verdict(self) -> str:
        return OPENING_VERDICTS.get(self.case.verdict_at_opening, "—")

    @property
    def criteria_level(self):
        """The level row (of its own ladder version) the criteria and ratings are shown from."""
        base = self.manager_assessment or self.self_assessment
        return base.level if base else self.case.to_level


def packet_of(case: PromotionCase, today: datetime.date | None = None) -> Packet:
    """The packet of `case`, loaded as the getters of permissions.py load it."""
    today = today or timezone.localdate()
    as_of = timezone.localdate(case.decided_at) if case.decided_at else today
    person = case.person
    history = list(
        LevelAssignment.objects.filter(person=person).select_related("level").order_by("start")
    )
    # Readiness for the case's level from the level it was opened at: after an approval the
    # person holds the new level, and the packet still shows what the decision was made on.
    standing = Standing(case.from_level, _since(history, case.from_level.code, as_of), [])
    # A decided case keeps what the decision was made on: an assessment shared (or adjusted)
    # since belongs to the next case, not to this one's record.
    readiness, manager = readiness_of(person, standing, case.to_level, as_of, as_of=case.decided_at)
    own = _self_assessment(case, manager)
    base = manager or own
    level = base.level if base else case.to_level
    expected = level.expected_ratings.by_dimension()
    sections = _sections(case, manager, own, as_of)
    plan = plan_of(person)
    return Packet(
        case=case,
        as_of=as_of,
        readiness=readiness,
        manager_assessment=manager,
        self_assessment=own,
        sections=sections,
        ratings=_ratings(expected, manager, own),
        history=tuple(_history(history, today)),
        plan=plan,
        plan_progress=plan.progress() if plan else PlanProgress(done=0, total=0),
        notes=tuple(CaseNote.objects.filter(case=case).select_related("author")),
    )


def _since(history: list[LevelAssignment], code: str, as_of: datetime.date) -> datetime.date | None:
    """When the person's latest stretch at the level of `code` began, as of a day: corrections
    that kept the code count as one stretch, as in people/tenure.py."""
    since, previous = None, None
    for assignment in history:
        if assignment.start > as_of:
            break
        if assignment.level.code == code:
            continues = previous is not None and previous.level.code == code
            if not (continues and previous.end == assignment.start):
                since = assignment.start
        previous = assignment
    return since


def _self_assessment(case: PromotionCase, manager: Assessment | None) -> Assessment | None:
    """The self-assessment the manager's rests on: the person's latest shared against the same
    level by the time the manager submitted theirs (without one, by the decision, if made)."""
    if manager is None:
        moment = case.decided_at
    else:
        # An adjustment is submitted when the committee adjusts it; what the person had shared
        # by then the manager never saw. Its original's submission is the moment (one query per
        # adjustment: a calibration makes one or two).
        original = manager
        while original.adjusts_id is not None:
            original = original.adjusts
        moment = original.submitted_at
    return latest_shared(case.person, case.to_level, Assessment.Role.SELF, as_of=moment)


def _sections(
    case: PromotionCase, manager: Assessment | None, own: Assessment | None, as_of: datetime.date
) -> tuple[Section, ...]:
    base = manager or own
    if base is not None:
        items = [(item.criterion, item) for item in base.criteria.all()]
    else:
        items = [(c, None) for c in case.to_level.criteria.order_by("position")]
    manager_by_text = {i.criterion.text: i for i in manager.criteria.all()} if manager else {}
    own_by_text = {i.criterion.text: i for i in own.criteria.all()} if own else {}
    evidence = _evidence_by_text(case, [manager, own], as_of)
    sections = []
    for key, heading in CRITERIA_SECTIONS.items():
        rows = tuple(
            CriterionRow(
                criterion=criterion,
                manager=manager_by_text.get(criterion.text),
                own=own_by_text.get(criterion.text),
                evidence=tuple(evidence.get(criterion.text, ())),
            )
            for criterion, _ in items
            if criterion.section == key
        )
        if rows:
            sections.append(Section(heading, rows))
    return tuple(sections)


def _evidence_by_text(
    case: PromotionCase, assessments: list[Assessment | None], as_of: datetime.date
) -> dict[str, list[Evidence]]:
    """The person's evidence by the text of each criterion it is about: tagged to the criterion
    (in any ladder version, hence by text) or linked to it in either assessment. Newest first."""
    found: dict[str, dict[int, Evidence]] = {}
    tagged = Evidence.objects.filter(person=case.person, happened_on__lte=as_of).prefetch_related(
        "criteria"
    )
    for entry in tagged:
        for criterion in entry.criteria.all():
            found.setdefault(criterion.text, {})[entry.pk] = entry
    for assessment in assessments:
        for item in assessment.criteria.all() if assessment else ():
            for entry in item.evidence.all():
                found.setdefault(item.criterion.text, {})[entry.pk] = entry
    return {
        text: sorted(entries.values(), key=lambda e: (e.happened_on, e.pk), reverse=True)
        for text, entries in found.items()
    }


def _ratings(
    expected: dict[str, int], manager: Assessment | None, own: Assessment | None
) -> tuple[RatingRow, ...]:
    manager_ratings = manager.ratings.by_dimension() if manager else {}
    own_ratings = own.ratings.by_dimension() if own else {}
    dimensions = list(dict.fromkeys([*expected, *manager_ratings, *own_ratings]))
    return tuple(
        RatingRow(d, expected.get(d), manager_ratings.get(d), own_ratings.get(d))
        for d in dimensions
    )


def _history(history: list[LevelAssignment], today: datetime.date):
    """Newest first, each with its time in level (to today for the current one)."""
    for assignment in reversed(history):
        end = assignment.end or today
        yield HistoryRow(
            assignment=assignment,
            months=max(0, months_between(assignment.start, end)),
            upcoming=assignment.start > today,
        )
