import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ladder.ops.backup import DERIVED, BackupError, backup_rows, backup_write


class Command(BaseCommand):
    help = (
        "Back up the whole database to FILE, one archive that `ladder restore` loads into an "
        "empty SQLite or PostgreSQL database. It is a zip of a JSON Lines file per table (every "
        "table of every app, rows in primary-key order) and a manifest with the migrations "
        "applied and each table's row count and sha256, read in one transaction while the site "
        "runs; it appears under FILE only once whole. " + DERIVED
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write, e.g. ladder.zip.")
        parser.add_argument("--force", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args, file, force, **options):
        started = time.monotonic()
        show = sys.stderr.isatty()
        with tqdm(
            total=backup_rows() if show else None,
            unit=" rows",
            desc="Backing up",
            disable=not show,
            file=sys.stderr,
        ) as bar:
            try:
                manifest = backup_write(file, force=force, progress=bar.update)
            except BackupError as error:
                raise CommandError(str(error)) from error
        rows = sum(entry["rows"] for entry in manifest["tables"])
        self.stdout.write(
            f"Backed up {rows} rows of {len(manifest['tables'])} tables to {file} "
            f"in {time.monotonic() - started:.1f} s."
        )
