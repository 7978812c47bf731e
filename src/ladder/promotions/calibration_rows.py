"""A cycle's calibration read from the database: a row per person for the page and the CSV, and
the statistics of calibration.py beside them, in a fixed number of queries whatever the cycle's
size.

Every person is judged, not only a page of them, because the statistics, the sort by verdict or
offset and the verdict filter need everyone. So the rows are read as plain values rather than
model instances, and each person's readiness comes from the same rule the person page uses
(`judge_readiness`), against the task's target rather than the first next level:

- the manager assessment is the one readiness reads, the latest shared against the target's code
  (after an adjustment, the adjusted one); the self-assessment is the latest shared likewise;
- a level is read in the latest version of its ladder, as `standings_of` does, so a new import
  reaches the calibration page as it reaches the person page;
- a cycle of 10,000 people holds some 170,000 criterion ratings. A shared assessment never
  changes, nor does a ladder version, so what is read of them (bulk_facts.py, the ladders here)
  is kept in the process, and so is each row, keyed by everything it is made of: a page read
  again re-reads only who is in the cycle, which level and assessments each holds and their
  case, and makes only the rows whose key changed.
"""

from __future__ import annotations

import csv
import datetime
import io
import threading
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, Q

from ladder.assessments import bulk_facts
from ladder.assessments.bulk_facts import (
    SharedKey,
    facts_of_shared,
    ratings_of_shared,
    shared_key_fields,
)
from ladder.assessments.models import Assessment
from ladder.assessments.readiness import Verdict, format_date, judge_readiness
from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.ladder_data import Level as LevelData
from ladder.frameworks.models import LadderVersion, Level
from ladder.frameworks.selectors import version_ladder
from ladder.people.csv_rows import neutralised
from ladder.people.models import LevelAssignment
from ladder.people.tenure import level_tenure

from . import calibration
from .calibration import Counted, Flag, GroupStats, PersonRatings
from .models import CycleMember, PromotionCase, ReviewCycle

# The verdict filter's value for someone with no next level to be judged against.
NO_TARGET = "none"
VERDICT_LABELS = {
    Verdict.READY.value: "Ready",
    Verdict.ELIGIBLE_FROM.value: "Eligible later",
    Verdict.NOT_YET.value: "Not yet",
    Verdict.NOT_ASSESSED.value: "Not assessed",
    NO_TARGET: "No next level",
}
# Sorting by verdict puts the readiest first.
VERDICT_ORDER = {verdict: position for position, verdict in enumerate(VERDICT_LABELS)}


class Sort(StrEnum):
    NAME = "name"
    MANAGER = "manager"
    LEVEL = "level"
    VERDICT = "verdict"
    OFFSET = "offset"


@dataclass(frozen=True)
class DimensionCell:
    """One dimension of a person: the manager's rating against what the target expects, and
    the self-assessment's beside it."""

    dimension: str
    expected: int | None
    rating: int | None
    self_rating: int | None

    @property
    def offset(self) -> int | None:
        if self.rating is None or self.expected is None:
            return None
        return self.rating - self.expected

    @property
    def difference(self) -> int | None:
        """Self minus manager, when both rated it."""
        if self.rating is None or self.self_rating is None:
            return None
        return self.self_rating - self.rating


