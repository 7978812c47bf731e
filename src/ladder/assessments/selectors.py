"""Reading assessments, readiness and plans for a person, in a fixed number of queries.

What is not there raises the model's DoesNotExist (or comes back as None); only views turn that
into a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from ladder.frameworks.models import LadderVersion, Level
from ladder.frameworks.selectors import version_ladder
from ladder.frameworks.version_cache import version_data
from ladder.people.models import LevelAssignment, Person, Team
from ladder.people.tenure import Tenure, level_history, level_tenure
from ladder.per_request import memoised

from .models import Assessment, CriterionAssessment, GrowthItem, GrowthPlan
from .people_readiness import (
    StoredVerdict,
    TimeInLevel,
    VerdictCounts,
    next_verdicts,
    ordered,
    time_in_level,
    verdict_counts,
    with_readiness,
    with_stale_verdict,
    with_verdict,
)
from .readiness import (
    AssessmentFacts,
    CriterionRating,
    Readiness,
    Status,
    is_stale,
    judge_readiness,
)


@dataclass(frozen=True)
class Standing:
    """Where a person stands: current level, time in it, and the levels they may go to next."""

    current: Level | None
    since: datetime.date | None
    next_levels: list[Level]
    # The time in level behind `since`, for pages that show or sort by it.
    tenure: Tenure | None = None

    def assessable_levels(self) -> list[Level]:
        """What the person may be assessed against: their current level or a next one."""
        return [self.current, *self.next_levels] if self.current else []

    def next_level(self, code: str | None = None) -> Level | None:
        """The next level of that code, else the first next level (None at the top)."""
        for level in self.next_levels:
            if level.code == code:
                return level
        return self.next_levels[0] if self.next_levels else None


def standing_of(
    person: Person,
    today: datetime.date,
    *,
    history: list[LevelAssignment] | None = None,
    ladder_of=version_ladder,
) -> Standing:
    """The person's standing; from `history` (their level history with each level's version)
    when the caller has read it already."""
    histories = None if history is None else {person.pk: history}
    return standings_of([person], today, histories=histories, ladder_of=ladder_of)[person.pk]


def standing_for_page(request, person: Person, today: datetime.date) -> Standing:
    """The person's standing, worked out once per request: the person page, its readiness panel
    and its promotion panel all show it, from the history the page reads."""
    return memoised(
        request,
        ("standing", person.pk, today),
        lambda: standing_of(
            person, today, history=level_history(request, person), ladder_of=ladders_for(request)
        ),
    )


def ladders_for(request):
    """`ladder_of` for the callers of one request: each version's pure ladder read once, from
    the cache that keeps it per version (built from its rows by the first request to ask)."""

    def ladder_of(version: LadderVersion):
        return memoised(request, ("ladder", version.pk), lambda: version_data(version))

    return ladder_of


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


def _shared_against(
    person: Person, level: Level, role: str, *, as_of: datetime.datetime | None = None
):
    """The shared assessments of a person against a level, by code across versions, latest
    first; with `as_of`, those shared by that moment."""
    shared = Assessment.objects.for_person(person).shared().filter(role=role)
    if as_of is not None:
        shared = shared.filter(shared_at__lte=as_of)
    return shared.filter(
        level__code=level.code, level__version__ladder=level.version.ladder_id
    ).latest_first()


def latest_shared(
    person: Person, level: Level, role: str, *, as_of: datetime.datetime | None = None
) -> Assessment | None:
    """The latest shared assessment of a person against a level, by code across versions; with
    `as_of`, the latest shared by that moment (what a decision made then was made on)."""
    return with_details(_shared_against(person, level, role, as_of=as_of)).first()


def latest_shared_by_role(person: Person, level: Level) -> dict[str, Assessment]:
    """The latest shared self and manager assessments against a level, by role, with their
    author, criteria and ratings (not evidence): three queries for both."""
    latest = [
        Q(pk=Subquery(_shared_against(person, level, role).values("pk")[:1]))
        for role in (Assessment.Role.SELF, Assessment.Role.MANAGER)
    ]
    found = (
        Assessment.objects.filter(latest[0] | latest[1])
        .select_related("level__version", "author")
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=CriterionAssessment.objects.select_related("criterion").order_by(
                    "criterion__position"
                ),
            ),
            "ratings",
        )
    )
    return {assessment.role: assessment for assessment in found}


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
    person: Person,
    standing: Standing,
    target: Level,
    today: datetime.date,
    *,
    as_of: datetime.datetime | None = None,
) -> tuple[Readiness, Assessment | None]:
    """Readiness for `target` on `today`, from the latest shared manager assessment (shared by
    `as_of`, if given)."""
    assessment = latest_shared(person, target, Assessment.Role.MANAGER, as_of=as_of)
    return judged(standing, target, assessment, today), assessment


def judged(
    standing: Standing,
    target: Level,
    assessment: Assessment | None,
    today: datetime.date,
    *,
    ladder_of=version_ladder,
) -> Readiness:
    """The pure rule fed from stored rows: the one place that turns them into its inputs.
    `ladder_of` reads a version's pure ladder (a caller judging many passes one that keeps
    each version it has read)."""
    target_data = ladder_of(target.version)
    current = None
    if standing.current is not None:
        current = ladder_of(standing.current.version).level(standing.current.code)
    return judge_readiness(
        target=target_data.level(target.code),
        current=current,
        rules=target_data.rules,
        assessment=facts_of(assessment) if assessment else None,
        level_since=standing.since,
        today=today,
    )


def standings_of(
    people: list[Person],
    today: datetime.date,
    *,
    histories: dict[int, list[LevelAssignment]] | None = None,
    ladder_of=version_ladder,
) -> dict[int, Standing]:
    """Each person's standing, in a fixed number of queries; from `histories` (each person's
    level history with each level's version) when the caller has read them already.

    The current level is read in the latest version of its ladder, so a new import reaches
    everyone: assessments and readiness use its wording, ratings and next levels. A level the
    latest version no longer has stays as it was, with no next step.
    """
    if histories is None:
        histories = {p.pk: [] for p in people}
        for assignment in LevelAssignment.objects.filter(person__in=people).select_related(
            "level__version"
        ):
            histories[assignment.person_id].append(assignment)
    tenures = {pk: level_tenure(items, today) for pk, items in histories.items()}
    ladder_ids = {t.assignment.level.version.ladder_id for t in tenures.values() if t}
    # The levels of each ladder's latest version, and that version, in one query.
    latest_number = (
        LadderVersion.objects.filter(ladder_id=OuterRef("version__ladder_id"))
        .order_by("-number")
        .values("number")[:1]
    )
    latest: dict[int, LadderVersion] = {}
    rows: dict[tuple[int, str], Level] = {}
    for lv in Level.objects.filter(
        version__ladder_id__in=ladder_ids, version__number=Subquery(latest_number)
    ).select_related("version"):
        rows[(lv.version_id, lv.code)] = lv
        latest.setdefault(lv.version.ladder_id, lv.version)
    ladders = {v.pk: ladder_of(v) for v in latest.values()}
    standings = {}
    for pk, tenure in tenures.items():
        if tenure is None:
            standings[pk] = Standing(None, None, [])
            continue
        level = tenure.assignment.level
        version = latest.get(level.version.ladder_id)
        current = rows.get((version.pk, level.code)) if version is not None else None
        if current is None:
            standings[pk] = Standing(level, tenure.since, [], tenure)
            continue
        data = ladders[version.pk]
        following = [rows[(version.pk, lv.code)] for lv in data.next_levels(data.level(level.code))]
        standings[pk] = Standing(current, tenure.since, following, tenure)
    return standings


@dataclass(frozen=True)
class NextVerdict:
    """Readiness for one next level, and the shared manager assessment it rests on (None when
    there is none against that level)."""

    target: Level
    readiness: Readiness
    assessment: Assessment | None
    # The day the assessment was shared, and whether that is longer ago than
    # settings.ASSESSMENT_STALE_MONTHS: a verdict that old may no longer hold.
    assessed_on: datetime.date | None = None
    stale: bool = False


def readiness_of_every_next(
    people: list[Person],
    standings: dict[int, Standing],
    today: datetime.date,
    ladder_of=version_ladder,
) -> dict[int, list[NextVerdict]]:
    """Each person's readiness for each of their next levels (a branch has several), in a fixed
    number of queries whatever the number of people. The ladder is read from its rows, as the
    stored copy is checked against; a page passes `version_data` to read it from the cache."""
    codes = {lv.code for pk in standings for lv in standings[pk].next_levels}
    assessments = with_details(
        Assessment.objects.filter(
            person__in=people, role=Assessment.Role.MANAGER, level__code__in=codes
        ).shared()
    ).latest_first()
    # The latest by code within the ladder, across its versions, as latest_shared() reads it.
    latest: dict[tuple[int, int, str], Assessment] = {}
    for assessment in assessments:
        key = (assessment.person_id, assessment.level.version.ladder_id, assessment.level.code)
        latest.setdefault(key, assessment)
    ladders: dict[int, object] = {}

    def data_of(version: LadderVersion):
        if version.pk not in ladders:
            ladders[version.pk] = ladder_of(version)
        return ladders[version.pk]

    result: dict[int, list[NextVerdict]] = {}
    for person in people:
        standing = standings[person.pk]
        verdicts = []
        for target in standing.next_levels:
            assessment = latest.get((person.pk, target.version.ladder_id, target.code))
            readiness = judged(standing, target, assessment, today, ladder_of=data_of)
            day = timezone.localdate(assessment.shared_at) if assessment else None
            stale = day is not None and is_stale(day, today, settings.ASSESSMENT_STALE_MONTHS)
            verdicts.append(NextVerdict(target, readiness, assessment, day, stale))
        result[person.pk] = verdicts
    return result


def readiness_of_many(
    people: list[Person], standings: dict[int, Standing], today: datetime.date
) -> dict[int, tuple[Level | None, Readiness | None]]:
    """Each person's readiness for their first next level, in a fixed number of queries."""
    every = readiness_of_every_next(people, standings, today)
    return {
        pk: (verdicts[0].target, verdicts[0].readiness) if verdicts else (None, None)
        for pk, verdicts in every.items()
    }


