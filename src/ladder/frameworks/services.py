"""Workflows on ladders that the CLI, the pages and the API share."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ladder.audit.services import audit_record
from ladder.characters import describe, unsafe_in_writing
from ladder.metrics import LADDER_IMPORTS

from .diff import LadderDiff, diff_ladders
from .ladder_data import Ladder as LadderData
from .models import Criterion, ExpectedRating, Ladder, LadderVersion, Level
from .parse import parse
from .search import index_version
from .selectors import version_ladder
from .signals import version_imported
from .write import format_ladder


@dataclass(frozen=True)
class ImportResult:
    version: LadderVersion
    created: bool
    # Against the previous version; None for a ladder's first version.
    diff: LadderDiff | None


def content_hash(ladder: LadderData) -> str:
    return hashlib.sha256(format_ladder(ladder).encode()).hexdigest()


class ImportRefused(Exception):
    """An import that cannot go ahead for a reason outside the file; nothing is written."""


# A ladder's slug is in every one of its URLs and in the names of its downloads. Lowercase ASCII
# words joined by single hyphens pass Django's `<slug:>` converter ([-a-zA-Z0-9_]+) and any file
# system unchanged, and there is one spelling per ladder, not "Dotnet" beside "dotnet".
LADDER_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LADDER_SLUG_RULE = "lowercase letters a-z, digits and single hyphens between them"


def ladder_slug_max_length() -> int:
    return Ladder._meta.get_field("slug").max_length


def check_ladder_slug(slug: str) -> None:
    """Raise `ImportRefused` naming the slug and the rule unless it is a valid ladder slug."""
    limit = ladder_slug_max_length()
    if len(slug) <= limit and LADDER_SLUG.fullmatch(slug):
        return
    shown = slug if len(slug) <= 60 else slug[:60] + "…"
    raise ImportRefused(
        f"slug {shown!r} is not valid: a ladder slug is {LADDER_SLUG_RULE} (like dotnet-2025), "
        f"at most {limit} characters; {slug_from(slug)!r} would do"
    )


def slug_from(text: str) -> str:
    """A valid ladder slug made of the letters and digits of any text, e.g. a file name."""
    # Case-folded first so that "Straße" keeps its letters as "strasse"; NFKD then splits
    # accented letters from their accents, and what is still not ASCII goes.
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded)
    return "-".join(words)[: ladder_slug_max_length()].rstrip("-") or "ladder"


def slug_for_path(path: str | Path) -> str:
    return slug_from(Path(path).stem)


def source_label(name: str) -> str:
    """Where a version came from, as the database can keep it: a file name may hold bytes that
    are not UTF-8 (read as surrogates) or be longer than the column; its end is what tells."""
    name = name.encode("utf-8", "backslashreplace").decode("utf-8")
    limit = LadderVersion._meta.get_field("source_name").max_length
    return name if len(name) <= limit else "…" + name[-(limit - 1) :]


def ladder_import(
    *, source: str, source_name: str, slug: str, imported_by=None, note: str = ""
) -> ImportResult:
    """Store `source` as the ladder's next version, unless its content is that of the latest,
    with `note` saying why it was made.

    Raises `ImportRefused` for a slug that breaks the rule, a note that breaks its rule or a
    retired ladder, and `LadderError` when the source has errors; either way nothing is written.
    """
    check_ladder_slug(slug)
    note = check_version_note(note)
    parsed = parse(source, path=source_name)
    source_name = source_label(source_name)
    digest = content_hash(parsed)
    with transaction.atomic():
        ladder, _ = Ladder.objects.get_or_create(slug=slug, defaults={"title": parsed.title})
        # Lock the ladder row so two concurrent imports cannot both take the same next number,
        # and an import cannot add a version to a ladder being retired.
        ladder = Ladder.objects.select_for_update().get(pk=ladder.pk)
        refuse_retired(ladder)
        latest = ladder.latest_version()
        if latest and latest.content_hash == digest:
            LADDER_IMPORTS.labels(outcome="unchanged").inc()
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
            synonyms=[[term, list(alike)] for term, alike in parsed.synonyms.items()],
            imported_by=imported_by,
            note=note,
        )
        _create_levels(version, parsed)
        index_version(version, parsed)
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
        version_imported.send(sender=LadderVersion, version=version)
    LADDER_IMPORTS.labels(outcome="created").inc()
    diff = diff_ladders(version_ladder(latest), parsed) if latest else None
    return ImportResult(version=version, created=True, diff=diff)


def refuse_retired(ladder: Ladder) -> None:
    """Raise `ImportRefused` for a retired ladder: no version is added to it."""
    if ladder.retired_at is not None:
        raise ImportRefused(
            f"ladder {ladder.slug!r} is retired; run `ladder retire --undo {ladder.slug}` to "
            "bring it back, then import again"
        )


# A note says why a version was made: a few sentences on the history page, not a document.
MAX_NOTE_LENGTH = 2000


def check_version_note(note: str) -> str:
    """The note as it is stored (without surrounding blanks); `ImportRefused` saying what is
    wrong with it: too long, or a control or format character (the rule of written text)."""
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ImportRefused(
            f"the note is {len(note)} characters long; a version's note has at most "
            f"{MAX_NOTE_LENGTH}"
        )
    char = unsafe_in_writing(note)
    if char is not None:
        raise ImportRefused(f"the note contains {describe(char)}, a control character: remove it")
    return note


@dataclass(frozen=True)
class ImportPreview:
    """What `ladder_import` of a source would do, worked out without writing anything."""

    ladder: Ladder | None  # None: the slug names no ladder yet, so a first version
    latest: LadderVersion | None
    data: LadderData
    # The source has the content of the latest version: importing it would do nothing.
    unchanged: bool
    # Against the latest version; None for a first version or an unchanged one.
    diff: LadderDiff | None


def ladder_import_preview(
    *, source: str, source_name: str, slug: str, note: str = ""
) -> ImportPreview:
    """What importing `source` would store, refused as `ladder_import` refuses it; nothing is
    written. For a dry run, and for a page's preview before the import."""
    check_ladder_slug(slug)
    check_version_note(note)
    parsed = parse(source, path=source_name)
    ladder = Ladder.objects.filter(slug=slug).first()
    if ladder is None:
        return ImportPreview(ladder=None, latest=None, data=parsed, unchanged=False, diff=None)
    refuse_retired(ladder)
    latest = ladder.latest_version()
    unchanged = latest is not None and latest.content_hash == content_hash(parsed)
    diff = diff_ladders(version_ladder(latest), parsed) if latest and not unchanged else None
    return ImportPreview(ladder=ladder, latest=latest, data=parsed, unchanged=unchanged, diff=diff)


def ladder_retire(*, by, ladder: Ladder) -> bool:
    """Take the ladder off the pages, keeping every version; False if it already was retired."""
    return _set_retired(by=by, ladder=ladder, retired=True)


def ladder_restore(*, by, ladder: Ladder) -> bool:
    """Bring a retired ladder back to the pages; False if it was not retired."""
    return _set_retired(by=by, ladder=ladder, retired=False)


def _set_retired(*, by, ladder: Ladder, retired: bool) -> bool:
    with transaction.atomic():
        locked = Ladder.objects.select_for_update().get(pk=ladder.pk)
        before = locked.retired_at
        if (before is not None) == retired:
            ladder.retired_at = before
            return False
        locked.retired_at = timezone.now() if retired else None
        locked.save(update_fields=["retired_at"])
        ladder.retired_at = locked.retired_at
        audit_record(
            by=by,
            action="ladder.retired" if retired else "ladder.restored",
            target=locked,
            before={"retired_at": _iso(before)},
            after={"retired_at": _iso(locked.retired_at)},
        )
    return True


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


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
    by_code = Level.objects.filter(version=version).by_code()
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