@dataclass(frozen=True)
class Row:
    """A person in the cycle. Only what sorting, filtering and the statistics need is worked out
    for everyone; the cells of a row are made when it is shown."""

    member_id: int
    person_id: int
    name: str
    email: str
    manager_id: int | None
    manager_name: str
    team_slug: str
    team_name: str
    current_code: str
    current_number: int | None
    target_code: str
    # A Verdict's value, or NO_TARGET; with the gaps of "not yet" and the date of "eligible".
    verdict: str
    gaps: int
    eligible_from: datetime.date | None
    manager_assessment_id: int | None
    self_assessment_id: int | None
    # What the statistics read of this person: the expected and the two assessments' ratings.
    ratings: PersonRatings
    # The person's part of the statistics' sums (calibration.counted).
    counted: Counted | None
    dimensions: tuple[str, ...]
    case_id: int | None
    case_state: str

    @cached_property
    def name_key(self) -> str:
        return self.name.casefold()

    # Worked out on first use: only the sort by offset needs them of everyone.
    @cached_property
    def mean_offset(self) -> float | None:
        manager = self.ratings.manager_rated
        if not manager:
            return None
        return calibration.mean(calibration.offsets(self.ratings.expected, manager).values())

    @cached_property
    def mean_difference(self) -> float | None:
        manager, own = self.ratings.manager_rated, self.ratings.self_rated
        if not manager or not own:
            return None
        return calibration.mean(calibration.differences(own, manager).values())

    @property
    def cells(self) -> tuple[DimensionCell, ...]:
        expected = self.ratings.expected
        manager = self.ratings.manager_rated or {}
        own = self.ratings.self_rated or {}
        return tuple(
            DimensionCell(d, expected.get(d), manager.get(d), own.get(d)) for d in self.dimensions
        )

    @property
    def verdict_label(self) -> str:
        if self.verdict == Verdict.ELIGIBLE_FROM:
            return f"Eligible from {format_date(self.eligible_from)}"
        if self.verdict == Verdict.NOT_YET:
            return f"Not yet: {self.gaps} {'gap' if self.gaps == 1 else 'gaps'}"
        return VERDICT_LABELS[self.verdict]

    @property
    def case_label(self) -> str:
        return PromotionCase.State(self.case_state).label if self.case_state else ""

    @property
    def mean_offset_text(self) -> str:
        return calibration.signed(self.mean_offset)

    @property
    def mean_difference_text(self) -> str:
        return calibration.signed(self.mean_difference)


@dataclass(frozen=True)
class StatsLine:
    """A manager's statistics, or the organisation's, as the page shows them."""

    name: str
    manager_id: int | None
    stats: GroupStats
    flag: Flag | None = None
    difference: float | None = None
    explanation: str = ""

    @property
    def mean_offset(self) -> str:
        return calibration.signed(self.stats.mean_offset)

    @property
    def at_or_above(self) -> str:
        return calibration.percent(self.stats.share_at_or_above)

    @property
    def ready(self) -> str:
        return calibration.percent(self.stats.share_ready)

    @property
    def self_minus_manager(self) -> str:
        return calibration.signed(self.stats.mean_self_minus_manager)


@dataclass(frozen=True)
class CycleCalibration:
    # Every person in the cycle, by name.
    rows: list[Row]
    # The columns: the dimensions of the cycle's ladder, in its order.
    dimensions: tuple[str, ...]
    org: StatsLine
    # Flagged managers first (see calibration_of).
    managers: list[StatsLine]
    threshold: float

    @property
    def flagged(self) -> list[StatsLine]:
        return [line for line in self.managers if line.flag is not None]

    @cached_property
    def choices(self) -> FilterChoices:
        """The managers, teams and levels the rows hold, as the filters offer them."""
        managers = {row.manager_id: row.manager_name for row in self.rows if row.manager_id}
        teams = {row.team_slug: row.team_name for row in self.rows if row.team_slug}
        levels = {row.current_code: row.current_number for row in self.rows if row.current_code}
        return FilterChoices(
            managers=sorted(managers.items(), key=lambda item: item[1].casefold()),
            teams=sorted(teams.items(), key=lambda item: item[1].casefold()),
            levels=[(code, code) for code in sorted(levels, key=lambda c: (levels[c] or 0, c))],
        )


class FilterChoices(NamedTuple):
    managers: list[tuple[int, str]]
    teams: list[tuple[str, str]]
    levels: list[tuple[str, str]]


def calibration_of(
    cycle: ReviewCycle, *, today: datetime.date, threshold: float | None = None
) -> CycleCalibration:
    """Everyone in the cycle by name, with their verdict and ratings, and the statistics: six
    queries, three more when some assessment was not read before in this process, and one for
    each ladder version on its first use."""
    if threshold is None:
        threshold = settings.CALIBRATION_THRESHOLD
    return _calibration_of(cycle, today, threshold)


