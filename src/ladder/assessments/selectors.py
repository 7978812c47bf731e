"""Reading assessments, readiness and plans for a person, in a fixed number of queries.

What is not there raises the model's DoesNotExist (or comes back as None); only views turn that
into a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from ladder.frameworks.models import LadderVersion, Level
from ladder.frameworks.selectors import version_ladder
from ladder.people.models import LevelAssignment, Person
from ladder.people.tenure import level_tenure

from .models import Assessment, CriterionAssessment, GrowthItem, GrowthPlan
from .readiness import AssessmentFacts, CriterionRating, Readiness, Status, judge_readiness


@dataclass(frozen=True)
class Standing:
    """Where a person stands: current level, time in it, and the levels they may go to next."""

    current: Level | None
    since: datetime.date | None
    next_levels: list[Level]

    def assessable_levels(self) -> list[Level]:
        """What the person may be assessed against: their current level or a next one."""
        return [self.current, *self.next_levels] if self.current else []

    def next_level(self, code: str | None = None) -> Level | None:
        """The next level of that code, else the first next level (None at the top)."""
        for level in self.next_levels:
            if level.code == code:
                return level
        return self.next_levels[0] if self.next_levels else None


def standing_of(person: Person, today: datetime.date) -> Standing:
    return standings_of([person], today)[person.pk]


def with_details(assessments):
    """Prefetch criteria (with their text and evidence) and ratings: four queries in all."""
    return assessments.select_related("level__version", "author", "person").prefetch_related(
        Prefetch(
            "criteria",
            queryset=CriterionAssessment.objects.select_related("criterion")
            .prefetch_related("evidence")
            .order_by("criterion__position"),
        ),
        "ratings",
    )


def get_assessment(pk: int, *, lock: bool = False) -> Assessment:
    """An assessment with its details; raises Assessment.DoesNotExist.

    With `lock`, its row stays locked until the caller's transaction ends, so two saves of one
    assessment (a double-click) run one after the other.
    """
    if lock:
        Assessment.objects.select_for_update().filter(pk=pk).first()
    return with_details(Assessment.objects.filter(pk=pk)).get()


def latest_shared(person: Person, level: Level, role: str) -> Assessment | None:
    """The latest shared assessment of a person against a level, by code across versions."""
    return (
        with_details(Assessment.objects.for_person(person).shared().filter(role=role))
        .filter(level__code=level.code, level__version__ladder=level.version.ladder_id)
        .latest_first()
        .first()
    )


def facts_of(assessment: Assessment) -> AssessmentFacts:
    return AssessmentFacts(
        ratings=assessment.ratings.by_dimension(),
        criteria=tuple(
            CriterionRating(c.criterion.section, c.criterion.text, Status(c.status))
            for c in assessment.criteria.all()
            if c.status
        ),
    )


def readiness_of(
    person: Person, standing: Standing, target: Level, today: datetime.date
) -> tuple[Readiness, Assessment | None]:
    assessment = latest_shared(person, target, Assessment.Role.MANAGER)
    target_data = version_ladder(target.version)
    current = None
    if standing.current is not None:
        current_data = version_ladder(standing.current.version)
        current = current_data.level(standing.current.code)
    readiness = judge_readiness(
        target=target_data.level(target.code),
        current=current,
        rules=target_data.rules,
        assessment=facts_of(assessment) if assessment else None,
        level_since=standing.since,
        today=today,
    )
    return readiness, assessment


def standings_of(people: list[Person], today: datetime.date) -> dict[int, Standing]:
    """Each person's standing, in a fixed number of queries.

    The current level is read in the latest version of its ladder, so a new import reaches
    everyone: assessments and readiness use its wording, ratings and next levels. A level the
    latest version no longer has stays as it was, with no next step.
    """
    history: dict[int, list[LevelAssignment]] = {p.pk: [] for p in people}
    for assignment in LevelAssignment.objects.filter(person__in=people).select_related(
        "level__version"
    ):
        history[assignment.person_id].append(assignment)
    tenures = {pk: level_tenure(items, today) for pk, items in history.items()}
    ladder_ids = {t.assignment.level.version.ladder_id for t in tenures.values() if t}
    latest: dict[int, LadderVersion] = {}
    for version in LadderVersion.objects.filter(ladder_id__in=ladder_ids).order_by("-number"):
        latest.setdefault(version.ladder_id, version)
    ladders = {v.pk: version_ladder(v) for v in latest.values()}
    rows = {
        (lv.version_id, lv.code): lv
        for lv in Level.objects.filter(version__in=latest.values()).select_related("version")
    }
    standings = {}
    for pk, tenure in tenures.items():
        if tenure is None:
            standings[pk] = Standing(None, None, [])
            continue
        level = tenure.assignment.level
        version = latest[level.version.ladder_id]
        current = rows.get((version.pk, level.code))
        if current is None:
            standings[pk] = Standing(level, tenure.since, [])
            continue
        data = ladders[version.pk]
        following = [rows[(version.pk, lv.code)] for lv in data.next_levels(data.level(level.code))]
        standings[pk] = Standing(current, tenure.since, following)
    return standings


def readiness_of_many(
    people: list[Person], standings: dict[int, Standing], today: datetime.date
) -> dict[int, tuple[Level | None, Readiness | None]]:
    """Each person's readiness for their first next level, in a fixed number of queries."""
    assessments = with_details(
        Assessment.objects.filter(person__in=people, role=Assessment.Role.MANAGER).shared()
    ).latest_first()
    latest: dict[tuple[int, str], Assessment] = {}
    for assessment in assessments:
        latest.setdefault((assessment.person_id, assessment.level.code), assessment)
    ladders: dict[int, object] = {}
    result = {}
    for person in people:
        standing = standings[person.pk]
        target = standing.next_levels[0] if standing.next_levels else None
        if target is None:
            result[person.pk] = (None, None)
            continue
        for version in {target.version, standing.current.version}:
            if version.pk not in ladders:
                ladders[version.pk] = version_ladder(version)
        target_data = ladders[target.version_id]
        assessment = latest.get((person.pk, target.code))
        readiness = judge_readiness(
            target=target_data.level(target.code),
            current=ladders[standing.current.version_id].level(standing.current.code),
            rules=target_data.rules,
            assessment=facts_of(assessment) if assessment else None,
            level_since=standing.since,
            today=today,
        )
        result[person.pk] = (target, readiness)
    return result


