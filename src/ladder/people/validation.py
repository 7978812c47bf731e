"""What a name may contain: one rule for the CSV import, the person services and the admin.

Control characters (ANSI escapes, NUL, carriage returns) and the format characters that reorder
or hide text (bidi overrides and isolates, zero-width spaces) are refused: printed to a terminal
or shown on a page, they make a name look like something else, and PostgreSQL refuses NUL.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

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


def describe(char: str) -> str:
    """A character as a message names it: "U+202E (RIGHT-TO-LEFT OVERRIDE)"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{f' ({name})' if name else ''}"


def check_text(value: str, what: str = "name") -> None:
    """Refuse a name (of a person, of a team) that holds a control or format character."""
    char = unsafe_character(value)
    if char is not None:
        raise ValidationError(
            f"The {what} contains {describe(char)}, a control character: remove it."
        )


def unsafe_in_writing(text: str) -> str | None:
    """The first character a written text (a comment, a recommendation, a reason) may not hold:
    as in a name, except the line breaks and tabs that writing is made of."""
    return unsafe_character(text.replace("\n", "").replace("\r", "").replace("\t", ""))


def check_writing(value: str, what: str) -> None:
    """Refuse a written text that holds a control or format character, naming the field."""
    char = unsafe_in_writing(value)
    if char is not None:
        raise ValidationError(
            f"The {what} contains {describe(char)}, a control character: remove it."
        )


def printable(text: str) -> str:
    """`text` with every character a name may not contain written as an escape, for a terminal."""
    if unsafe_character(text) is None:
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii") if unsafe_character(char) else char
        for char in text
    )