def _calibration_of(cycle: ReviewCycle, today: datetime.date, threshold: float) -> CycleCalibration:
    members = list(
        # In a fixed order, so that two readings of the same members compare equal; the rows
        # are put in order of name below.
        CycleMember.objects.filter(cycle=cycle)
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "person__name",
            "person__email",
            "manager_id",
            "manager__name",
            "person__team__slug",
            "person__team__name",
            "target_id",
        )
    )
    levels = _level_names()
    targets = {member[1]: levels[member[8]] for member in members if member[8] is not None}
    held = _levels_held(cycle, today, levels)
    target_ladders = {cycle.ladder_id} | {target.ladder_id for target in targets.values()}
    ladders = _Ladders(target_ladders | {level.ladder_id for level, _ in held.values()})
    chosen = _latest_shared(cycle, targets, levels)
    cases = _cases(cycle)

    # A row is made from these alone (and the day and the ladders, which name the memo): the
    # same key is the same row, made once in the process.
    name = (cycle.pk, today, ladders.signature)
    inputs = (members, targets, held, chosen, cases)
    last = _LAST.get(name)
    if last is not None and last.result.threshold == threshold and last.inputs == inputs:
        # Nothing read has changed since the last reading: neither has anything worked out.
        return last.result
    memo = _memo_of(name)
    keys, rows, missing = [], [], []
    for member in members:
        person_id = member[1]
        key = (
            member,
            targets.get(person_id),
            held.get(person_id),
            chosen.get((person_id, Assessment.Role.MANAGER)),
            chosen.get((person_id, Assessment.Role.SELF)),
            cases.get(person_id),
        )
        keys.append(key)
        row = memo.get(key)
        rows.append(row)
        if row is None:
            missing.append(len(rows) - 1)
    if missing:
        made = _rows([keys[i] for i in missing], cycle, ladders, today, target_ladders)
        for i, row in zip(missing, made, strict=True):
            rows[i] = row
        _remember(memo, keys, rows)
    rows.sort(key=_by_name)

    stats = calibration.calibrate_counted(
        ((row.manager_id, row.counted) for row in rows), threshold=threshold
    )
    names = {row.manager_id: row.manager_name or "No manager" for row in rows}
    lines = [
        StatsLine(
            name=names[m.manager],
            manager_id=m.manager,
            stats=m.stats,
            flag=m.flag,
            difference=m.difference,
            explanation=m.explanation(stats.org, names[m.manager]),
        )
        for m in stats.managers
    ]
    # Flagged managers first, the furthest from the organisation first: they are what a
    # committee calibrates. Then by name, and the people who had no manager last.
    lines.sort(
        key=lambda line: (
            line.flag is None,
            -abs(line.difference or 0) if line.flag else 0,
            line.manager_id is None,
            line.name.casefold(),
            line.manager_id or 0,
        )
    )
    result = CycleCalibration(
        rows=rows,
        dimensions=ladders.latest(cycle.ladder_id).dimensions,
        org=StatsLine("Organisation", None, stats.org),
        managers=lines,
        threshold=threshold,
    )
    _LAST[name] = _Last(inputs, result)
    return result


# -- filtering and sorting the rows ------------------------------------------------------------


def filtered(
    rows: list[Row],
    *,
    manager: int | None = None,
    team: str = "",
    level: str = "",
    verdict: str = "",
) -> list[Row]:
    """The rows of one manager (at the cycle's opening), team (by slug), current level (by
    code) and verdict; an empty filter keeps everyone."""
    return [
        row
        for row in rows
        if (manager is None or row.manager_id == manager)
        and (not team or row.team_slug == team)
        and (not level or row.current_code == level)
        and (not verdict or row.verdict == verdict)
    ]


def sorted_rows(rows: list[Row], sort: str) -> list[Row]:
    """The rows in the order of `sort`, a Sort's value, reversed by a leading "-". Unknown
    values keep the order by name; people with nothing to sort on (no level, not assessed)
    come last either way."""
    descending = sort.startswith("-")
    try:
        key = Sort(sort.removeprefix("-"))
    except ValueError:
        return list(rows)
    # Rows come by name from calibration_of: sorting them again costs one pass.
    by_name = sorted(rows, key=_by_name)
    if key == Sort.NAME:
        return by_name[::-1] if descending else by_name
    value = {
        Sort.MANAGER: lambda row: row.manager_name.casefold() if row.manager_id else None,
        Sort.LEVEL: lambda row: (
            None if row.current_number is None else (row.current_number, row.current_code)
        ),
        Sort.VERDICT: lambda row: VERDICT_ORDER[row.verdict],
        Sort.OFFSET: lambda row: row.mean_offset,
    }[key]
    known = [row for row in by_name if value(row) is not None]
    unknown = [row for row in by_name if value(row) is None]
    # A stable sort on the value alone keeps names in order among equals, either way.
    return sorted(known, key=value, reverse=descending) + unknown


