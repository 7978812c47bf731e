"""Errors in a file, each with its line, and how a value from the file is quoted in one.

Plain Python, free of Django: the ladder parser raises them, and any reader of a file that
reports `file:line: message` (the people CSV import) may use them too.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import NoReturn


@dataclass(frozen=True)
class ParseError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        # Line 0 is the file as a whole (it could not be read at all).
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class LadderError(ValueError):
    """A ladder file that cannot be read; `errors` holds every problem found, in line order."""

    def __init__(self, errors: list[ParseError]):
        self.errors = sorted(errors, key=lambda e: (e.path, e.line))
        super().__init__("\n".join(map(str, self.errors)))


class Problems:
    """The errors found so far in one file, so that every reader of a part of it adds to one list."""

    def __init__(self, path: str):
        self.path = path
        self.errors: list[ParseError] = []

    def add(self, line: int, message: str) -> None:
        self.errors.append(ParseError(self.path, line, message))

    def stop(self) -> NoReturn:
        """Give up on the file: what follows cannot be read, so report what was found."""
        raise LadderError(self.errors)


class _ShortRepr(reprlib.Repr):
    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 2, 60, 60, 40

    def repr_int(self, x: int, level: int) -> str:
        # repr() itself refuses an int of over 4,300 digits.
        if x.bit_length() > 128:
            return f"<a number of about {x.bit_length() * 3 // 10} digits>"
        return super().repr_int(x, level)


_short_repr = _ShortRepr()


def shown(value: object, limit: int = 80) -> str:
    """`value` quoted for an error message, cut short: no input can make a message long."""
    return cut(_short_repr.repr(value), limit)


def cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def too_long(what: str, text: str, limit: int) -> str:
    return f"{what} {shown(text)} is {len(text)} characters long, more than the {limit} it may have"
