"""What the writers of evidence, assessments and growth plans share: the saved people, the
ladder's levels read once, one random generator, and the clock of the build."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from ladder.assessments.models import Assessment, Evidence, current_cycle
from ladder.assessments.readiness import Readiness
from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.ladder_data import Level as LevelData
from ladder.frameworks.models import Criterion, ExpectedRating, LadderVersion, Level
from ladder.people.models import Person

from .planning import Node

# An assessment comes at least this long after the start in a level.
SETTLING_DAYS = 14

# A criterion's answer: its status and comment.
Answer = tuple[Criterion, str, str]


def choose(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


@dataclass
class LevelInfo:
    row: Level
    data: LevelData
    criteria: list[Criterion]
    expected: list[ExpectedRating]
    # The first of its next levels, as `standings_of` orders them.
    next: LevelInfo | None = None


def level_infos(
    version: LadderVersion, levels: list[Level], ladder: LadderData
) -> dict[str, LevelInfo]:
    """Every level of the version with its criteria and expected ratings: two queries."""
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(level__version=version).order_by("level", "position"):
        criteria[criterion.level_id].append(criterion)
    expected: dict[int, list[ExpectedRating]] = defaultdict(list)
    for rating in ExpectedRating.objects.filter(level__version=version).order_by(
        "level", "position"
    ):
        expected[rating.level_id].append(rating)
    infos = {
        level.code: LevelInfo(
            level, ladder.level(level.code), criteria[level.pk], expected[level.pk]
        )
        for level in levels
    }
    for info in infos.values():
        following = ladder.next_levels(info.data)
        info.next = infos[following[0].code] if following else None
    return infos


@dataclass
class Activity:
    nodes: list[Node]
    saved: dict[int, Person]
    infos: dict[str, LevelInfo]
    ladder: LadderData
    version: LadderVersion
    rng: random.Random
    today: datetime.date
    now: datetime.datetime
    # Each person's evidence with the criteria it is tied to.
    evidence: dict[int, list[tuple[Evidence, list[Criterion]]]] = field(default_factory=dict)
    # The shared manager assessment of those who have one, its answers and their readiness.
    judged: dict[int, tuple[Assessment, list[Answer], Readiness]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)

    def at(self, day: datetime.date) -> datetime.datetime:
        """A moment in the working hours of `day`, and never later than now."""
        time = datetime.time(self.rng.randint(8, 18), self.rng.randint(0, 59))
        return min(timezone.make_aware(datetime.datetime.combine(day, time)), self.now)

    def cycles(self) -> list[tuple[str, datetime.date, datetime.date]]:
        """This half-year's cycle and the one before, with their first and last days."""
        year = self.today.year
        h1 = (datetime.date(year, 1, 1), datetime.date(year, 6, 30))
        h2 = (datetime.date(year, 7, 1), datetime.date(year, 12, 31))
        last_h2 = (datetime.date(year - 1, 7, 1), datetime.date(year - 1, 12, 31))
        halves = [h2, h1] if current_cycle(self.today) == current_cycle(h2[0]) else [h1, last_h2]
        # Named by the assessments' own rule, so a cycle here is one the pages know.
        return [(current_cycle(first), first, last) for first, last in halves]

    def window(self, since: datetime.date) -> tuple[str, datetime.date, datetime.date] | None:
        """A cycle, and the days in it when someone settled in their level could be assessed."""
        settled = since + datetime.timedelta(days=SETTLING_DAYS)
        windows = []
        for cycle, start, end in self.cycles():
            first, last = max(start, settled), min(end, self.today)
            if first <= last:
                windows.append((cycle, first, last))
        if not windows:
            return None
        # Mostly this half-year's.
        return windows[0] if len(windows) == 1 or self.rng.random() < 0.6 else windows[1]
