"""Time in level against each level's Minimum Experience, and who may be stuck.

A person's time in level is counted in whole calendar months from the day they took their level
(`experience.months_between`, as everywhere), and set against the minimum their level asks for
before the next (`StoredStanding.months_required`). In SQL, "at least k months in level" is
"in level since `add_months(today, -k)` or earlier": one cut-off date per minimum, and a ladder
has few distinct minimums, so the buckets are one aggregate query however many people there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When

from ladder.assessments.models import StoredReadiness, StoredStanding
from ladder.frameworks.experience import add_months, months_between
from ladder.promotions.models import PromotionCase

from . import charts
from .pages import InsightsRequest

BELOW, WITHIN, OVER, NO_MINIMUM = "below", "within", "over", "none"
BUCKETS = (
    (BELOW, "Below the minimum", charts.NEUTRAL),
    (WITHIN, "Minimum to twice it", charts.GOOD),
    (OVER, "Twice the minimum or more", charts.BAD),
    (NO_MINIMUM, "No minimum stated", 0),
)


def series() -> list[charts.Series]:
    return [charts.Series(label, tone) for _, label, tone in BUCKETS]


def months_ago(today: datetime.date, months: int) -> datetime.date:
    """The latest start at which a person has `months` whole months in level on `today`."""
    return add_months(today, -months)


def bucket_of(today: datetime.date, minimums) -> Case:
    """Each standing's bucket as an SQL expression, for the `minimums` (months) that occur."""
    whens = [
        When(Q(months_required__isnull=True) | Q(months_required=0), then=Value(NO_MINIMUM)),
        When(since__isnull=True, then=Value(NO_MINIMUM)),
    ]
    for months in sorted(set(minimums) - {None, 0}):
        whens += [
            When(months_required=months, since__gt=months_ago(today, months), then=Value(BELOW)),
            When(
                months_required=months,
                since__gt=months_ago(today, 2 * months),
                then=Value(WITHIN),
            ),
        ]
    return Case(*whens, default=Value(OVER), output_field=CharField())


def _bucketed(view: InsightsRequest, today: datetime.date) -> QuerySet[StoredStanding]:
    standings = view.standings()
    minimums = standings.values_list("months_required", flat=True).distinct().order_by()
    return standings.annotate(bucket=bucket_of(today, list(minimums)))


@dataclass(frozen=True)
class TimeRow:
    code: str
    title: str
    minimum: int | None  # months
    counts: tuple[int, ...]  # one per bucket, in BUCKETS' order
    total: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


@dataclass(frozen=True)
class TimeInLevel:
    rows: tuple[TimeRow, ...]
    totals: tuple[int, ...]
    total: int

    def count(self, bucket: str) -> int:
        return self.totals[[key for key, _, _ in BUCKETS].index(bucket)]


def time_in_level(view: InsightsRequest, today: datetime.date) -> TimeInLevel:
    """People in view by level and bucket of time in level: two queries."""
    counted = (
        _bucketed(view, today)
        .values("current__code", "current__title", "current__number", "months_required", "bucket")
        .annotate(people=Count("pk"))
        .order_by()
    )
    keys = [key for key, _, _ in BUCKETS]
    levels: dict[str, dict] = {}
    for row in counted:
        level = levels.setdefault(
            row["current__code"],
            {
                "title": row["current__title"],
                "number": row["current__number"],
                "minimum": row["months_required"],
                "counts": [0] * len(keys),
            },
        )
        level["counts"][keys.index(row["bucket"])] += row["people"]
    rows = tuple(
        TimeRow(
            code,
            level["title"],
            level["minimum"] or None,
            tuple(level["counts"]),
            sum(level["counts"]),
        )
        for code, level in sorted(levels.items(), key=lambda item: (item[1]["number"], item[0]))
    )
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(keys)))
    return TimeInLevel(rows, totals, sum(totals))


def possibly_stuck(view: InsightsRequest, today: datetime.date) -> QuerySet[StoredStanding]:
    """People in view in their level twice its minimum or longer, with no open promotion case:
    longest in level first."""
    open_case = PromotionCase.objects.open().filter(person=OuterRef("person"))
    return (
        _bucketed(view, today)
        .filter(bucket=OVER)
        .exclude(Exists(open_case))
        .select_related("person", "person__team", "person__manager", "current")
        .order_by("since", "person__name", "person__pk")
    )


@dataclass(frozen=True)
class StuckRow:
    standing: StoredStanding
    months: int
    verdict: StoredReadiness | None


def stuck_rows(standings, today: datetime.date) -> list[StuckRow]:
    """A page of `possibly_stuck` with months in level and the first next level's readiness
    (one query for the page)."""
    standings = list(standings)
    readiness = {
        row.person_id: row
        for row in StoredReadiness.objects.as_of(today).filter(
            person__in=[s.person_id for s in standings], position=0
        )
    }
    return [
        StuckRow(s, months_between(s.since, today), readiness.get(s.person_id)) for s in standings
    ]
