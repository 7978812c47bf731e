"""Headcount by level and track today, and at the end of each of the last four quarters.

Today's numbers come from the stored standings (each person's level in the latest version of
its ladder); the quarters' from the level history, which says who held which level on any day.
Each is one aggregate query, whatever the size of the organisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from ladder.assessments.readiness import MONTH_NAMES
from ladder.people.models import LevelAssignment

from .pages import InsightsRequest

QUARTERS = 4


@dataclass(frozen=True)
class LevelRow:
    number: int
    levels: tuple[tuple[str, str], ...]  # (code, title) of each level of that number
    counts: tuple[int, ...]  # one per track
    total: int

    @property
    def label(self) -> str:
        return f"Level {self.number}"

    @property
    def codes(self) -> str:
        """ "SR2 Senior Developer II, TL1 Tech Lead"."""
        return ", ".join(f"{code} {title}" for code, title in self.levels)

    @property
    def short_label(self) -> str:
        """ "Level 6 · SR2 / TL1", for a chart."""
        return f"{self.label} · {' / '.join(code for code, _ in self.levels)}"


@dataclass(frozen=True)
class Headcount:
    tracks: tuple[str, ...]
    rows: tuple[LevelRow, ...]
    track_totals: tuple[int, ...]
    total: int
    # People in view with no level yet (None when a level or track filter leaves them out).
    without_level: int | None


def headcount(view: InsightsRequest) -> Headcount:
    """People in view by the number of their level and its track: a row for every level of the
    ladders in use that the filters keep, with or without people."""
    chosen = view.filters.cleaned_data
    levels = [
        (code, title, track, number)
        for code, title, track, number in view.filters.levels
        if chosen.get("level") in ("", None, code) and chosen.get("track") in ("", None, track)
    ]
    counted = (
        view.standings()
        .values("current__code", "current__title", "current__track", "current__number")
        .annotate(people=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = {}
    names: dict[int, dict[str, str]] = {}
    for code, title, _track, number in levels:
        names.setdefault(number, {})[code] = title
    for row in counted:
        number, track = row["current__number"], row["current__track"]
        counts[(number, track)] = counts.get((number, track), 0) + row["people"]
        names.setdefault(number, {})[row["current__code"]] = row["current__title"]
    tracks = tuple(sorted({track for _, _, track, _ in levels} | {t for _, t in counts}))
    rows = []
    for number in sorted(names):
        per_track = tuple(counts.get((number, track), 0) for track in tracks)
        rows.append(
            LevelRow(number, tuple(sorted(names[number].items())), per_track, sum(per_track))
        )
    without = None
    if not chosen.get("level") and not chosen.get("track"):
        without = (
            view.people()
            .filter(Q(stored_standing__isnull=True) | Q(stored_standing__current__isnull=True))
            .count()
        )
    track_totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(tracks)))
    return Headcount(tracks, tuple(rows), track_totals, sum(track_totals), without)


# -- the last quarters -----------------------------------------------------------------------


def quarter_ends(today: datetime.date, count: int = QUARTERS) -> list[datetime.date]:
    """The last `count` quarter ends before `today`, oldest first."""
    ends = []
    first = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    for _ in range(count):
        end = first - datetime.timedelta(days=1)
        ends.append(end)
        first = datetime.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return list(reversed(ends))


def quarter_name(day: datetime.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


@dataclass(frozen=True)
class HistoryRow:
    day: datetime.date
    label: str
    counts: tuple[int, ...]  # one per track
    total: int
    change: int | None  # against the row before


@dataclass(frozen=True)
class History:
    tracks: tuple[str, ...]
    rows: tuple[HistoryRow, ...]


def history(view: InsightsRequest, today: datetime.date) -> History:
    """Headcount by track at the end of each of the last four quarters and today, from the level
    history: one query. Team and manager filters pick people as they are today; level and
    track filters the level held on each day."""
    days = [*quarter_ends(today), today]

    def held_on(day: datetime.date) -> Q:
        # An assignment ends on the day the next one starts: that day belongs to the next.
        return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))

    counted = (
        LevelAssignment.objects.filter(
            view.scope.q("person__"),
            view.filters.q(person="person__", level="level__"),
        )
        .filter(Q(end__isnull=True) | Q(end__gt=days[0]), start__lte=today)
        .values("level__track")
        .annotate(
            **{
                f"day{index}": Count("person", distinct=True, filter=held_on(day))
                for index, day in enumerate(days)
            }
        )
        .order_by()
    )
    by_track = {row["level__track"]: row for row in counted}
    tracks = tuple(sorted(by_track))
    rows, before = [], None
    for index, day in enumerate(days):
        counts = tuple(by_track[track][f"day{index}"] for track in tracks)
        total = sum(counts)
        label = (
            f"Today, {day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"
            if day == today
            else f"End of {quarter_name(day)}"
        )
        rows.append(
            HistoryRow(day, label, counts, total, None if before is None else total - before)
        )
        before = total
    return History(tracks, tuple(rows))
