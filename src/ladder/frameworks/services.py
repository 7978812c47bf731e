"""Workflows on ladders that the CLI, the pages and the API share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from ladder.audit.services import audit_record

from . import format as ladder_format
from .diff import LadderDiff, diff_ladders
from .model import Ladder as LadderData
from .models import Criterion, ExpectedRating, Ladder, LadderVersion, Level


@dataclass(frozen=True)
class ImportResult:
    version: LadderVersion
    created: bool
    # Against the previous version; None for a ladder's first version.
    diff: LadderDiff | None


def content_hash(ladder: LadderData) -> str:
    return hashlib.sha256(ladder_format.format_ladder(ladder).encode()).hexdigest()


def slug_for_path(path: str | Path) -> str:
    return slugify(Path(path).stem) or "ladder"


def ladder_import(*, source: str, source_name: str, slug: str, imported_by=None) -> ImportResult:
    """Store `source` as the ladder's next version, unless its content is that of the latest.

    Raises `LadderError` (nothing written) when the source has errors.
    """
    parsed = ladder_format.parse(source, path=source_name)
    digest = content_hash(parsed)
    with transaction.atomic():
        ladder, _ = Ladder.objects.get_or_create(slug=slug, defaults={"title": parsed.title})
        # Lock the ladder row so two concurrent imports cannot both take the same next number.
        ladder = Ladder.objects.select_for_update().get(pk=ladder.pk)
        latest = ladder.latest_version()
        if latest and latest.content_hash == digest:
            return ImportResult(version=latest, created=False, diff=None)
        version = LadderVersion.objects.create(
            ladder=ladder,
            number=latest.number + 1 if latest else 1,
            source=source,
            source_name=source_name,
            content_hash=digest,
            title=parsed.title,
            dimensions=list(parsed.dimensions),
            scale_min=parsed.scale.min,
            scale_max=parsed.scale.max,
            rules=_rules_dict(parsed),
            imported_by=imported_by,
        )
        _create_levels(version, parsed)
        if ladder.title != parsed.title:
            ladder.title = parsed.title
            ladder.save(update_fields=["title"])
        audit_record(
            by=imported_by,
            action="ladder.imported",
            target=ladder,
            before={"version": latest.number, "hash": latest.content_hash} if latest else None,
            after={"version": version.number, "hash": digest, "source": source_name},
        )
    diff = diff_ladders(latest.as_ladder(), parsed) if latest else None
    return ImportResult(version=version, created=True, diff=diff)


def _rules_dict(parsed: LadderData) -> dict:
    return {key: getattr(parsed.rules, key) for key in parsed.rules.__dataclass_fields__}


def _create_levels(version: LadderVersion, parsed: LadderData) -> None:
    Level.objects.bulk_create(
        Level(
            version=version,
            position=position,
            code=level.code,
            title=level.title,
            number=level.number,
            track=level.track,
            minimum_experience_months=level.minimum_experience.months,
            minimum_experience_text=list(level.minimum_experience.text),
            next_actions=list(level.next_actions),
            scenario=list(level.scenario),
        )
        for position, level in enumerate(parsed.levels)
    )
    # Read the rows back for their keys rather than rely on the backend setting them in bulk.
    by_code = {level.code: level for level in Level.objects.filter(version=version)}
    criteria, ratings = [], []
    for data in parsed.levels:
        row = by_code[data.code]
        criteria += [
            Criterion(level=row, section=section, position=position, text=text)
            for position, (section, text) in enumerate(data.criteria())
        ]
        ratings += [
            ExpectedRating(level=row, position=position, dimension=dimension, rating=rating)
            for position, (dimension, rating) in enumerate(data.ratings.items())
        ]
    Criterion.objects.bulk_create(criteria)
    ExpectedRating.objects.bulk_create(ratings)