def calibration_csv(result: CycleCalibration, rows: list[Row]) -> str:
    """The rows as CSV: a manager's rating, the expected one and the self-assessment's for each
    dimension. Every cell is made safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["name", "email", "manager", "team", "level", "target", "verdict"]
    for dimension in result.dimensions:
        header += [f"{dimension}: manager", f"{dimension}: expected", f"{dimension}: self"]
    header += ["mean offset", "mean self minus manager", "case"]
    writer.writerow([neutralised(cell) for cell in header])
    for row in rows:
        cells = [
            row.name,
            row.email,
            row.manager_name,
            row.team_name,
            row.current_code,
            row.target_code,
            row.verdict_label,
        ]
        for cell in row.cells:
            cells += [_number(cell.rating), _number(cell.expected), _number(cell.self_rating)]
        cells += [
            "" if row.mean_offset is None else f"{row.mean_offset:.2f}",
            "" if row.mean_difference is None else f"{row.mean_difference:.2f}",
            row.case_label,
        ]
        writer.writerow([neutralised(cell) for cell in cells])
    return out.getvalue()


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


# -- making the rows ---------------------------------------------------------------------------


class _LevelName(NamedTuple):
    """A level as the rows name it: what `level_tenure` reads of a level, and where to find it."""

    code: str
    version_id: int
    ladder_id: int


class _Assignment(NamedTuple):
    """What `level_tenure` reads of an assignment."""

    level: _LevelName
    start: datetime.date
    end: datetime.date | None


# A member as the members' query gives them, their target, the level they hold and since when,
# their chosen manager and self-assessments, and their case: everything a row is made of.
_RowKey = tuple[
    tuple,
    _LevelName | None,
    tuple[_LevelName, datetime.date] | None,
    SharedKey | None,
    SharedKey | None,
    tuple[int, str] | None,
]


def _rows(
    keys: list[_RowKey],
    cycle: ReviewCycle,
    ladders: _Ladders,
    today: datetime.date,
    target_ladders: set[int],
) -> list[Row]:
    """The rows of these keys: the ratings and facts of their assessments read in bulk (those not
    read before in the process), each verdict by the rule the person page uses."""
    shared = Assessment.objects.filter(_against_targets(cycle))
    managers = [key[3] for key in keys if key[3] is not None]
    ratings = ratings_of_shared(
        managers + [key[4] for key in keys if key[4] is not None], among=shared
    )
    facts = facts_of_shared(
        managers,
        among=shared.filter(role=Assessment.Role.MANAGER),
        ladder_ids=target_ladders,
    )
    dimensions = ladders.latest(cycle.ladder_id).dimensions
    rows = []
    for member, target_name, held, manager_key, self_key, case in keys:
        (
            member_id,
            person_id,
            name,
            email,
            manager_id,
            manager_name,
            team_slug,
            team_name,
            _,
        ) = member
        current, since = held or (None, None)
        current_data = None
        if current is not None:
            current_data = ladders.level(current.ladder_id, current.version_id, current.code)
        target = None
        if target_name is not None:
            target = ladders.level(target_name.ladder_id, target_name.version_id, target_name.code)
        # Someone with no next level has nothing to be assessed against.
        manager_rated = ratings[manager_key[0]] if manager_key and target else None
        self_rated = ratings[self_key[0]] if self_key and target else None
        verdict, gaps, eligible_from = NO_TARGET, 0, None
        if target is not None:
            readiness = judge_readiness(
                target=target,
                current=current_data,
                rules=ladders.latest(target_name.ladder_id).rules,
                assessment=facts[manager_key[0]] if manager_rated is not None else None,
                level_since=since,
                today=today,
            )
            verdict = readiness.verdict.value
            gaps, eligible_from = len(readiness.gaps), readiness.eligible_from
        person = PersonRatings(
            manager=manager_id,
            expected=target.ratings if target else {},
            manager_rated=manager_rated,
            self_rated=self_rated,
            ready=verdict == Verdict.READY,
        )
        case_id, case_state = case or (None, "")
        rows.append(
            Row(
                member_id=member_id,
                person_id=person_id,
                name=name,
                email=email,
                manager_id=manager_id,
                manager_name=manager_name or "",
                team_slug=team_slug or "",
                team_name=team_name or "",
                current_code=current.code if current else "",
                current_number=current_data.number if current_data else None,
                target_code=target_name.code if target_name else "",
                verdict=verdict,
                gaps=gaps,
                eligible_from=eligible_from,
                manager_assessment_id=manager_key[0] if manager_rated is not None else None,
                self_assessment_id=self_key[0] if self_rated is not None else None,
                ratings=person,
                counted=calibration.counted(person),
                dimensions=dimensions,
                case_id=case_id,
                case_state=case_state,
            )
        )
    return rows


def _by_name(row: Row) -> tuple[str, int]:
    return row.name_key, row.person_id


# The rows made in this process, by cycle, day and ladders (a new day or a new ladder version
# starts afresh): a page read again makes only the rows whose key changed. A shared
# assessment, a ladder version and a level's name never change, so a key names its row for
# good; an id that comes back with other content (a restored database, a test's rolled-back
# rows) comes with another creation time, content hash or name, and so another key.
_MEMOS: dict[tuple, dict[_RowKey, Row]] = {}
MAX_MEMOS = 8
_memos_lock = threading.Lock()


class _Last(NamedTuple):
    """A cycle's last calibration and everything read to make it."""

    inputs: tuple
    result: CycleCalibration


