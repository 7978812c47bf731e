"""Promotions over the last eight quarters and per review cycle, and how long people waited
between first being judged ready and being promoted.

A promotion is a level-history row with the reason "promotion", counted in the quarter it took
effect. Stored readiness keeps only today's verdict, so the day someone was first ready is worked
out again from what readiness rested on then: their manager's shared assessments against the
level they were promoted to, judged by the readiness rule (`judge_readiness`) as of the day each
was shared, with their time in level as it was then. Only the promotions in the window are worked
out, in a fixed number of queries however many there are.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ladder.assessments.bulk_facts import facts_of_shared, shared_key_fields
from ladder.assessments.models import Assessment
from ladder.assessments.readiness import Verdict, judge_readiness
from ladder.assessments.stored import Ladders, LevelName
from ladder.frameworks.experience import months_between
from ladder.frameworks.models import Level
from ladder.people.models import LevelAssignment
from ladder.people.tenure import level_tenure
from ladder.promotions.models import PromotionCase

from .filters import InsightsFilter
from .levels import quarter_name
from .scope import Scope

QUARTERS = 8
NO_TEAM = "No team"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        following = Quarter(self.year + self.number // 4, self.number % 4 + 1)
        return following.start - datetime.timedelta(days=1)

    def before(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    @property
    def label(self) -> str:
        return quarter_name(self.start)

    def __str__(self) -> str:
        return self.label


def last_quarters(today: datetime.date, count: int = QUARTERS) -> list[Quarter]:
    """The quarter of `today` and the `count - 1` before it, oldest first."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].before())
    return quarters[::-1]


@dataclass(frozen=True)
class Promotion:
    person_id: int
    to_code: str
    to_number: int
    team: str
    on: datetime.date
    # The first day a shared manager assessment had them ready for `to_code`; None if none did.
    ready_on: datetime.date | None

    @property
    def months_waited(self) -> int | None:
        return None if self.ready_on is None else months_between(self.ready_on, self.on)


@dataclass(frozen=True)
class CountRow:
    """Promotions in one group (a quarter, a level, a team), and the wait of those timed."""

    label: str
    promotions: int
    timed: int  # promotions with a day the person was first ready
    median_months: float | None

    @classmethod
    def of(cls, label: str, promotions: list[Promotion]) -> CountRow:
        waits = [p.months_waited for p in promotions if p.ready_on is not None]
        return cls(label, len(promotions), len(waits), statistics.median(waits) if waits else None)


@dataclass(frozen=True)
class CycleRow:
    """The decisions of one review cycle's cases (or of the off-cycle cases: `cycle_id` None)."""

    cycle_id: int | None
    name: str
    effective_on: datetime.date | None
    approved: int = 0
    declined: int = 0
    deferred: int = 0
    open: int = 0

    @property
    def decided(self) -> int:
        return self.approved + self.declined + self.deferred

    @property
    def approved_percent(self) -> int | None:
        return round(100 * self.approved / self.decided) if self.decided else None


@dataclass(frozen=True)
class PromotionsReport:
    quarters: list[Quarter]
    promotions: list[Promotion]
    by_quarter: list[CountRow]
    by_level: list[CountRow]
    by_team: list[CountRow]
    cycles: list[CycleRow]
    total: CountRow

    @property
    def first(self) -> datetime.date:
        return self.quarters[0].start


def promotions_report(
    *, scope: Scope, filters: InsightsFilter | None = None, today: datetime.date | None = None
) -> PromotionsReport:
    """Promotions in `scope` in the last QUARTERS quarters up to `today`, by quarter, by the
    level promoted to and by team, with the wait from first ready; and the decisions of the review
    cycles (and off-cycle cases) of the same quarters. The filters' level and track are those of
    the level promoted to (a case's level for cases)."""
    today = today or timezone.localdate()
    quarters = last_quarters(today)
    rows = LevelAssignment.objects.filter(
        _where(scope, filters, "person__", "level__"),
        reason=LevelAssignment.Reason.PROMOTION,
        start__gte=quarters[0].start,
        start__lte=today,
    )
    promotions = _promotions(rows)
    by_quarter = {q: [] for q in quarters}
    by_level: dict[str, list[Promotion]] = defaultdict(list)
    by_team: dict[str, list[Promotion]] = defaultdict(list)
    for promotion in promotions:
        by_quarter[Quarter.of(promotion.on)].append(promotion)
        by_level[promotion.to_code].append(promotion)
        by_team[promotion.team].append(promotion)
    return PromotionsReport(
        quarters=quarters,
        promotions=promotions,
        by_quarter=[CountRow.of(q.label, by_quarter[q]) for q in quarters],
        by_level=[
            CountRow.of(code, by_level[code])
            for code in sorted(by_level, key=lambda code: (by_level[code][0].to_number, code))
        ],
        by_team=[
            CountRow.of(team, by_team[team])
            for team in sorted(by_team, key=lambda t: (t == NO_TEAM, t.lower()))
        ],
        cycles=_cycles(_where(scope, filters, "person__", "to_level__"), quarters[0].start),
        total=CountRow.of("All", promotions),
    )


def _where(scope: Scope, filters: InsightsFilter | None, person: str, level: str) -> Q:
    return scope.q(person) & (filters.q(person, level) if filters is not None else Q())


class _Held(NamedTuple):
    """A level-history row as `level_tenure` reads it."""

    level: LevelName
    start: datetime.date
    end: datetime.date | None


class _Shared(NamedTuple):
    key: tuple[int, str]
    level_id: int
    on: datetime.date