# -- growth plans and the person page --------------------------------------------------------


def plan_of(person: Person) -> GrowthPlan | None:
    """The person's growth plan with its items and their owners, or None: two queries."""
    items = Prefetch("items", queryset=GrowthItem.objects.select_related("owner"))
    return (
        GrowthPlan.objects.filter(person=person)
        .select_related("target")
        .prefetch_related(items)
        .first()
    )


def growth_item_of(person: Person, pk: int) -> GrowthItem:
    """An item of the person's plan; raises GrowthItem.DoesNotExist."""
    return GrowthItem.objects.get(pk=pk, plan__person=person)


@dataclass(frozen=True)
class ReadinessPanel:
    """What the person page shows under their level: readiness for one next level, the
    ratings behind it beside what the levels expect, and their growth plan."""

    standing: Standing
    target: Level | None
    readiness: Readiness | None = None
    manager_assessment: Assessment | None = None
    self_assessment: Assessment | None = None
    # dimension -> rating, for the chart
    current_expected: dict[str, int] | None = None
    target_expected: dict[str, int] | None = None
    plan: GrowthPlan | None = None

    @property
    def plan_items(self) -> list[GrowthItem]:
        return list(self.plan.items.all()) if self.plan else []


def readiness_panel(
    person: Person, today: datetime.date, target_code: str | None = None
) -> ReadinessPanel:
    """The person's panel against the next level of `target_code` (by default the first)."""
    standing = standing_of(person, today)
    target = standing.next_level(target_code)
    if target is None:
        return ReadinessPanel(standing=standing, target=None)
    readiness, manager = readiness_of(person, standing, target, today)
    return ReadinessPanel(
        standing=standing,
        target=target,
        readiness=readiness,
        manager_assessment=manager,
        self_assessment=latest_shared(person, target, Assessment.Role.SELF),
        current_expected=standing.current.expected_ratings.by_dimension()
        if standing.current
        else None,
        target_expected=target.expected_ratings.by_dimension(),
        plan=plan_of(person),
    )
