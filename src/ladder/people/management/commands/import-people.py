import sys
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ladder.frameworks.selectors import get_ladder, get_version
from ladder.people.csv_rows import COLUMNS, decode_csv
from ladder.people.imports import people_import
from ladder.people.validation import printable


class Command(BaseCommand):
    help = (
        f"Create or update people from a CSV file with the header {','.join(COLUMNS)} "
        "(a manager may appear later in the file; level_since is YYYY-MM-DD). Every row is "
        "checked first and every bad row reported as FILE:LINE: message; on any error nothing "
        "is written. Re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE.csv", help="The people file.")
        parser.add_argument(
            "--ladder",
            default="dotnet",
            help="Slug of the ladder whose level codes the file uses (default: dotnet).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and show what would change; write nothing.",
        )

    def handle(self, *args, path, ladder, dry_run, **options):
        try:
            text = decode_csv(Path(path).read_bytes(), path)
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file: {error}") from error
        except ValidationError as error:
            raise CommandError(printable(error.messages[0])) from None
        try:
            version = get_version(get_ladder(ladder))
        except ObjectDoesNotExist as error:
            raise CommandError(
                f"no ladder {ladder!r} with a version: import one with `ladder import`"
            ) from error
        # On a terminal only, as `ladder readiness` does: a log or a pipe gets the summary alone.
        with tqdm(unit=" rows", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            shown = {"phase": None}

            def progress(phase: str, done: int, total: int) -> None:
                # One bar, started again for each phase: "Writing: 40%|####  | 4000/10000".
                if shown["phase"] != phase:
                    shown["phase"] = phase
                    bar.reset(total=total)
                    bar.set_description(phase)
                bar.update(done - bar.n)

            plan = people_import(
                by=None,
                text=text,
                path=path,
                version=version,
                apply=not dry_run,
                progress=progress,
            )
        if plan.errors:
            for line in plan.errors:
                sys.stderr.write(printable(line) + "\n")
            sys.stderr.write(
                f"{len(plan.errors)} error{'s' if len(plan.errors) != 1 else ''}; nothing was written\n"
            )
            raise SystemExit(1)
        if not plan.changes:
            self.stdout.write(f"{path}: {len(plan.rows)} people, nothing to change.")
            return
        for change in plan.changes:
            # Names stored before control characters were refused could still hold some.
            self.stdout.write(printable(f"  {change.email}: {change.kind}: {change.summary}"))
        verb = "would apply" if dry_run else "applied"
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {len(plan.rows)} people, {verb} {len(plan.changes)} changes."
            )
        )
