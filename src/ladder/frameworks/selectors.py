"""Reading ladders back from the database for the pages, in a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch

from .ladder_data import (
    BULLET_SECTIONS,
    CRITERIA_SECTIONS,
    MinimumExperience,
    PromotionRules,
    Scale,
)
from .ladder_data import Ladder as LadderData
from .ladder_data import Level as LevelData
from .models import Criterion, ExpectedRating, Ladder, LadderVersion, Level


def get_ladder(slug: str) -> Ladder:
    """A ladder on the pages; a retired one raises Ladder.DoesNotExist like one that never was."""
    ladder = Ladder.objects.active().filter(slug=slug).first()
    if ladder is None:
        raise Ladder.DoesNotExist(f"No ladder {slug!r}")
    return ladder


def get_version(ladder: Ladder, number: int | None = None) -> LadderVersion:
    """A version of the ladder, the latest by default; LadderVersion.DoesNotExist when none."""
    versions = ladder.versions.select_related("ladder")
    version = versions.filter(number=number).first() if number else versions.latest_first().first()
    if version is None:
        raise LadderVersion.DoesNotExist(
            f"No version {number} of {ladder.slug}" if number else "No version yet"
        )
    return version


def version_ladder(version: LadderVersion) -> LadderData:
    """The version as the pure model, from its rows: three queries whatever its size.

    The one way back from a stored version to the ladder it holds, for pages, services and
    imports alike; the rows were written from the parsed source when it was imported.
    """
    levels = version.levels.order_by("position").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position")),
        Prefetch("expected_ratings", queryset=ExpectedRating.objects.order_by("position")),
    )
    return LadderData(
        title=version.title,
        dimensions=tuple(version.dimensions),
        levels=tuple(_level_data(level) for level in levels),
        scale=Scale(version.scale_min, version.scale_max),
        rules=PromotionRules(**version.rules),
    )


def _level_data(level: Level) -> LevelData:
    sections: dict[str, list[str]] = {name: [] for name in CRITERIA_SECTIONS}
    for criterion in level.criteria.all():
        sections[criterion.section].append(criterion.text)
    return LevelData(
        code=level.code,
        title=level.title,
        number=level.number,
        track=level.track,
        minimum_experience=MinimumExperience(
            level.minimum_experience_months, tuple(level.minimum_experience_text)
        ),
        next_actions=tuple(level.next_actions),
        scenario=tuple(level.scenario),
        ratings=level.expected_ratings.by_dimension(),
        **{name: tuple(texts) for name, texts in sections.items()},
    )


def get_level(ladder: LadderData, code: str) -> LevelData:
    """The ladder's level of that code; Level.DoesNotExist, as for a stored level, when none."""
    try:
        return ladder.level(code)
    except KeyError:
        # Codes are written in capitals, but a typed URL may not be.
        for level in ladder.levels:
            if level.code.casefold() == code.casefold():
                return level
        raise Level.DoesNotExist(f"No level {code!r}") from None


# -- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    level: LevelData
    section: str
    # The line cut into (text, matched) pieces, so templates can mark the matches.
    pieces: tuple[tuple[str, bool], ...]


# The Level fields searched, with their section names: the criteria, then the guidance.
SEARCHED_SECTIONS = {
    **CRITERIA_SECTIONS,
    **{BULLET_SECTIONS[name]: name for name in ("Next Actions", "Scenario")},
}


def search(ladder: LadderData, query: str) -> list[SearchHit]:
    """Every criterion, next action and scenario line that contains all the words typed."""
    words = [word for word in query.split() if word]
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    hits = []
    for level in ladder.levels:
        for name, label in SEARCHED_SECTIONS.items():
            for text in getattr(level, name):
                folded = text.casefold()
                if all(word.casefold() in folded for word in words):
                    hits.append(SearchHit(level, label, _pieces(text, pattern)))
    return hits


def _pieces(text: str, pattern: re.Pattern) -> tuple[tuple[str, bool], ...]:
    pieces, start = [], 0
    for match in pattern.finditer(text):
        if match.start() > start:
            pieces.append((text[start : match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return tuple(pieces)
