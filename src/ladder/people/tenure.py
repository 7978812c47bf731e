"""Time in level, derived from a person's level history."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from ladder.frameworks.experience import months_between
from ladder.per_request import memoised

from .models import LevelAssignment, Person


@dataclass(frozen=True)
class Tenure:
    assignment: LevelAssignment
    since: datetime.date
    months: int

    @property
    def words(self) -> str:
        return duration_words(self.months)


def level_history(request, person: Person) -> list[LevelAssignment]:
    """The person's level history, latest first, read once per request by whichever part of
    the page asks first (the person page shows it; its panels work out the standing from it)."""
    return memoised(
        request, ("level history", person.pk), lambda: LevelAssignment.objects.history_of(person)
    )


def duration_words(count: int) -> str:
    """A number of months as a person says it: "2 years, 3 months"."""
    years, months = divmod(count, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return ", ".join(parts)


def level_tenure(history: Sequence[LevelAssignment], today: datetime.date) -> Tenure | None:
    """The current level and since when, counting back over corrections that kept its code."""
    ordered = sorted(history, key=lambda a: a.start)
    current = next((a for a in reversed(ordered) if a.end is None), None)
    if current is None:
        return None
    since = current.start
    for earlier in reversed(ordered[: ordered.index(current)]):
        if earlier.level.code != current.level.code or earlier.end != since:
            break
        since = earlier.start
    return Tenure(current, since, max(0, months_between(since, today)))
