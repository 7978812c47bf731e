"""The readiness funnel: how many people are ready for their next level, eligible later, not yet
ready, or not assessed against it, by level and by team.

Each person counts once, by their readiness for their first next level (position 0: the next on
their own track, the first of a branch), as stored and read on `today` (an "eligible from" date
that has passed is "ready"). People at the top of their track have no next level and count as
such. The counts are SQL aggregates over the stored readiness (GROUP BY verdict as of today), a
fixed number of queries whatever the size of the organisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, FilteredRelation, Q, Value, When
from django.db.models.functions import TruncMonth

from ladder.assessments.models import RuleVerdict
from ladder.frameworks.experience import add_months

from . import charts
from .pages import InsightsRequest

# The funnel's columns, closest to a promotion first; the last is for people at the top.
NO_NEXT = "no_next"
STAGES = (
    (RuleVerdict.READY.value, "Ready", charts.GOOD),
    (RuleVerdict.ELIGIBLE_FROM.value, "Eligible later", charts.WAIT),
    (RuleVerdict.NOT_YET.value, "Not yet", charts.BAD),
    (RuleVerdict.NOT_ASSESSED.value, "Not assessed", charts.NEUTRAL),
    (NO_NEXT, "No next level", 0),
)
NO_TEAM = "No team"


def series() -> list[charts.Series]:
    return [charts.Series(label, tone) for _, label, tone in STAGES]


@dataclass(frozen=True)
class FunnelRow:
    label: str
    counts: tuple[int, ...]  # one per stage, in STAGES' order
    total: int


@dataclass(frozen=True)
class Funnel:
    rows: tuple[FunnelRow, ...]
    totals: tuple[int, ...]
    total: int

    def count(self, stage: str) -> int:
        return self.totals[[key for key, _, _ in STAGES].index(stage)]


def _funnel(labels: list[tuple[object, str]], verdicts: dict, people: dict) -> Funnel:
    """Rows in the order of `labels` ((key, label)), from the people per (key, verdict) and the
    people per key (those with no first next level are the difference)."""
    rows = []
    for key, label in labels:
        counts = [verdicts.get((key, stage), 0) for stage, _, _ in STAGES[:-1]]
        counts.append(people.get(key, 0) - sum(counts))
        rows.append(FunnelRow(label, tuple(counts), people.get(key, 0)))
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(STAGES)))
    return Funnel(tuple(rows), totals, sum(totals))


def _counted(view: InsightsRequest, today: datetime.date, *keys: str) -> list[dict]:
    """The people in view with a level, counted by `keys` and by the verdict for their first
    next level as of `today` (None: they have no next level): one GROUP BY over the stored
    standings, joined to the first stored readiness of each."""
    first = FilteredRelation("stored_readiness", condition=Q(stored_readiness__position=0))
    verdict_now = Case(
        When(
            first__verdict=RuleVerdict.ELIGIBLE_FROM.value,
            first__eligible_from__lte=today,
            then=Value(RuleVerdict.READY.value),
        ),
        default=F("first__verdict"),
        output_field=CharField(),
    )
    return list(
        view.people()
        .filter(stored_standing__current__isnull=False)
        .annotate(first=first, verdict_now=verdict_now)
        .values(*keys, "verdict_now")
        .annotate(people=Count("pk"))
        .order_by()
    )


def _tallies(rows: list[dict], key: str) -> tuple[dict, dict]:
    """People per (key, verdict) and per key, from `_counted`'s rows."""
    verdicts, people = {}, {}
    for row in rows:
        people[row[key]] = people.get(row[key], 0) + row["people"]
        if row["verdict_now"] is not None:
            verdicts[(row[key], row["verdict_now"])] = row["people"]
    return verdicts, people


def by_level(view: InsightsRequest, today: datetime.date) -> Funnel:
    """The funnel per current level, lowest first: one query."""
    current = "stored_standing__current__"
    rows = _counted(view, today, f"{current}code", f"{current}title", f"{current}number")
    verdicts, people = _tallies(rows, f"{current}code")
    titles = {
        row[f"{current}code"]: (row[f"{current}number"], row[f"{current}title"]) for row in rows
    }
    order = sorted(titles, key=lambda code: (titles[code][0], code))
    return _funnel([(code, f"{code} {titles[code][1]}") for code in order], verdicts, people)


def by_team(view: InsightsRequest, today: datetime.date) -> Funnel:
    """The funnel per team, by name (people on no team last): one query; as many rows as
    there are teams in view."""
    verdicts, people = _tallies(_counted(view, today, "team__name"), "team__name")
    order = sorted((name for name in people if name is not None), key=str.lower)
    if None in people:
        order.append(None)
    return _funnel([(name, name or NO_TEAM) for name in order], verdicts, people)


@dataclass(frozen=True)
class EligibleMonth:
    month: datetime.date
    people: int


def eligible_months(view: InsightsRequest, today: datetime.date) -> list[EligibleMonth]:
    """People eligible later, by the month they become eligible: one query."""
    rows = (
        view.readiness(today)
        .filter(verdict_now=RuleVerdict.ELIGIBLE_FROM.value)
        .annotate(month=TruncMonth("eligible_from"))
        .values("month")
        .annotate(people=Count("pk"))
        .order_by("month")
    )
    return [EligibleMonth(_as_date(row["month"]), row["people"]) for row in rows]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def not_assessed_since(today: datetime.date, months: int) -> datetime.date:
    """The latest day an assessment may have been shared on and be `months` whole months old
    on `today` (as `readiness.is_stale` counts them)."""
    return add_months(today, -months)


def not_assessed(view: InsightsRequest, today: datetime.date, months: int):
    """People in view with a level whose manager has shared no assessment of them, or none in
    the last `months` months, longest unassessed first."""
    cutoff = not_assessed_since(today, months)
    return (
        view.standings()
        .filter(Q(last_assessed_on__isnull=True) | Q(last_assessed_on__lte=cutoff))
        .select_related("person", "person__team", "person__manager", "current")
        .order_by(F("last_assessed_on").asc(nulls_first=True), "person__name", "person__pk")
    )
