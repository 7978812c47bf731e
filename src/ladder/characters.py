"""What a name or a written text may contain: one rule for every layer that stores text people
typed (a person's name, a comment, a ladder version's note).

Control characters (ANSI escapes, NUL, carriage returns) and the format characters that reorder
or hide text (bidi overrides and isolates, zero-width spaces) are refused: printed to a terminal
or shown on a page, they make a name look like something else, and PostgreSQL refuses NUL.
people.validation turns the rule into the form and service checks of names and writing.
"""

from __future__ import annotations

import unicodedata

# Zero-width non-joiner and joiner are format characters that real names need: Persian and
# Indic spellings, emoji sequences.
_JOINERS = {"\u200c", "\u200d"}
# Control, surrogate (PostgreSQL refuses them), line and paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


def unsafe_character(value: str) -> str | None:
    """The first character of `value` that a name may not contain, if any."""
    # Nearly every name is printable throughout; only the rest is read character by character.
    if value.isprintable():
        return None
    for char in value:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or (category == "Cf" and char not in _JOINERS):
            return char
    return None


def unsafe_in_writing(text: str) -> str | None:
    """The first character a written text (a comment, a recommendation, a reason) may not hold:
    as in a name, except the line breaks and tabs that writing is made of."""
    return unsafe_character(text.replace("\n", "").replace("\r", "").replace("\t", ""))


def describe(char: str) -> str:
    """A character as a message names it: "U+202E (RIGHT-TO-LEFT OVERRIDE)"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{f' ({name})' if name else ''}"
