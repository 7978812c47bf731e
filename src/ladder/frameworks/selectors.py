"""Reading ladders back from the database for the pages, in a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch

from .ladder_data import CRITERIA_SECTIONS, MinimumExperience, PromotionRules, Scale
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


# The one query every ladder page makes, written out: the ORM takes many times longer to build
# it than the database takes to answer it, and it runs on every request.
CURRENT_VERSION_SQL = (
    f"SELECT v.id, v.number, v.content_hash, l.slug FROM {LadderVersion._meta.db_table} v "
    f"JOIN {Ladder._meta.db_table} l ON l.id = v.ladder_id "
    "WHERE l.slug = %s AND l.retired_at IS NULL ORDER BY v.number DESC LIMIT 1"
)


def get_current_version_row(slug: str) -> tuple[int, int, str, str]:
    """(primary key, number, content hash, ladder slug) of the latest version of a ladder on
    the pages, in one bare query; DoesNotExist as get_current_version raises it when none."""
    with connection.cursor() as cursor:
        cursor.execute(CURRENT_VERSION_SQL, [slug])
        row = cursor.fetchone()
    if row is None:
        get_current_version(slug)  # raises the DoesNotExist that says why
    return tuple(row)


def get_current_version(slug: str) -> LadderVersion:
    """The latest version of a ladder on the pages, with its ladder, in one query: the one
    thing a page asks the database before reading the rest from the version's cache."""
    version = (
        LadderVersion.objects.filter(ladder__slug=slug, ladder__retired_at__isnull=True)
        .select_related("ladder")
        # The source is the whole file, kept for the record: no page shows it.
        .defer("source")
        .latest_first()
        .first()
    )
    if version is None:
        get_ladder(slug)  # Ladder.DoesNotExist for a ladder that is not there or retired
        raise LadderVersion.DoesNotExist("No version yet")
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
        synonyms={term: tuple(alike) for term, alike in version.synonyms},
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
