from pathlib import Path

from django.core.management.base import BaseCommand

from ladder.frameworks.format import LadderError
from ladder.frameworks.services import (
    LADDER_SLUG_RULE,
    ImportRefused,
    ladder_import,
    slug_for_path,
)

from ._common import fail, plural


class Command(BaseCommand):
    help = (
        "Import a ladder file into the database. A new version is made only when the content "
        "changed (re-importing the same file does nothing), in one transaction: a file with "
        "errors changes nothing. Prints what changed against the previous version."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="The ladder file to import.")
        parser.add_argument(
            "--slug",
            help=(
                f"The ladder's short name in URLs: {LADDER_SLUG_RULE} (default: from the file "
                "name, e.g. dotnet)."
            ),
        )

    def handle(self, *args, path, slug, **options):
        # An empty --slug is a mistake to report, not a request for the default.
        slug = slug_for_path(path) if slug is None else slug
        try:
            source = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            fail([f"{path}: cannot read the file: {error}"], "nothing was imported")
        try:
            result = ladder_import(source=source, source_name=path, slug=slug)
        except ImportRefused as error:
            fail([f"{path}: {error}"], "nothing was imported")
        except LadderError as error:
            fail(
                list(map(str, error.errors)),
                f"{plural(len(error.errors), 'error')}; nothing was imported",
            )
        version = result.version
        if not result.created:
            self.stdout.write(
                f"{slug}: {path} has the content of version {version.number}; nothing to import."
            )
            return
        levels = version.levels.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{slug}: imported version {version.number} from {path} ({plural(levels, 'level')})."
            )
        )
        if result.diff is not None:
            lines = result.diff.lines() or ["only wording outside levels and criteria changed"]
            self.stdout.write(f"Changes since version {version.number - 1}:")
            for line in lines:
                self.stdout.write(f"  {line}")
