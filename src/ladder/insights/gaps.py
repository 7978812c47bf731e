"""The gaps most often standing between people and their next level, across an organisation.

Read from stored readiness: for each person and next level, the criteria their latest shared
manager assessment did not rate as met (`criteria_not_met`) and the dimensions rated below what
the level expects (`gaps` of kind "dimension"). People with no shared assessment against a level
are counted apart: they have no gaps to count. Time in level and the overall share of criteria
met are not counted as gaps here: neither is something to train for.

Up to 10,000 people, one row each per next level, are read in one query as bare values and
counted here: the JSON lists cannot be counted by SQL alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ladder.assessments.models import StoredReadiness
from ladder.assessments.readiness import Verdict
from ladder.frameworks.ladder_data import CRITERIA_SECTIONS

from .filters import InsightsFilter
from .scope import Scope

TOP = 10
DIMENSION = "dimension"
CRITERION = "criterion"


def percent(part: int, whole: int) -> int:
    """A whole percentage, rounded to the nearest; 0 of nothing is 0."""
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class Gap:
    """A criterion not met, or a dimension rated below the level's expectation, and how many
    people it holds back out of `assessed`."""

    kind: str  # CRITERION | DIMENSION
    section: str  # a CRITERIA_SECTIONS key for a criterion, "" for a dimension
    text: str  # the criterion's wording or the dimension's name
    people: int
    assessed: int

    @property
    def where(self) -> str:
        """Where the ladder states it: the criterion's section, or "Competency rating"."""
        return CRITERIA_SECTIONS.get(self.section, "Competency rating")

    @property
    def percent(self) -> int:
        return percent(self.people, self.assessed)


@dataclass(frozen=True)
class LevelGaps:
    """The most common gaps of the people assessed against one next level."""

    code: str
    title: str
    assessed: int  # people with a shared manager assessment against it
    not_assessed: int  # people for whom it is a next level, with none
    gaps: list[Gap]  # the TOP most common, most people first
    distinct: int  # how many different gaps were counted in all


@dataclass(frozen=True)
class OverallGap:
    """A gap counted across every level: a dimension is one gap whatever the level."""

    gap: Gap
    codes: list[str]  # the levels it was counted against


@dataclass(frozen=True)
class GapsReport:
    levels: list[LevelGaps]
    overall: list[OverallGap]
    assessed: int  # people assessed against at least one next level
    with_next: int  # people with at least one next level

    @property
    def not_assessed(self) -> int:
        return self.with_next - self.assessed


def _key(kind: str, section: str, text: str) -> tuple[str, str, str]:
    return (kind, section, text)


def _ranked(counts: dict[tuple, set[int]], top: int) -> list[tuple[tuple, set[int]]]:
    """The `top` gaps held by the most people; ties in the ladder's words, alphabetically."""
    return sorted(counts.items(), key=lambda item: (-len(item[1]), item[0][0], item[0][2]))[:top]


def gaps_report(
    *, scope: Scope, filters: InsightsFilter | None = None, top: int = TOP
) -> GapsReport:
    """The `top` gaps per next level of the people in `scope`, and across every level. The
    filters' level and track are those of the level people hold now."""
    rows = StoredReadiness.objects.filter(scope.q("person__"))
    if filters is not None:
        rows = rows.filter(filters.q("person__"))
    titles: dict[str, tuple[int, str]] = {}
    assessed: dict[str, int] = defaultdict(int)
    not_assessed: dict[str, int] = defaultdict(int)
    by_level: dict[str, dict[tuple, set[int]]] = defaultdict(lambda: defaultdict(set))
    overall: dict[tuple, set[int]] = defaultdict(set)
    overall_codes: dict[tuple, set[str]] = defaultdict(set)
    everyone: set[int] = set()
    everyone_assessed: set[int] = set()
    # "Not assessed" never turns into another verdict with time, so the stored verdict serves.
    for person_id, code, number, title, verdict, gaps, not_met in rows.order_by().values_list(
        "person_id", "target_code", "target__number", "target__title", "verdict", "gaps",
        "criteria_not_met",
    ):  # fmt: skip
        titles.setdefault(code, (number, title))
        everyone.add(person_id)
        if verdict == Verdict.NOT_ASSESSED:
            not_assessed[code] += 1
            continue
        assessed[code] += 1
        everyone_assessed.add(person_id)
        keys = {_key(CRITERION, item["section"], item["text"]) for item in not_met}
        keys.update(_key(DIMENSION, "", gap["subject"]) for gap in gaps if gap["kind"] == DIMENSION)
        for key in keys:
            by_level[code][key].add(person_id)
            overall[key].add(person_id)
            overall_codes[key].add(code)
    order = sorted(titles, key=lambda code: (titles[code][0], code))
    levels = [
        LevelGaps(
            code=code,
            title=titles[code][1],
            assessed=assessed[code],
            not_assessed=not_assessed[code],
            gaps=[
                Gap(*key, people=len(held), assessed=assessed[code])
                for key, held in _ranked(by_level[code], top)
            ],
            distinct=len(by_level[code]),
        )
        for code in order
    ]
    position = {code: index for index, code in enumerate(order)}
    return GapsReport(
        levels=levels,
        overall=[
            OverallGap(
                Gap(*key, people=len(held), assessed=len(everyone_assessed)),
                sorted(overall_codes[key], key=position.__getitem__),
            )
            for key, held in _ranked(overall, top)
        ],
        assessed=len(everyone_assessed),
        with_next=len(everyone),
    )
