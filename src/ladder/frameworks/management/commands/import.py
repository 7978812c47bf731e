from pathlib import Path

from django.core.management.base import BaseCommand

from ladder.frameworks.bundled import BUNDLED_LADDER, BUNDLED_LADDER_NAME
from ladder.frameworks.commands import fail, plural
from ladder.frameworks.errors import LadderError
from ladder.frameworks.services import (
    LADDER_SLUG_RULE,
    ImportRefused,
    ladder_import,
    slug_for_path,
)


class Command(BaseCommand):
    help = (
        "Import a ladder file into the database as a new version when its content changed "
        "(re-importing the same file does nothing): in one transaction, so a file with errors "
        "changes nothing. Prints what changed against the previous version. --bundled imports "
        "the .NET ladder that ships with Ladder, wherever it is installed."
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

    def handle(self, *args, path, bundled, slug, **options):
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
            result = ladder_import(source=source, source_name=name, slug=slug)
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
