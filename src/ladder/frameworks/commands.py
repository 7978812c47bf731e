"""Ladder's file commands, check, fmt, export and schema: plain Python, with no database.

Each is defined once here: its help, its arguments and what it does. `ladder` runs them from
here without setting Django up (see `run_without_django`), which would take most of their time;
the management commands of the same names wrap these definitions, for `ladder help --all`,
call_command and the options every Django command takes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

if TYPE_CHECKING:
    from .ladder_data import Ladder


@dataclass(frozen=True)
class FileCommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    # Called with the parsed options as keywords, and `out` and `err` to write lines to.
    run: Callable[..., None]

    def parser(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog=f"ladder {self.name}", description=self.help)
        self.add_arguments(parser)
        return parser


def load(paths: list[str]) -> tuple[dict[str, Ladder], list[str]]:
    """Parse every file; returns the ladders read and the error lines of those that failed."""
    # Imported here, so that `ladder` pays for the parser only when it runs a file command.
    from .errors import LadderError
    from .parse import parse_file

    ladders, errors = {}, []
    for path in paths:
        try:
            ladders[path] = parse_file(path)
        except LadderError as error:
            errors += map(str, error.errors)
    return ladders, errors


def fail(err: TextIO, errors: list[str], summary: str) -> NoReturn:
    """Print errors on `err`, one per line, with a summary, and exit with status 1."""
    for line in errors:
        err.write(line + "\n")
    err.write(summary + "\n")
    raise SystemExit(1)


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"


# -- check ------------------------------------------------------------------------------------


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="Ladder files to check (or app labels, for Django's system checks).",
    )


def _check(*, paths: list[str], out: TextIO, err: TextIO, **_) -> None:
    ladders, errors = load(paths)
    if errors:
        bad = len(paths) - len(ladders)
        fail(err, errors, f"{plural(len(errors), 'error')} in {plural(bad, 'file')}")
    for path, ladder in ladders.items():
        criteria = sum(len(level.criteria()) for level in ladder.levels)
        out.write(
            f"{path}: ok ({plural(len(ladder.levels), 'level')}, "
            f"{plural(len(ladder.tracks()), 'track')}, "
            f"{plural(criteria, 'criterion', 'criteria')})\n"
        )


def names_a_file(arg: str) -> bool:
    """Whether a `ladder check` argument names a file rather than a Django app label."""
    # App labels are bare Python identifiers; anything else names a file.
    return Path(arg).exists() or not arg.isidentifier()


CHECK = FileCommand(
    name="check",
    help=(
        "Check ladder files for errors: prints 'FILE:LINE: message' on stderr for every error "
        "of every file and exits 1; exits 0 when all are valid. Given no file, or only app "
        "labels, runs Django's system checks instead."
    ),
    add_arguments=_check_arguments,
    run=_check,
)


# -- fmt --------------------------------------------------------------------------------------


def _fmt_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Ladder files to format.")
    parser.add_argument(
        "--check",
        action="store_true",
        help="Report files that are not canonical; write nothing.",
    )


def _fmt(*, paths: list[str], check: bool, out: TextIO, err: TextIO, **_) -> None:
    from .write import format_ladder

    ladders, errors = load(paths)
    if errors:
        fail(err, errors, f"{plural(len(errors), 'error')}; no file was changed")
    changed = []
    for path, ladder in ladders.items():
        canonical = format_ladder(ladder)
        if Path(path).read_text(encoding="utf-8") == canonical:
            continue
        changed.append(path)
        if check:
            err.write(f"would reformat {path}\n")
        else:
            _write_atomically(Path(path), canonical)
            out.write(f"reformatted {path}\n")
    unchanged = plural(len(paths) - len(changed), "file")
    if check and changed:
        fail(
            err,
            [],
            f"{plural(len(changed), 'file')} would be reformatted, {unchanged} already canonical",
        )
    verb = "reformatted" if not check else "would be reformatted"
    out.write(f"{plural(len(changed), 'file')} {verb}, {unchanged} already canonical\n")


def _write_atomically(path: Path, text: str) -> None:
    import os
    import tempfile

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


FMT = FileCommand(
    name="fmt",
    help=(
        "Rewrite ladder files in canonical form, or --check that they are: complete front "
        "matter, '- ' bullets, one blank line between blocks, padded ratings tables. With "
        "--check, change nothing and exit 1 if any file would be rewritten."
    ),
    add_arguments=_fmt_arguments,
    run=_fmt,
)


# -- export and schema ------------------------------------------------------------------------


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="The ladder file to export.")
    parser.add_argument(
        "--format",
        choices=["json", "markdown"],
        default="json",
        help="Output format (default: json).",
    )


def _export(*, path: str, format: str, out: TextIO, err: TextIO, **_) -> None:
    from .export import ladder_to_json
    from .write import format_ladder

    ladders, errors = load([path])
    if errors:
        fail(err, errors, plural(len(errors), "error"))
    render = ladder_to_json if format == "json" else format_ladder
    out.write(render(ladders[path]))


EXPORT = FileCommand(
    name="export",
    help=(
        "Print a ladder file as JSON (the shape `ladder schema` describes) or as canonical "
        "Markdown, on stdout."
    ),
    add_arguments=_export_arguments,
    run=_export,
)


def _schema(*, out: TextIO, **_) -> None:
    import json

    from .export import json_schema

    out.write(json.dumps(json_schema(), indent=2) + "\n")


SCHEMA = FileCommand(
    name="schema",
    help="Print the JSON Schema (draft 2020-12) of `ladder export --format json`.",
    add_arguments=lambda parser: None,
    run=_schema,
)

FILE_COMMANDS = {command.name: command for command in (CHECK, FMT, EXPORT, SCHEMA)}


def run_without_django(args: list[str]) -> bool:
    """Run `ladder ARGS` here if it is a file command that needs nothing of Django.

    False leaves it to Django: another command, `ladder check` of app labels or with Django's
    options (--deploy), any option only Django's wrapper takes (--traceback, --verbosity),
    and --help and --version.
    """
    command = FILE_COMMANDS.get(args[0]) if args else None
    # Help and version are Django's, so that they list every option the command takes.
    if command is None or {"-h", "--help", "--version"} & set(args[1:]):
        return False
    if command is CHECK and not (
        args[1:] and all(not arg.startswith("-") and names_a_file(arg) for arg in args[1:])
    ):
        return False
    options, unknown = command.parser().parse_known_args(args[1:])
    if unknown:
        return False
    command.run(**vars(options), out=sys.stdout, err=sys.stderr)
    return True
