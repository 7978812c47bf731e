"""API: the ladders, their versions and levels, and what changed between two versions.

The same reading as the ladder pages: the same selectors (a retired ladder is not there, as on
the pages), the same per-version cache, the same export and the same diff. Anyone with a read
token may read a ladder, as anyone may on the pages.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from ladder.frameworks.diff import LadderDiff, diff_ladders
from ladder.frameworks.export import ladder_to_dict
from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.ladder_data import Level as LevelData
from ladder.frameworks.models import Ladder, LadderVersion
from ladder.frameworks.selectors import get_ladder, get_level, get_version
from ladder.frameworks.version_cache import from_version, version_data, version_stamp

from .pagination import Cursor
from .schemas import LevelRef

router = Router(tags=["ladders"])

# Version numbers are a PositiveIntegerField: anything past it names no version, and is refused
# as input rather than sent to a database that cannot compare it.
MAX_VERSION_NUMBER = 2_147_483_647
VERSION_NUMBER = {"ge": 1, "le": MAX_VERSION_NUMBER}


# -- shapes -----------------------------------------------------------------------------------


class LadderOut(Schema):
    """A ladder on the pages."""

    slug: str
    title: str
    created_at: datetime.datetime
    current_version: int | None = Field(
        description="The latest version's number, which the pages show; null before any import."
    )


class VersionOut(Schema):
    """One imported version of a ladder: when, from what, by whom and why."""

    number: int
    imported_at: datetime.datetime
    imported_by: str | None = Field(description="Who imported it; null for the command line.")
    source_name: str
    note: str = Field(description="Why the version was made, as whoever imported it said.")
    content_hash: str = Field(description="SHA-256 of the version's canonical form.")

    @staticmethod
    def resolve_imported_by(version: LadderVersion) -> str | None:
        return str(version.imported_by) if version.imported_by_id else None


class ScaleOut(Schema):
    min: int
    max: int


class MinimumExperienceOut(Schema):
    months: int | None = Field(
        description="Time in the level before a promotion out of it is considered; null where "
        "no line states a duration."
    )
    text: list[str]


class LevelExport(Schema):
    """A level as `ladder export` writes it."""

    code: str
    title: str
    number: int
    track: str
    responsibilities: list[str]
    skills: list[str] = Field(description="Skills and Criteria.")
    soft_skills: list[str] = Field(description="Soft Skills and Collaboration.")
    minimum_experience: MinimumExperienceOut
    next_actions: list[str]
    scenario: list[str]
    ratings: dict[str, int] = Field(description="The expected rating per dimension.")


class LadderExport(Schema):
    """A version of a ladder exactly as `ladder export --format json` writes it (the shape
    `ladder schema` describes)."""

    title: str
    dimensions: list[str]
    scale: ScaleOut
    levels: list[LevelExport]
    synonyms: dict[str, list[str]]


class LevelDetail(LevelExport):
    """A level as `ladder export` writes it, with where it sits: its ladder and version, and
    the codes of the levels a promotion leads to it from, out of it to, and beside it."""

    ladder: str
    version: int
    previous_levels: list[str]
    next_levels: list[str]
    lateral_levels: list[str] = Field(description="Levels of the same number on another track.")


class LevelItem(LevelRef):
    """A level of a version, read from its row."""

    @staticmethod
    def resolve_ladder(level) -> str:
        return level.version.ladder.slug

    @staticmethod
    def resolve_version(level) -> int:
        return level.version.number


class FactChange(Schema):
    """One fact that changed: `what` names it ("title", "scale", "rating Team Contributor",
    "minimum experience (months)"), with its value before and after."""

    what: str
    before: Any
    after: Any


class RewordedOut(Schema):
    before: str
    after: str


class SectionChangeOut(Schema):
    """The bullets of one section of a level (by its name in the ladder) that changed."""

    section: str
    added: list[str]
    removed: list[str]
    reworded: list[RewordedOut]


class LevelChangeOut(Schema):
    code: str
    facts: list[FactChange]
    sections: list[SectionChangeOut]


class DiffOut(Schema):
    """What changed from one version of a ladder to another, as the diff page shows it."""

    ladder: str
    from_version: int
    to_version: int
    facts: list[FactChange] = Field(description="Changes to the ladder's own facts.")
    added: list[LevelRef] = Field(description="Levels of `to_version` that `from_version` lacks.")
    removed: list[LevelRef] = Field(description="Levels of `from_version` gone from `to_version`.")
    changed: list[LevelChangeOut]


# -- reading ----------------------------------------------------------------------------------

Found = TypeVar("Found")


def _found(select: Callable[..., Found], *args) -> Found:
    """What a selector finds; a 404 where it raises DoesNotExist, as on the pages."""
    try:
        return select(*args)
    except ObjectDoesNotExist:
        raise Http404("Not found") from None


def _ladders():
    """The ladders on the pages, each with its latest version's number, in one query."""
    return Ladder.objects.active().annotate(current_version=Max("versions__number"))


def _version(slug: str, number: int) -> LadderVersion:
    """A version of a ladder on the pages, with its ladder; a 404 where there is none."""
    return _found(get_version, _found(get_ladder, slug), number)


