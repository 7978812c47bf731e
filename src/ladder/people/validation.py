"""What a name may contain: one rule for the CSV import, the person services and the admin.

The rule itself is ladder.characters, which the ladder layer below people uses too: control and
format characters are refused (they make a name look like something else, and PostgreSQL
refuses NUL). Here it becomes the checks of names and written text.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ladder.characters import describe, unsafe_character, unsafe_in_writing

__all__ = [
    "check_text",
    "check_writing",
    "describe",
    "printable",
    "unsafe_character",
    "unsafe_in_writing",
]


def check_text(value: str, what: str = "name") -> None:
    """Refuse a name (of a person, of a team) that holds a control or format character."""
    char = unsafe_character(value)
    if char is not None:
        raise ValidationError(
            f"The {what} contains {describe(char)}, a control character: remove it."
        )


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