# And the last calibration of each, given again while everything read to make it is the same.
_LAST: dict[tuple, _Last] = {}


def _memo_of(name: tuple) -> dict[_RowKey, Row]:
    with _memos_lock:
        memo = _MEMOS.pop(name, None)
        if memo is None:
            memo = {}
        _MEMOS[name] = memo  # the most recently used last
        while len(_MEMOS) > MAX_MEMOS:
            oldest = next(iter(_MEMOS))
            del _MEMOS[oldest]
            _LAST.pop(oldest, None)
        return memo


def _remember(memo: dict[_RowKey, Row], keys: list[_RowKey], rows: list[Row]) -> None:
    """Keep the new rows; once the rows of earlier readings outnumber this one's, only its."""
    if len(memo) > len(keys) + 100:
        memo.clear()
    memo.update(zip(keys, rows, strict=True))


# A ladder version never changes: each is read once in the process, keyed by its id and content
# hash (a rolled-back or restored database may give an id to other content).
_LADDERS: dict[tuple[int, str], LadderData] = {}


def forget() -> None:
    """Empty what the process keeps (the ladders, the rows, bulk_facts's assessments): for a
    benchmark's first reading, never needed for correctness."""
    _LADDERS.clear()
    with _memos_lock:
        _MEMOS.clear()
        _LAST.clear()
    bulk_facts.forget()


# -- the queries -------------------------------------------------------------------------------


def _level_names() -> dict[int, _LevelName]:
    """Every level by id: one query, of a table that grows with the ladders, not the people."""
    return {
        pk: _LevelName(code, version_id, ladder_id)
        for pk, code, version_id, ladder_id in Level.objects.order_by().values_list(
            "pk", "code", "version_id", "version__ladder_id"
        )
    }


def _people_of(cycle: ReviewCycle):
    return CycleMember.objects.filter(cycle=cycle).values("person_id")


def _levels_held(
    cycle: ReviewCycle, today: datetime.date, levels: dict[int, _LevelName]
) -> dict[int, tuple[_LevelName, datetime.date]]:
    """Each member's level in effect today and since when: one query.

    A promotion approved in this cycle is recorded from the decisions' date, which is usually
    still ahead: until then the page shows the level the person was calibrated at, not the one
    they were promoted to."""
    history: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        LevelAssignment.objects.filter(person_id__in=_people_of(cycle), start__lte=today)
        .order_by()
        .values_list("person_id", "level_id", "start", "end")
    )
    for row in rows:
        history[row[0]].append(row)
    held = {}
    for person_id, assignments in history.items():
        if len(assignments) == 1 and assignments[0][3] is None:
            # Most people have held one level since they joined: no history to count back over.
            _, level_id, start, _ = assignments[0]
            held[person_id] = (levels[level_id], start)
            continue
        tenure = level_tenure(
            [
                # An assignment that ends after today is the one in effect today.
                _Assignment(levels[level_id], start, None if end and end > today else end)
                for _, level_id, start, end in assignments
            ],
            today,
        )
        if tenure is not None:
            held[person_id] = (tenure.assignment.level, tenure.since)
    return held


