import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from ladder.frameworks.format import format_ladder

from ._common import fail, load, plural


class Command(BaseCommand):
    help = (
        "Rewrite ladder files in canonical form: complete front matter, '- ' bullets, one blank "
        "line between blocks, padded ratings tables. With --check, change nothing and exit 1 if "
        "any file would be rewritten."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Ladder files to format.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report files that are not canonical; write nothing.",
        )

    def handle(self, *args, paths, check, **options):
        ladders, errors = load(paths)
        if errors:
            fail(errors, f"{plural(len(errors), 'error')}; no file was changed")
        changed = []
        for path, ladder in ladders.items():
            canonical = format_ladder(ladder)
            if Path(path).read_text(encoding="utf-8") == canonical:
                continue
            changed.append(path)
            if check:
                self.stderr.write(f"would reformat {path}")
            else:
                _write_atomically(Path(path), canonical)
                self.stdout.write(f"reformatted {path}")
        unchanged = plural(len(paths) - len(changed), "file")
        if check and changed:
            fail(
                [],
                f"{plural(len(changed), 'file')} would be reformatted, {unchanged} already canonical",
            )
        verb = "reformatted" if not check else "would be reformatted"
        self.stdout.write(f"{plural(len(changed), 'file')} {verb}, {unchanged} already canonical")


def _write_atomically(path: Path, text: str) -> None:
    # A crash mid-write must not leave half a ladder behind.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, path.stat().st_mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
