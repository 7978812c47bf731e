"""What Ladder's file commands share: reading ladder files and reporting their errors."""

import sys

from ladder.frameworks.format import LadderError, parse_file
from ladder.frameworks.ladder_data import Ladder


def load(paths: list[str]) -> tuple[dict[str, Ladder], list[str]]:
    """Parse every file; returns the ladders read and the error lines of those that failed."""
    ladders, errors = {}, []
    for path in paths:
        try:
            ladders[path] = parse_file(path)
        except LadderError as error:
            errors += map(str, error.errors)
    return ladders, errors


def fail(errors: list[str], summary: str) -> None:
    """Print errors on stderr, one per line, with a summary, and exit with status 1."""
    for line in errors:
        sys.stderr.write(line + "\n")
    sys.stderr.write(summary + "\n")
    raise SystemExit(1)


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"