def _level_detail(version: LadderVersion, data: LadderData, level: LevelData) -> dict:
    """The level as the export writes it, with the codes of the levels around it."""
    exported = next(item for item in ladder_to_dict(data)["levels"] if item["code"] == level.code)
    previous, following = data.promotions()[level.code]
    return {
        **exported,
        "ladder": version.ladder.slug,
        "version": version.number,
        "previous_levels": [other.code for other in previous],
        "next_levels": [other.code for other in following],
        "lateral_levels": [other.code for other in data.lateral_levels(level)],
    }


def _plain(value):
    """A fact of the diff as JSON: the scale and the rules as objects, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _facts(facts) -> list[dict]:
    return [{"what": what, "before": _plain(old), "after": _plain(new)} for what, old, new in facts]


def _ref(slug: str, number: int, level: LevelData) -> dict:
    """A level of the pure model as a LevelRef (`level_ref` takes a stored level)."""
    return {
        "ladder": slug,
        "version": number,
        "code": level.code,
        "title": level.title,
        "number": level.number,
        "track": level.track,
    }


def _diff_dict(before: LadderVersion, after: LadderVersion, change: LadderDiff) -> dict:
    slug = after.ladder.slug
    return {
        "ladder": slug,
        "from_version": before.number,
        "to_version": after.number,
        "facts": _facts(change.facts),
        "added": [_ref(slug, after.number, level) for level in change.added],
        "removed": [_ref(slug, before.number, level) for level in change.removed],
        "changed": [
            {
                "code": level.code,
                "facts": _facts(level.facts),
                "sections": [
                    {
                        "section": section.section,
                        "added": list(section.added),
                        "removed": list(section.removed),
                        "reworded": [
                            {"before": item.before, "after": item.after}
                            for item in section.reworded
                        ],
                    }
                    for section in level.sections
                ],
            }
            for level in change.changed
        ],
    }


# -- operations -------------------------------------------------------------------------------


@router.get("/", response=list[LadderOut], summary="List ladders")
@paginate(Cursor, ordering=("title", "slug"))
def ladder_list(request):
    """The ladders on the pages, by title; retired ladders are not listed, as on the pages."""
    return _ladders()


@router.get("/{slug}/", response=LadderOut, summary="Read a ladder")
def ladder_detail(request, slug: str):
    """One ladder by its slug, with the number of its current version; a retired ladder is a
    404, as on the pages."""
    ladder = _ladders().filter(slug=slug).first()
    if ladder is None:
        raise Http404("Not found")
    return ladder


@router.get("/{slug}/versions/", response=list[VersionOut], summary="List a ladder's versions")
@paginate(Cursor, ordering=("-number",))
def version_list(request, slug: str):
    """Every imported version of the ladder, newest first, as its history page lists them."""
    ladder = _found(get_ladder, slug)
    # The source is the whole imported file, kept for the record: no list shows it.
    return ladder.versions.select_related("imported_by").defer("source")


@router.get(
    "/{slug}/versions/{number}/",
    response=LadderExport,
    summary="Read a version as `ladder export` writes it",
)
def version_detail(request, slug: str, number: int = Path(..., **VERSION_NUMBER)):
    """The version exactly as `ladder export --format json` writes the file it was imported
    from: the same JSON as the page's JSON download. Its history (when, by whom, why) is in
    the versions list."""
    return ladder_to_dict(version_data(_version(slug, number)))


@router.get(
    "/{slug}/versions/{number}/levels/",
    response=list[LevelItem],
    summary="List a version's levels",
)
@paginate(Cursor, ordering=("position",))
def level_list(request, slug: str, number: int = Path(..., **VERSION_NUMBER)):
    """The version's levels in the ladder's order; each one's criteria are in its detail."""
    version = _version(slug, number)
    # Read through the version, each level knows it (and its ladder) with no further query.
    return version.levels.all()


@router.get(
    "/{slug}/versions/{number}/levels/{code}/",
    response=LevelDetail,
    summary="Read a level with its criteria",
)
def level_detail(request, slug: str, code: str, number: int = Path(..., **VERSION_NUMBER)):
    """One level of the version by its code (in any case, as the level page takes it): its
    criteria and every other section as `ladder export` writes them, and the levels around it."""
    version = _version(slug, number)
    data = version_data(version)
    return _level_detail(version, data, _found(get_level, data, code))


@router.get("/{slug}/diff/", response=DiffOut, summary="What changed between two versions")
def ladder_diff(
    request,
    slug: str,
    from_: int = Query(
        ..., alias="from", description="The older version's number.", **VERSION_NUMBER
    ),
    to: int = Query(..., description="The newer version's number.", **VERSION_NUMBER),
):
    """Levels added and removed, and for each level changed its facts (title, number, track,
    ratings, minimum experience) and the bullets added, removed or reworded in each section:
    what the diff page shows. Either version may be the older."""
    ladder = _found(get_ladder, slug)
    before, after = _found(get_version, ladder, from_), _found(get_version, ladder, to)
    # Two versions never change, so neither does their diff: kept under both their names.
    return from_version(
        after,
        "api-diff",
        version_stamp(before),
        make=lambda: _diff_dict(
            before, after, diff_ladders(version_data(before), version_data(after))
        ),
    )