def _promotions(rows: QuerySet[LevelAssignment]) -> list[Promotion]:
    found = list(
        rows.order_by("start", "pk").values_list(
            "person_id", "level_id", "level__code", "level__number", "person__team__name", "start"
        )
    )
    if not found:
        return []
    promoted = rows.order_by().values("person_id")
    levels = {
        pk: LevelName(code, version_id, ladder_id)
        for pk, code, version_id, ladder_id in Level.objects.order_by().values_list(
            "pk", "code", "version_id", "version__ladder_id"
        )
    }
    history: dict[int, list[_Held]] = defaultdict(list)
    for person_id, level_id, start, end in (
        LevelAssignment.objects.filter(person_id__in=promoted)
        .order_by()
        .values_list("person_id", "level_id", "start", "end")
    ):
        history[person_id].append(_Held(levels[level_id], start, end))
    # Every shared manager assessment of the people promoted against the levels they were
    # promoted to: each promotion keeps those against its own level, shared while the person
    # held the level before it.
    ladder_ids = {levels[level_id].ladder_id for _, level_id, *_ in found}
    shared_assessments = (
        Assessment.objects.filter(person_id__in=promoted)
        .by_managers()
        .shared()
        .filter(
            level__code__in={levels[level_id].code for _, level_id, *_ in found},
            level__version__ladder_id__in=ladder_ids,
        )
    )
    shared: dict[int, list[_Shared]] = defaultdict(list)
    # The day each was shared, in the site's time zone, worked out by the database: faster than
    # converting thousands of moments here.
    for person_id, level_id, pk, created, shared_on in shared_assessments.order_by(
        "shared_at", "pk"
    ).values_list("person_id", "level_id", "pk", *shared_key_fields(), TruncDate("shared_at")):
        shared[person_id].append(_Shared((pk, created), level_id, shared_on))
    facts = facts_of_shared(
        [item.key for items in shared.values() for item in items],
        among=shared_assessments,
        ladder_ids=ladder_ids,
    )
    ladders = Ladders()
    promotions = []
    for person_id, level_id, code, number, team, start in found:
        ready_on = None
        before = _level_before(history[person_id], start)
        if before is not None:
            held, since = before
            target = levels[level_id]
            against = [
                item
                for item in shared[person_id]
                if _same_level(levels[item.level_id], target) and since <= item.on <= start
            ]
            ready_on = _first_ready(against, facts, ladders, levels, held, since, start)
        promotions.append(Promotion(person_id, code, number, team or NO_TEAM, start, ready_on))
    return promotions


def _same_level(one: LevelName, other: LevelName) -> bool:
    """The same level of the same ladder, in whichever versions."""
    return (one.code, one.ladder_id) == (other.code, other.ladder_id)


def _level_before(
    history: list[_Held], promoted_on: datetime.date
) -> tuple[LevelName, datetime.date] | None:
    """The level held up to the promotion and since when (over corrections that kept its code),
    or None when the history has no level just before it."""
    before = [held for held in history if held.start < promoted_on and held.end is not None]
    ending = [held for held in before if held.end == promoted_on]
    if not ending:
        return None
    last = max(ending, key=lambda held: held.start)
    earlier = [held for held in before if held.start < last.start]
    tenure = level_tenure([*earlier, last._replace(end=None)], promoted_on)
    return None if tenure is None else (tenure.assignment.level, tenure.since)


def _first_ready(
    against: list[_Shared],
    facts: dict,
    ladders: Ladders,
    levels: dict[int, LevelName],
    held: LevelName,
    level_since: datetime.date,
    promoted_on: datetime.date,
) -> datetime.date | None:
    """The first day the rule had the person ready on these assessments, each standing until
    the next was shared: the day one was shared if it judged them ready, or the day their time
    in level was reached if that was all it lacked, so long as that came before the next."""
    for index, item in enumerate(against):
        name = levels[item.level_id]
        ladder = ladders.of(name.version_id)
        codes = {level.code for level in ladder.levels}
        readiness = judge_readiness(
            target=ladder.level(name.code),
            current=ladder.level(held.code) if held.code in codes else None,
            rules=ladder.rules,
            assessment=facts[item.key[0]],
            level_since=level_since,
            today=item.on,
        )
        until = against[index + 1].on if index + 1 < len(against) else promoted_on
        if readiness.verdict == Verdict.READY:
            return item.on
        if readiness.verdict == Verdict.ELIGIBLE_FROM and readiness.eligible_from <= until:
            return readiness.eligible_from
    return None


def _cycles(where: Q, first: datetime.date) -> list[CycleRow]:
    """Each review cycle whose decisions take effect from `first` on, and the off-cycle cases
    still open or decided since then, with their cases' states: one grouped query."""
    cases = PromotionCase.objects.filter(where).filter(
        Q(cycle__effective_on__gte=first)
        | (Q(cycle__isnull=True) & (Q(decided_at__date__gte=first) | Q(decided_at__isnull=True)))
    )
    counts: dict[int | None, Counter] = defaultdict(Counter)
    names: dict[int | None, tuple[str, datetime.date | None]] = {}
    for cycle_id, name, effective_on, state, number in (
        cases.order_by()
        .values_list("cycle_id", "cycle__name", "cycle__effective_on", "state")
        .annotate(number=Count("pk"))
    ):
        counts[cycle_id][state] += number
        names[cycle_id] = (name or "Off-cycle", effective_on)
    State = PromotionCase.State
    rows = [
        CycleRow(
            cycle_id,
            *names[cycle_id],
            approved=counts[cycle_id][State.APPROVED],
            declined=counts[cycle_id][State.DECLINED],
            deferred=counts[cycle_id][State.DEFERRED],
            open=counts[cycle_id][State.DRAFT] + counts[cycle_id][State.SUBMITTED],
        )
        for cycle_id in names
    ]
    # Cycles by the day their decisions take effect, the off-cycle cases last.
    return sorted(rows, key=lambda r: (r.cycle_id is None, r.effective_on or first, r.name))
