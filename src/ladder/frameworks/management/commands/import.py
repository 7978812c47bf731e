from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from ladder.frameworks.bundled import BUNDLED_LADDER, BUNDLED_LADDER_NAME
from ladder.frameworks.commands import fail, plural
from ladder.frameworks.errors import LadderError
from ladder.frameworks.services import (
    LADDER_SLUG_RULE,
    MAX_NOTE_LENGTH,
    ImportPreview,
    ImportRefused,
    ladder_import,
    ladder_import_preview,
    slug_for_path,
)
from ladder.frameworks.signals import version_previewed


class Command(BaseCommand):
    help = (
        "Import a ladder file into the database as a new version when its content changed "
        "(re-importing the same file does nothing): in one transaction, so a file with errors "
        "changes nothing. Prints what changed against the previous version. --bundled imports "
        "the .NET ladder that ships with Ladder, wherever it is installed. --dry-run imports "
        "nothing and prints what would change, and whose readiness."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("path", nargs="?", metavar="PATH", help="The ladder file to import.")
        source.add_argument(
            "--bundled",
            action="store_true",
            help=f"Import the bundled ladder ({BUNDLED_LADDER_NAME}) instead of a file.",
        )
        parser.add_argument(
            "--slug",
            help=(
                f"The ladder's short name in URLs: {LADDER_SLUG_RULE} (default: from the file "
                "name, e.g. dotnet)."
            ),
        )
        parser.add_argument(
            "--note",
            default="",
            metavar="TEXT",
            help=(
                "Why this version was made, kept with it and shown in its history "
                f"(at most {MAX_NOTE_LENGTH} characters)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=(
                "Write nothing: print what would change against the latest version and whose "
                "readiness for a next level would change, and how."
            ),
        )

    def handle(self, *args, path, bundled, slug, note, dry_run, **options):
        # Messages and the version name the bundled ladder as the README does, not by the
        # folder the package is installed in.
        path, name = (BUNDLED_LADDER, BUNDLED_LADDER_NAME) if bundled else (path, path)
        # An empty --slug is a mistake to report, not a request for the default.
        slug = slug_for_path(path) if slug is None else slug
        try:
            source = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            fail(self.stderr, [f"{name}: cannot read the file: {error}"], "nothing was imported")
        try:
            if dry_run:
                preview = ladder_import_preview(
                    source=source, source_name=name, slug=slug, note=note
                )
                return self._dry_run(preview, name, slug)
            result = ladder_import(source=source, source_name=name, slug=slug, note=note)
        except ImportRefused as error:
            fail(self.stderr, [f"{name}: {error}"], "nothing was imported")
        except LadderError as error:
            fail(
                self.stderr,
                list(map(str, error.errors)),
                f"{plural(len(error.errors), 'error')}; nothing was imported",
            )
        version = result.version
        if not result.created:
            self.stdout.write(
                f"{slug}: {name} has the content of version {version.number}; nothing to import."
            )
            return
        levels = version.levels.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{slug}: imported version {version.number} from {name} ({plural(levels, 'level')})."
            )
        )
        if result.diff is not None:
            lines = result.diff.lines() or ["only wording outside levels and criteria changed"]
            self.stdout.write(f"Changes since version {version.number - 1}:")
            for line in lines:
                self.stdout.write(f"  {line}")

    def _dry_run(self, preview: ImportPreview, name: str, slug: str) -> None:
        latest = preview.latest
        if preview.unchanged:
            self.stdout.write(
                f"{slug}: {name} has the content of version {latest.number}; nothing to import."
            )
            return
        number = latest.number + 1 if latest else 1
        levels = plural(len(preview.data.levels), "level")
        self.stdout.write(
            f"{slug}: would import version {number} from {name} ({levels}); dry run, "
            "nothing was written."
        )
        if preview.diff is not None:
            lines = preview.diff.lines() or ["only wording outside levels and criteria changed"]
            self.stdout.write(f"Changes since version {latest.number}:")
            for line in lines:
                self.stdout.write(f"  {line}")
        if preview.ladder is None:
            self.stdout.write("A new ladder: nobody holds its levels, so nobody's readiness moves.")
            return
        impacts = version_previewed.send(
            sender=ImportPreview,
            ladder=preview.ladder,
            data=preview.data,
            today=timezone.localdate(),
        )
        for _, impact in impacts:
            for line in impact.lines():
                self.stdout.write(line)
