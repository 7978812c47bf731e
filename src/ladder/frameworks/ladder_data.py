"""The ladder as plain, immutable data: what a ladder file means, free of Django."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# The sections whose bullets a person is assessed on, by the Level field that holds them, in
# the ladder's order. The one list of criterion sections: the Criterion model's choices, the
# assessment form and the search are made from it.
CRITERIA_SECTIONS = {
    "responsibilities": "Responsibilities",
    "skills": "Skills and Criteria",
    "soft_skills": "Soft Skills and Collaboration",
}
# Each bullet section, in the ladder's order, with the Level field that holds its bullets.
BULLET_SECTIONS = {
    **{name: field for field, name in CRITERIA_SECTIONS.items()},
    "Minimum Experience": "minimum_experience",
    "Next Actions": "next_actions",
    "Scenario": "scenario",
}
# Every section of a level, in the ladder's order (Competency Ratings is a table, not bullets).
SECTIONS = (*BULLET_SECTIONS, "Competency Ratings")

# What the database can hold of a ladder. models.py takes its column sizes from here and a test
# holds the integer ranges to the database's, so that a file the parser accepts is one that an
# import can store, on every database.
MAX_TITLE_LENGTH = 200  # the ladder's title and each level's
MAX_CODE_LENGTH = 32  # a level code
MAX_NAME_LENGTH = 100  # a dimension or a track
# SmallIntegerField: level numbers, the ends of the scale (and so every rating).
SMALL_INTEGERS = range(-32768, 32767 + 1)
# PositiveSmallIntegerField: months of Minimum Experience, and the positions that number the
# levels of a ladder, the criteria of a level and the dimensions of a ratings table.
POSITIVE_SMALL_INTEGERS = range(0, 32767 + 1)
# Characters PostgreSQL cannot store in text (NUL) or at all (a lone surrogate).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A ladder's synonyms (front matter `synonyms:`): each word or phrase, and how many a ladder may
# list, so that one search expands to a bounded query whatever the file says.
MAX_SYNONYM_LENGTH = 100
MAX_SYNONYMS_PER_TERM = 20
MAX_SYNONYM_TERMS = 200
# More digits than this is beyond every limit a ladder has; Python will not even read a number
# of over 4,300 digits, so longer ones are never converted.
MAX_DIGITS = 9


@dataclass(frozen=True)
class Scale:
    min: int = 1
    max: int = 5

    def __contains__(self, rating: object) -> bool:
        return isinstance(rating, int) and self.min <= rating <= self.max


@dataclass(frozen=True)
class PromotionRules:
    """Thresholds of the readiness rule; a ladder may override them in its front matter."""

    # Share of the target level's criteria rated meets or exceeds.
    min_criteria_met: float = 0.8
    # How far below the target's expected rating a dimension may be (0: at or above).
    max_rating_shortfall: int = 0
    # Whether a Responsibility may still be rated "not yet".
    allow_responsibility_not_yet: bool = False
    # Whether time in the current level must reach its Minimum Experience.
    require_minimum_experience: bool = True


@dataclass(frozen=True)
class MinimumExperience:
    months: int | None = None
    text: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    code: str
    title: str
    number: int
    track: str
    responsibilities: tuple[str, ...]
    skills: tuple[str, ...]
    soft_skills: tuple[str, ...]
    minimum_experience: MinimumExperience
    next_actions: tuple[str, ...]
    scenario: tuple[str, ...]
    ratings: Mapping[str, int] = field(default_factory=dict)

    def bullets(self, section: str) -> tuple[str, ...]:
        """The bullets of a section, by its name in the ladder ("Next Actions")."""
        if section == "Minimum Experience":
            return self.minimum_experience.text
        return getattr(self, BULLET_SECTIONS[section])

    def criteria(self) -> list[tuple[str, str]]:
        """Every assessable bullet as (field name, text), in the ladder's order."""
        return [(name, text) for name in CRITERIA_SECTIONS for text in getattr(self, name)]


@dataclass(frozen=True)
class Ladder:
    title: str
    dimensions: tuple[str, ...]
    levels: tuple[Level, ...]
    scale: Scale = Scale()
    rules: PromotionRules = PromotionRules()
    # Words a search takes as the same: {"EF": ("Entity Framework", "EF Core")}. A term and its
    # list are one group; a search for any of them finds lines with any of them.
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    def tracks(self) -> list[str]:
        """Track names in the order their first level appears."""
        return list(dict.fromkeys(level.track for level in self.levels))

    def next_levels(self, level: Level) -> list[Level]:
        """Where a promotion out of `level` may lead.

        The next level on its own track; any level at number + 1 that starts another track
        (a branch); and, where its track ends, every level at number + 1 (a join).
        """
        own_track_later = [
            other
            for other in self.levels
            if other.track == level.track and other.number > level.number
        ]
        result = []
        if own_track_later:
            lowest = min(other.number for other in own_track_later)
            result += [other for other in own_track_later if other.number == lowest]
        starts = self._track_starts()
        for other in self.levels:
            if other.number != level.number + 1 or other in result:
                continue
            if not own_track_later or (other.track != level.track and starts[other.track] is other):
                result.append(other)
        return result

    def previous_levels(self, level: Level) -> list[Level]:
        return [other for other in self.levels if level in self.next_levels(other)]

    def promotions(self) -> dict[str, tuple[list[Level], list[Level]]]:
        """Each level's (previous, next) levels by code, worked out once for the whole ladder."""
        result: dict[str, tuple[list[Level], list[Level]]] = {
            level.code: ([], []) for level in self.levels
        }
        for level in self.levels:
            for target in self.next_levels(level):
                result[level.code][1].append(target)
                result[target.code][0].append(level)
        return result

    def lateral_levels(self, level: Level) -> list[Level]:
        """Levels with the same number on another track."""
        return [
            other
            for other in self.levels
            if other.number == level.number and other.track != level.track
        ]

    def _track_starts(self) -> dict[str, Level]:
        starts: dict[str, Level] = {}
        for level in self.levels:
            if level.track not in starts or level.number < starts[level.track].number:
                starts[level.track] = level
        return starts
