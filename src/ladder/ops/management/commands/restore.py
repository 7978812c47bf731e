import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ladder.ops.backup import DERIVED, BackupError, restore_load


class Command(BaseCommand):
    help = (
        "Load an archive written by `ladder backup` into an empty database. It first checks "
        "the archive: made by the same migrations as this Ladder, every table's row count and "
        "sha256 as its manifest says. Then it runs `migrate` if the database lacks any "
        "migration, refuses a database that holds rows (other than the content types and "
        "permissions `migrate` makes, which the archive's rows replace), and loads every table in "
        "one transaction: all of it or, on any error, nothing. " + DERIVED
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to load.")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        with tqdm(
            unit=" rows", desc="Restoring", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            try:
                manifest = restore_load(file, progress=bar.update)
            except BackupError as error:
                raise CommandError(f"{error} Nothing was restored.") from error
        rows = sum(entry["rows"] for entry in manifest["tables"])
        self.stdout.write(
            f"Restored {rows} rows of {len(manifest['tables'])} tables from {file} "
            f"(a {manifest['database_vendor']} backup of {manifest['created_at']}, Ladder "
            f"{manifest['ladder_version']}) in {time.monotonic() - started:.1f} s."
        )