# -- a manager's reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One report on the reports page: where they stand and a verdict per next level, read from
    the stored rows. `person` carries the annotations of `people_readiness.with_readiness`."""

    person: Person
    tenure: TimeInLevel | None
    verdicts: list[StoredVerdict]
    direct: bool


# What the reports page sorts by; each ascending, and descending as "-verdict".
REPORT_SORTS = ("name", "verdict", "level", "time")


@dataclass(frozen=True)
class ReportFilters:
    """Which of a manager's reports the page lists: a verdict (closest to a promotion, as
    `people_readiness` reads it), direct reports only, one team, a stale verdict."""

    verdict: str = ""
    direct: bool = False
    team: Team | None = None
    stale: bool = False


def reports_with_readiness(manager: Person, today: datetime.date):
    """Everyone below the manager, annotated with their stored standing and readiness."""
    return with_readiness(Person.objects.reports_of(manager), today)


def report_counts(manager: Person, today: datetime.date) -> VerdictCounts:
    """How many of the manager's whole subtree stand at each verdict today: one query."""
    return verdict_counts(reports_with_readiness(manager, today))


def report_rows(
    manager: Person,
    today: datetime.date,
    *,
    sort: str = "name",
    descending: bool = False,
    filters: ReportFilters | None = None,
    page: str | int | None = None,
    per_page: int = 50,
):
    """The page of a manager's reports asked for, filtered and sorted, each with a verdict per
    next level: (the paginator's page, its rows). Filters and sorts run in SQL over the stored
    rows, so the number of queries and the work in Python are those of one page, however large
    the subtree."""
    filters = filters or ReportFilters()
    people = reports_with_readiness(manager, today).select_related("team")
    if filters.verdict:
        people = with_verdict(people, filters.verdict)
    if filters.direct:
        people = people.filter(manager=manager)
    if filters.team is not None:
        people = people.filter(team=filters.team)
    if filters.stale:
        people = with_stale_verdict(people, today, settings.ASSESSMENT_STALE_MONTHS)
    if sort not in REPORT_SORTS:
        sort, descending = "name", False
    paged = Paginator(ordered(people, sort, descending), per_page).get_page(page)
    shown = list(paged.object_list)
    verdicts = next_verdicts(
        shown, today, stale_months=settings.ASSESSMENT_STALE_MONTHS, reasons=True
    )
    rows = [
        ReportRow(
            p,
            time_in_level(p.level_since, today),
            verdicts.get(p.pk, []),
            p.manager_id == manager.pk,
        )
        for p in shown
    ]
    return paged, rows


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
    person: Person,
    today: datetime.date,
    target_code: str | None = None,
    *,
    standing: Standing | None = None,
    ladder_of=version_ladder,
) -> ReadinessPanel:
    """The person's panel against the next level of `target_code` (by default the first), from
    their `standing` when the caller has it; `ladder_of` reads a version's pure ladder (a page
    passes one that builds each once)."""
    standing = standing or standing_of(person, today, ladder_of=ladder_of)
    target = standing.next_level(target_code)
    if target is None:
        return ReadinessPanel(standing=standing, target=None)
    latest = latest_shared_by_role(person, target)
    manager = latest.get(Assessment.Role.MANAGER)
    current = standing.current
    return ReadinessPanel(
        standing=standing,
        target=target,
        readiness=judged(standing, target, manager, today, ladder_of=ladder_of),
        manager_assessment=manager,
        self_assessment=latest.get(Assessment.Role.SELF),
        current_expected=dict(ladder_of(current.version).level(current.code).ratings)
        if current
        else None,
        target_expected=dict(ladder_of(target.version).level(target.code).ratings),
        plan=plan_of(person),
    )


def plan_owners(person: Person) -> dict[int, Person]:
    """Who may own an item of a person's plan: the person and their managers."""
    people = Person.objects.filter(Q(pk=person.pk) | Q(pk__in=person.chain_ids())).order_by("name")
    return {p.pk: p for p in people}
