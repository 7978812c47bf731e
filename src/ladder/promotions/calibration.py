"""How each manager rates against the organisation: the calibration statistics, as a pure rule.

No Django here: the page turns a cycle's rows into `PersonRatings` and reads a `Calibration`
back. Means are kept as exact fractions until they are shown, so whether a manager differs from
the organisation by *more than* the threshold never turns on a rounding error.

A worked example: two managers, each with one report assessed against a level that expects 3
in "Delivery" and 2 in "Leadership".

>>> expected = {"Delivery": 3, "Leadership": 2}
>>> ann = PersonRatings("ann", expected, manager_rated={"Delivery": 4, "Leadership": 3},
...                     self_rated={"Delivery": 4, "Leadership": 4}, ready=True)
>>> bob = PersonRatings("bob", expected, manager_rated={"Delivery": 2, "Leadership": 2},
...                     self_rated=None, ready=False)
>>> result = calibrate([ann, bob], threshold=0.5)

Ann's report is rated 1 above in both dimensions, Bob's 1 below in one and at the other: the
organisation's four rated dimensions are off by +1, +1, -1 and 0, a mean of +0.25, and three of
the four are at or above what the level expects.

>>> result.org.mean_offset, result.org.share_at_or_above, result.org.share_ready
(0.25, 0.75, 0.5)

Only Ann's report has a self-assessment: 4 - 4 and 4 - 3, a mean of +0.5.

>>> result.org.mean_self_minus_manager
0.5

Ann's mean offset (+1) is 0.75 above the organisation's: more than 0.5, so lenient. Bob's
(-0.5) is 0.75 below it: severe.

>>> [(m.manager, m.stats.mean_offset, m.flag) for m in result.managers]
[('ann', 1.0, <Flag.LENIENT: 'lenient'>), ('bob', -0.5, <Flag.SEVERE: 'severe'>)]
>>> result.managers[0].explanation(result.org)
"Lenient: ann's ratings are on average +1.00 against what the levels expect, 0.75 above the organisation's +0.25 (flagged beyond 0.5)."

With nobody assessed there is nothing to take a mean of: None, never a made-up zero.

>>> empty = calibrate([PersonRatings("cy", expected, None, None, False)], threshold=0.5)
>>> empty.org.people, empty.org.assessed, empty.org.mean_offset, empty.managers[0].flag
(1, 0, None, None)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Flag(StrEnum):
    LENIENT = "lenient"
    SEVERE = "severe"


@dataclass(frozen=True)
class PersonRatings:
    """One person in the cycle: who assessed them, what their target level expects, and the
    ratings of the manager assessment readiness reads (None: not assessed) and of their own
    self-assessment (None: none shared)."""

    manager: Hashable
    expected: Mapping[str, int]
    manager_rated: Mapping[str, int | None] | None
    self_rated: Mapping[str, int | None] | None
    ready: bool


@dataclass(frozen=True)
class GroupStats:
    """The statistics of a group of people: a manager's reports, or the whole organisation.

    `people` counts everyone in the group, `assessed` those with a manager assessment; every
    share and mean is over the assessed (None when there is nothing to count)."""

    people: int
    assessed: int
    mean_offset: float | None
    share_at_or_above: float | None
    share_ready: float | None
    mean_self_minus_manager: float | None


@dataclass(frozen=True)
class ManagerStats:
    manager: Hashable
    stats: GroupStats
    # The manager's mean offset minus the organisation's (None when either is unknown).
    difference: float | None
    flag: Flag | None
    threshold: float

    def explanation(self, org: GroupStats, name: str | None = None) -> str:
        """The flag in words; empty when the manager is not flagged."""
        if self.flag is None or self.difference is None:
            return ""
        who = name or str(self.manager)
        side = "above" if self.flag == Flag.LENIENT else "below"
        return (
            f"{self.flag.capitalize()}: {who}'s ratings are on average "
            f"{signed(self.stats.mean_offset)} against what the levels expect, "
            f"{abs(self.difference):.2f} {side} the organisation's {signed(org.mean_offset)} "
            f"(flagged beyond {self.threshold:g})."
        )


@dataclass(frozen=True)
class Calibration:
    org: GroupStats
    # In the order each manager first appears among the people given.
    managers: tuple[ManagerStats, ...]
    threshold: float

    @property
    def flagged(self) -> tuple[ManagerStats, ...]:
        return tuple(m for m in self.managers if m.flag is not None)


def offsets(expected: Mapping[str, int], rated: Mapping[str, int | None]) -> dict[str, int]:
    """Each rated dimension's rating minus what the level expects of it. A dimension the level
    does not rate, or left unrated, has no offset.

    >>> offsets({"Delivery": 3, "Leadership": 2}, {"Delivery": 4, "Leadership": None, "Other": 5})
    {'Delivery': 1}
    """
    return {
        dimension: rating - expected[dimension]
        for dimension, rating in rated.items()
        if rating is not None and dimension in expected
    }


def differences(
    self_rated: Mapping[str, int | None], manager_rated: Mapping[str, int | None]
) -> dict[str, int]:
    """Self minus manager, over the dimensions rated in both.

    >>> differences({"Delivery": 4, "Leadership": None}, {"Delivery": 3, "Leadership": 2})
    {'Delivery': 1}
    """
    return {
        dimension: rating - manager_rated[dimension]
        for dimension, rating in self_rated.items()
        if rating is not None and manager_rated.get(dimension) is not None
    }


def mean(values: Iterable[int]) -> float | None:
    """The mean, or None of nothing.

    >>> mean([1, 2]), mean([])
    (1.5, None)
    """
    total = count = 0
    for value in values:
        total += value
        count += 1
    return total / count if count else None


def signed(value: float | None) -> str:
    """A mean offset as shown: a sign and two decimals, or a dash when unknown.

    >>> signed(0.25), signed(-1), signed(0), signed(None)
    ('+0.25', '-1.00', '+0.00', '—')
    """
    return "—" if value is None else f"{value:+.2f}"


def percent(share: float | None) -> str:
    """A share as shown: a whole percentage, or a dash when unknown.

    >>> percent(0.75), percent(2 / 3), percent(None)
    ('75%', '67%', '—')
    """
    return "—" if share is None else f"{share:.0%}"


def calibrate(people: Iterable[PersonRatings], *, threshold: float) -> Calibration:
    """The organisation's statistics and each manager's, with managers flagged whose mean offset
    differs from the organisation's by more than `threshold`."""
    # Each person's offsets are worked out once, for the organisation and their manager.
    parts = ((person.manager, counted(person)) for person in people)
    return calibrate_counted(parts, threshold=threshold)