class _Ladders:
    """The ladders the rows are read in: the latest version of each, and an older one only for
    a level the latest no longer has (one query, and three for each version on first use in the
    process)."""

    def __init__(self, ladder_ids: set[int]):
        self._versions: dict[int, LadderVersion] = {}
        self._latest: dict[int, int] = {}
        versions = LadderVersion.objects.filter(ladder_id__in=ladder_ids).only(
            "pk", "ladder_id", "number", "content_hash"
        )
        for version in versions.order_by("-number"):
            self._versions[version.pk] = version
            self._latest.setdefault(version.ladder_id, version.pk)
        self._levels: dict[tuple[int, int, str], LevelData] = {}

    @property
    def signature(self) -> tuple:
        """The latest version of each ladder, by id and content: what every level is read in."""
        return tuple(
            sorted(
                (ladder_id, pk, self._versions[pk].content_hash)
                for ladder_id, pk in self._latest.items()
            )
        )

    def _of(self, version_id: int) -> LadderData:
        version = self._versions[version_id]
        key = (version.pk, version.content_hash)
        data = _LADDERS.get(key)
        if data is None:
            # Read whole: `version_ladder` reads the version's own fields too.
            data = _LADDERS[key] = version_ladder(LadderVersion.objects.get(pk=version.pk))
        return data

    def latest(self, ladder_id: int) -> LadderData:
        return self._of(self._latest[ladder_id])

    def level(self, ladder_id: int, version_id: int, code: str) -> LevelData:
        """The level of that code in the latest version, else in the version given."""
        found = self._levels.get((ladder_id, version_id, code))
        if found is None:
            try:
                found = self.latest(ladder_id).level(code)
            except KeyError:
                found = self._of(version_id).level(code)
            self._levels[(ladder_id, version_id, code)] = found
        return found


def _against_targets(cycle: ReviewCycle, prefix: str = ""):
    """The filter of a member's shared assessments against their task's target code, in the
    target's ladder (one join to the membership, so code and ladder are the same member's)."""
    member = f"{prefix}person__cycle_memberships__"
    return Q(
        **{
            f"{member}cycle": cycle,
            f"{prefix}level__code": F(f"{member}target__code"),
            f"{prefix}level__version__ladder_id": F(f"{member}target__version__ladder_id"),
            f"{prefix}state": Assessment.State.SHARED,
        }
    )


def _latest_shared(
    cycle: ReviewCycle, targets: dict[int, _LevelName], levels: dict[int, _LevelName]
) -> dict[tuple[int, str], SharedKey]:
    """The latest shared manager and self-assessment of each member against their target (its
    code, in its ladder), by (person, role): readiness's order (`latest_first`), so an
    adjustment, shared last, wins. One query, with no join: the target is matched here."""
    wanted = {(target.code, target.ladder_id) for target in targets.values()}
    # Each level a target may be, by id: its code in its ladder, as the person's target has it.
    named = {
        pk: (level.code, level.ladder_id)
        for pk, level in levels.items()
        if (level.code, level.ladder_id) in wanted
    }
    aims = {person_id: (target.code, target.ladder_id) for person_id, target in targets.items()}
    rows = (
        Assessment.objects.filter(
            person_id__in=_people_of(cycle),
            state=Assessment.State.SHARED,
            level_id__in=list(named),
        )
        .latest_first()
        .values_list("person_id", "role", "level_id", "pk", *shared_key_fields())
    )
    latest: dict[tuple[int, str], SharedKey] = {}
    for person_id, role, level_id, pk, created in rows:
        mine = (person_id, role)
        if mine not in latest and named[level_id] == aims.get(person_id):
            latest[mine] = (pk, created)
    return latest


def _cases(cycle: ReviewCycle) -> dict[int, tuple[int, str]]:
    """Each member's case: the latest of this cycle, else an open one from outside it."""
    rows = (
        PromotionCase.objects.filter(person__cycle_memberships__cycle=cycle)
        .filter(Q(cycle=cycle) | Q(state__in=PromotionCase.OPEN_STATES))
        .order_by("created_at", "pk")
        .values_list("person_id", "pk", "state", "cycle_id")
    )
    cases: dict[int, tuple[int, str]] = {}
    in_cycle: set[int] = set()
    for person_id, pk, state, cycle_id in rows:
        if cycle_id == cycle.pk:
            in_cycle.add(person_id)
        elif person_id in in_cycle:
            continue
        cases[person_id] = (pk, state)
    return cases
