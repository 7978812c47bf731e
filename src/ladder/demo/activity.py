"""What the writers of evidence, assessments and growth plans share: the saved people, the
ladder's levels read once, one random generator, and the clock of the build."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from ladder.assessments.models import Assessment, Evidence
from ladder.assessments.readiness import Readiness
from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.ladder_data import Level as LevelData
from ladder.frameworks.models import Criterion, ExpectedRating, LadderVersion, Level
from ladder.people.models import Person

from .phrases import EVIDENCE_TEXTS, evidence_topics, topics
from .planning import Node, RoundDates

# An assessment comes at least this long after the start in a level.
SETTLING_DAYS = 14
# Of those assessed, the share assessed in the review round; the rest were assessed in the round
# before, about six months earlier, and have not started in this one.
IN_ROUND_SHARE = 0.9
PREVIOUS_ROUND_DAYS_BEFORE = 182
PREVIOUS_ROUND_LENGTH = datetime.timedelta(days=49)

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
    # Each evidence phrase that speaks to some of its criteria, with those criteria.
    evidence: list[tuple[str, list[Criterion]]] = field(default_factory=list)


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
    phrases = [(text, evidence_topics(text)) for text in EVIDENCE_TEXTS]
    for info in infos.values():
        following = ladder.next_levels(info.data)
        info.next = infos[following[0].code] if following else None
        about = [(criterion, topics(criterion.text)) for criterion in info.criteria]
        for text, spoken in phrases:
            criteria = [criterion for criterion, named in about if named & spoken]
            if criteria:
                info.evidence.append((text, criteria))
    return infos


@dataclass(frozen=True)
class Window:
    """The days someone's assessments were written in, and whether in the review round."""

    in_round: bool
    first: datetime.date
    last: datetime.date


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
    round_dates: RoundDates
    # Each person's evidence with the criteria it is tied to.
    evidence: dict[int, list[tuple[Evidence, list[Criterion]]]] = field(default_factory=dict)
    # The shared manager assessment of those who have one, its answers and their readiness.
    judged: dict[int, tuple[Assessment, list[Answer], Readiness]] = field(default_factory=dict)
    # Those with assessments begun in the review round.
    in_round: set[int] = field(default_factory=set)
    counts: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)

    def at(self, day: datetime.date) -> datetime.datetime:
        """A moment in the working hours of `day`, and never later than now."""
        time = datetime.time(self.rng.randint(8, 18), self.rng.randint(0, 59))
        return min(timezone.make_aware(datetime.datetime.combine(day, time)), self.now)

    def hired(self, index: int | None) -> datetime.date | None:
        """The day someone started: their first level's. None for the top, who has no level."""
        if index is None or not self.nodes[index].history:
            return None
        return self.nodes[index].history[0][1]

    def window(self, index: int) -> Window | None:
        """When the person could be assessed: in the review round (mostly), or in the round
        before it; each only after they settled in their level and their manager had joined."""
        node, rounds = self.nodes[index], self.round_dates
        earliest = node.history[-1][1] + datetime.timedelta(days=SETTLING_DAYS)
        manager_hired = self.hired(node.parent)
        if manager_hired is not None:
            earliest = max(earliest, manager_hired)
        one_day = datetime.timedelta(days=1)
        # Begun the day after the round opened at the earliest, so they belong to it.
        previous = rounds.opened - datetime.timedelta(days=PREVIOUS_ROUND_DAYS_BEFORE)
        spans = (
            # Calibration is today: the round's assessments came in by yesterday.
            (True, rounds.opened + one_day, self.today - one_day),
            (False, previous + one_day, previous + PREVIOUS_ROUND_LENGTH),
        )
        windows = [
            Window(in_round, max(start, earliest), end)
            for in_round, start, end in spans
            if max(start, earliest) <= end
        ]
        if not windows:
            return None
        if node.standout or len(windows) == 1 or self.rng.random() < IN_ROUND_SHARE:
            return windows[0]
        return windows[1]
