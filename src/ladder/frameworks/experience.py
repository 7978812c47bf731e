"""Time in level: how a ladder states Minimum Experience, and whole calendar months between
dates, the one rule every page and check uses to measure it."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .ladder_data import MAX_DIGITS

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "eighteen": 18, "twenty-four": 24, "thirty-six": 36,
}  # fmt: skip
# These patterns run over text from a ladder file, so each takes time in proportion to it:
# possessive quantifiers (*+, ++), and no two neighbouring parts that can match the same
# characters, which is what lets a regular expression backtrack for ever.
_COUNT = r"\d++(?:\.\d++)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(?P<count>{_COUNT})"
    # A range ("2-3 years", "6 to 12 months") counts from its lower end.
    rf"(?:\s*+(?:-|–|to)\s*+(?:{_COUNT}))?"
    r"\s*+(?:(?:\+|or more|or longer)\s*+)?(?:-\s*+)?(?P<unit>years?|months?)\b",
    re.IGNORECASE,
)
# What may stand between the parts of one duration: "1 year and 6 months", "1 year, 6 months".
_JOINER = re.compile(r"\s*+(?:,\s*+)?(?:and\s*+)?", re.IGNORECASE)


def months_of(text: str) -> int | None:
    """The duration a Minimum Experience line states, in months ("2+ years" -> 24), or None.

    The first duration counts, with any part joined to it ("1 year and 6 months" -> 18).
    """
    match = _DURATION.search(text)
    if not match:
        return None
    total = 0.0
    while match:
        count = _count(match["count"])
        total += count * 12 if match["unit"].lower().startswith("year") else count
        joiner = _JOINER.match(text, match.end())
        match = _DURATION.match(text, joiner.end())
    return round(total)


def _count(word: str) -> float:
    if word.lower() in _NUMBER_WORDS:
        return _NUMBER_WORDS[word.lower()]
    whole = word.partition(".")[0].lstrip("0")
    # float() of a long enough number is infinity, which no month count can be rounded from.
    return float(word) if len(whole) <= MAX_DIGITS else 10.0**MAX_DIGITS


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 January + 1 is 28/29 Feb),
    and to the calendar's ends: a level begun in 9999 is never served out, not a crash."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (11 on the day before a 12-month anniversary)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def first_day_of(start: date, months: int) -> date:
    """The first day on which months_between(start, day) reaches `months`."""
    day = add_months(start, months)
    if day == date.max:
        return day
    # A clamped day (29 Feb from 31 Jan) is still a month short by whole months; the next is not.
    return day if months_between(start, day) >= months else day + timedelta(days=1)
