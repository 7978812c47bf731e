"""Time in level: whole calendar months between dates, the one rule every page and check uses."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 January + 1 is 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (11 on the day before a 12-month anniversary)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def first_day_of(start: date, months: int) -> date:
    """The first day on which months_between(start, day) reaches `months`."""
    day = add_months(start, months)
    # A clamped day (29 Feb from 31 Jan) is still a month short by whole months; the next is not.
    return day if months_between(start, day) >= months else day + timedelta(days=1)