def calibrate_counted(
    people: Iterable[tuple[Hashable, Counted | None]], *, threshold: float
) -> Calibration:
    """`calibrate` of each person's manager and their part of the sums (`counted`), for a caller
    that keeps those between readings."""
    if threshold < 0:
        raise ValueError(f"the calibration threshold must be 0 or more, not {threshold}")
    org = _Tally()
    groups: dict[Hashable, _Tally] = {}
    for manager, part in people:
        org.add(part)
        group = groups.get(manager)
        if group is None:
            group = groups[manager] = _Tally()
        group.add(part)
    org_offset = org.mean_offset()
    limit = Fraction(str(threshold))
    managers = []
    for manager, tally in groups.items():
        offset = tally.mean_offset()
        difference = flag = None
        if offset is not None and org_offset is not None:
            difference = offset - org_offset
            if difference > limit:
                flag = Flag.LENIENT
            elif difference < -limit:
                flag = Flag.SEVERE
        managers.append(
            ManagerStats(
                manager=manager,
                stats=tally.stats(),
                difference=None if difference is None else float(difference),
                flag=flag,
                threshold=threshold,
            )
        )
    return Calibration(org=org.stats(), managers=tuple(managers), threshold=threshold)


@dataclass(frozen=True)
class Counted:
    """One assessed person's part of every sum."""

    ready: int
    offset_sum: int
    rated: int
    at_or_above: int
    difference_sum: int
    compared: int


def counted(person: PersonRatings) -> Counted | None:
    """The person's part of every sum; None when they have no manager assessment."""
    if person.manager_rated is None:
        return None
    found = list(offsets(person.expected, person.manager_rated).values())
    compared = (
        list(differences(person.self_rated, person.manager_rated).values())
        if person.self_rated is not None
        else []
    )
    return Counted(
        ready=int(bool(person.ready)),
        offset_sum=sum(found),
        rated=len(found),
        at_or_above=sum(offset >= 0 for offset in found),
        difference_sum=sum(compared),
        compared=len(compared),
    )


class _Tally:
    """Running sums for one group; integers only, so the means are exact."""

    def __init__(self) -> None:
        self.people = self.assessed = self.ready = 0
        self.offset_sum = self.rated = self.at_or_above = 0
        self.difference_sum = self.compared = 0

    def add(self, counted: Counted | None) -> None:
        self.people += 1
        if counted is None:
            return
        self.assessed += 1
        self.ready += counted.ready
        self.offset_sum += counted.offset_sum
        self.rated += counted.rated
        self.at_or_above += counted.at_or_above
        self.difference_sum += counted.difference_sum
        self.compared += counted.compared

    def mean_offset(self) -> Fraction | None:
        return Fraction(self.offset_sum, self.rated) if self.rated else None

    def stats(self) -> GroupStats:
        def ratio(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        offset = self.mean_offset()
        return GroupStats(
            people=self.people,
            assessed=self.assessed,
            mean_offset=None if offset is None else float(offset),
            share_at_or_above=ratio(self.at_or_above, self.rated),
            share_ready=ratio(self.ready, self.assessed),
            mean_self_minus_manager=ratio(self.difference_sum, self.compared),
        )
