"""Readiness kept current: worked out for many people at once, stored, and checked.

`work_out` runs the readiness rule (readiness.judge_readiness) for many people from bare values
read in a fixed number of queries, the way the calibration page does, rather than through
`standings_of` and model instances: 10,000 people in seconds, not tens of seconds. Given a
ladder that is not stored yet (`replace`), it says what a new version would do to everyone.

`readiness_refresh` stores what it gives (`StoredReadiness`, `StoredStanding`) in the
transaction of the change, called by every service that changes an input. `readiness_differences`
checks the stored rows against the rule as the person page runs it, which shares nothing with
`work_out` but the rule itself.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone

from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.ladder_data import Level as LevelData
from ladder.frameworks.models import LadderVersion, Level
from ladder.frameworks.selectors import version_ladder
from ladder.metrics import READINESS_PEOPLE, READINESS_REFRESHES
from ladder.people.models import LevelAssignment, Person
from ladder.people.tenure import level_tenure

from .bulk_facts import facts_of_shared, shared_key_fields
from .models import Assessment, StoredReadiness, StoredStanding
from .readiness import Readiness, Verdict, judge_readiness
from .selectors import readiness_of_every_next, standings_of

# People worked out per round of queries: bounds memory and the parameters of a statement.
BATCH_SIZE = 2000


class LevelName(NamedTuple):
    """A level row as the rule's callers name it: its code, in a version of a ladder."""

    code: str
    version_id: int | None  # None: a version not stored yet (a dry run)
    ladder_id: int


class _Assignment(NamedTuple):
    """What `level_tenure` reads of an assignment."""

    level: LevelName
    start: datetime.date
    end: datetime.date | None


@dataclass(frozen=True)
class Judged:
    """Readiness for one next level, and the shared manager assessment it rests on."""

    target: LevelName
    readiness: Readiness
    assessment_id: int | None
    assessed_on: datetime.date | None


@dataclass(frozen=True)
class WorkedOut:
    """One person's standing and their readiness for each next level (the first first)."""

    person_id: int
    current: LevelName | None
    current_data: LevelData | None
    since: datetime.date | None
    months_required: int | None
    last_assessed_on: datetime.date | None
    judged: tuple[Judged, ...]


# A stored version never changes: each is read once in the process, keyed by its id and content
# hash (a restored database or a rolled-back test may give an id to other content).
_LADDERS: dict[tuple[int, str], LadderData] = {}


def forget() -> None:
    """Empty what the process keeps: for a benchmark's first reading, never for correctness."""
    _LADDERS.clear()


class Ladders:
    """Every stored version, read as the pure ladder on first use; `replace` stands a ladder not
    stored yet in for the latest version of a ladder."""

    def __init__(self, replace: Mapping[int, LadderData] | None = None):
        self.replace = dict(replace or {})
        self._versions: dict[int, LadderVersion] = {}
        self.latest_id: dict[int, int] = {}
        for version in LadderVersion.objects.only(
            "pk", "ladder_id", "number", "content_hash"
        ).order_by("-number"):
            self._versions[version.pk] = version
            self.latest_id.setdefault(version.ladder_id, version.pk)

    def of(self, version_id: int) -> LadderData:
        version = self._versions[version_id]
        key = (version.pk, version.content_hash)
        data = _LADDERS.get(key)
        if data is None:
            data = _LADDERS[key] = version_ladder(LadderVersion.objects.get(pk=version.pk))
        return data

    def latest(self, ladder_id: int) -> tuple[int | None, LadderData]:
        """The latest version of a ladder: its id (None for one standing in) and its ladder."""
        if ladder_id in self.replace:
            return None, self.replace[ladder_id]
        version_id = self.latest_id[ladder_id]
        return version_id, self.of(version_id)


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def work_out(
    person_ids: Iterable[int] | None,
    today: datetime.date,
    *,
    replace: Mapping[int, LadderData] | None = None,
    ladders: Ladders | None = None,
) -> dict[int, WorkedOut]:
    """Each person's standing and readiness for each next level, by the rule the person page
    runs; everyone when `person_ids` is None. A fixed number of queries per BATCH_SIZE people."""
    ladders = ladders or Ladders(replace)
    levels = {
        pk: LevelName(code, version_id, ladder_id)
        for pk, code, version_id, ladder_id in Level.objects.order_by().values_list(
            "pk", "code", "version_id", "version__ladder_id"
        )
    }
    if person_ids is None:
        # Everyone at once: no list of ids to send, and one pass over each table.
        return _work_out(None, today, ladders, levels)
    result: dict[int, WorkedOut] = {}
    for chunk in _chunks(sorted(set(person_ids)), BATCH_SIZE):
        result.update(_work_out(chunk, today, ladders, levels))
    return result


def _work_out(
    ids: list[int] | None, today: datetime.date, ladders: Ladders, levels: dict[int, LevelName]
) -> dict[int, WorkedOut]:
    """The people of `ids`, or everyone when None."""
    mine = {} if ids is None else {"person_id__in": ids}
    # Looked up once: per value, finding the current time zone costs more than the rest of
    # reading a date.
    zone = timezone.get_current_timezone()
    history: dict[int, list[_Assignment]] = defaultdict(list)
    for person_id, level_id, start, end in (
        LevelAssignment.objects.filter(**mine)
        .order_by()
        .values_list("person_id", "level_id", "start", "end")
    ):
        history[person_id].append(_Assignment(levels[level_id], start, end))
    last_assessed = {
        person_id: timezone.localdate(moment, zone)
        for person_id, moment in Assessment.objects.filter(**mine)
        .by_managers()
        .shared()
        .order_by()
        .values("person_id")
        .annotate(last=Max("shared_at"))
        .values_list("person_id", "last")
    }

    # Where each person stands, and what they may go to next.
    standing: dict[int, tuple] = {}
    wanted: set[tuple[str, int]] = set()
    for person_id, items in history.items():
        tenure = level_tenure(items, today)
        if tenure is None:
            continue
        held = tenure.assignment.level
        latest_id, latest = ladders.latest(held.ladder_id)
        if any(level.code == held.code for level in latest.levels):
            current_data = latest.level(held.code)
            current = LevelName(held.code, latest_id, held.ladder_id)
            following = latest.next_levels(current_data)
        else:
            # A level the latest version no longer has stays as it was, with no next step.
            current_data = ladders.of(held.version_id).level(held.code)
            current = held
            following = []
        required = None
        if latest.rules.require_minimum_experience:
            required = current_data.minimum_experience.months
        standing[person_id] = (current, current_data, tenure.since, required, latest, following)
        wanted.update((level.code, held.ladder_id) for level in following)

    # The latest shared manager assessment against each next level, by code across versions.
    named = {pk: (name.code, name.ladder_id) for pk, name in levels.items()}
    target_ids = [pk for pk, key in named.items() if key in wanted]
    latest_shared: dict[tuple[int, str, int], tuple] = {}
    shared = Assessment.objects.filter(**mine).by_managers().shared()
    for person_id, level_id, pk, created, shared_at in (
        shared.filter(level_id__in=target_ids)
        .latest_first()
        .values_list("person_id", "level_id", "pk", *shared_key_fields(), "shared_at")
    ):
        code, ladder_id = named[level_id]
        latest_shared.setdefault((person_id, code, ladder_id), ((pk, created), shared_at))
    facts = facts_of_shared(
        [key for key, _ in latest_shared.values()],
        among=shared,
        ladder_ids={ladder_id for _, ladder_id in wanted},
    )

    result = {}
    for person_id in sorted(standing.keys() | last_assessed.keys()) if ids is None else ids:
        if person_id not in standing:
            if person_id in last_assessed:
                result[person_id] = WorkedOut(
                    person_id, None, None, None, None, last_assessed[person_id], ()
                )
            continue
        current, current_data, since, required, latest, following = standing[person_id]
        judged = []
        for target in following:
            found = latest_shared.get((person_id, target.code, current.ladder_id))
            readiness = judge_readiness(
                target=target,
                current=current_data,
                rules=latest.rules,
                assessment=facts[found[0][0]] if found else None,
                level_since=since,
                today=today,
            )
            name = LevelName(target.code, ladders.latest(current.ladder_id)[0], current.ladder_id)
            judged.append(
                Judged(
                    name,
                    readiness,
                    found[0][0] if found else None,
                    timezone.localdate(found[1], zone) if found else None,
                )
            )
        result[person_id] = WorkedOut(
            person_id,
            current,
            current_data,
            since,
            required,
            last_assessed.get(person_id),
            tuple(judged),
        )
    return result


# -- storing ----------------------------------------------------------------------------------


def _gaps(readiness: Readiness) -> list[dict]:
    return [
        {"kind": reason.kind, "subject": reason.subject, "text": reason.text}
        for reason in readiness.gaps
    ]


def _not_met(readiness: Readiness) -> list[dict]:
    return [
        {"section": criterion.section, "text": criterion.text}
        for criterion in readiness.criteria_not_met
    ]


@transaction.atomic
def readiness_refresh(
    person_ids: Iterable[int] | None = None, *, today: datetime.date | None = None
) -> int:
    """Work out and store the readiness of these people (everyone when None), replacing what
    was stored; the number of people worked out. Runs in the caller's transaction, so a change
    and the readiness it makes are saved together or not at all."""
    today = today or timezone.localdate()
    ids = None if person_ids is None else sorted(set(person_ids))
    if ids == []:
        return 0
    _lock_readiness()
    level_ids = {
        (version_id, code): pk
        for pk, code, version_id in Level.objects.order_by().values_list("pk", "code", "version_id")
    }
    now = timezone.now()
    worked = work_out(ids, today)
    for chunk in _chunks(ids, BATCH_SIZE) if ids is not None else [None]:
        readiness = StoredReadiness.objects.all()
        standings = StoredStanding.objects.all()
        if chunk is not None:
            readiness = readiness.filter(person_id__in=chunk)
            standings = standings.filter(person_id__in=chunk)
        readiness.delete()
        standings.delete()
    StoredStanding.objects.bulk_create(
        [
            StoredStanding(
                person_id=one.person_id,
                current_id=level_ids[(one.current.version_id, one.current.code)]
                if one.current
                else None,
                since=one.since,
                months_required=one.months_required,
                last_assessed_on=one.last_assessed_on,
                computed_at=now,
            )
            for one in worked.values()
        ],
        batch_size=1000,
    )
    StoredReadiness.objects.bulk_create(
        [
            StoredReadiness(
                person_id=one.person_id,
                target_id=level_ids[(judged.target.version_id, judged.target.code)],
                target_code=judged.target.code,
                position=position,
                verdict=judged.readiness.verdict.value,
                eligible_from=judged.readiness.eligible_from,
                criteria_met=judged.readiness.criteria_met,
                criteria_counted=judged.readiness.criteria_counted,
                gaps=_gaps(judged.readiness),
                criteria_not_met=_not_met(judged.readiness),
                assessment_id=judged.assessment_id,
                assessed_on=judged.assessed_on,
                computed_at=now,
            )
            for one in worked.values()
            for position, judged in enumerate(one.judged)
        ],
        batch_size=1000,
    )
    people = len(worked) if ids is None else len(ids)
    scope = "everyone" if ids is None else "some"
    READINESS_REFRESHES.labels(scope=scope).inc()
    READINESS_PEOPLE.labels(scope=scope).inc(people)
    return people


# An arbitrary constant naming the advisory lock of stored readiness.
READINESS_LOCK = 0x1ADDE5


def _lock_readiness() -> None:
    """Refresh one at a time until the transaction ends, each reading only after the one before
    has committed. Otherwise, on PostgreSQL, a long refresh (a ladder import) that read before
    a share committed would delete the share's rows and store what it read; SQLite has one
    writer at a time. Taken after every other lock of the change, so no two wait on each other.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [READINESS_LOCK])


def on_levels_changed(sender, *, person_ids: Sequence[int], **kwargs) -> None:
    readiness_refresh(person_ids)


def on_migrated(sender, *, using: str = "default", plan=None, **kwargs) -> None:
    """A database that has levels but no stored readiness (one made before readiness was
    stored) has it worked out once, as it is migrated forwards to the end."""
    if using != "default" or any(backwards for _, backwards in plan or ()):
        return
    tables = set(connections[using].introspection.table_names())
    needed = {model._meta.db_table for model in (LevelAssignment, StoredStanding, StoredReadiness)}
    if not needed <= tables:
        return  # migrated part of the way only
    if LevelAssignment.objects.exists() and not StoredStanding.objects.exists():
        readiness_refresh(None)


# -- checking against the rule as the person page runs it ---------------------------------------


@dataclass(frozen=True)
class Difference:
    person_id: int
    email: str
    stored: str
    expected: str

    def __str__(self) -> str:
        return f"{self.email}: stored {self.stored}; the rule gives {self.expected}"


def _shown(verdict: Verdict, eligible_from: datetime.date | None, gaps: Iterable[dict]) -> str:
    """A verdict as pages show it today, for comparing: verdict, date, the gaps other than time."""
    text = verdict.value
    if verdict == Verdict.ELIGIBLE_FROM:
        text += f" {eligible_from}"
    others = sorted(f"{g['kind']}:{g['subject']}" for g in gaps if g["kind"] != "experience")
    return text + (f" ({'; '.join(others)})" if others else "")


def readiness_differences(
    today: datetime.date | None = None,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> list[Difference]:
    """Every person whose stored readiness or standing differs from what the rule gives now,
    worked out from scratch through `standings_of` and `readiness_of_every_next`."""
    today = today or timezone.localdate()
    differences = []
    read: dict[int, LadderData] = {}
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, batch_size):
        people = list(Person.objects.filter(pk__in=chunk).order_by("pk"))
        standings = standings_of(people, today)
        every = readiness_of_every_next(people, standings, today)
        last = dict(
            Assessment.objects.filter(person__in=people)
            .by_managers()
            .shared()
            .order_by()
            .values("person_id")
            .annotate(last=Max("shared_at"))
            .values_list("person_id", "last")
        )
        stored_standings = {
            s.person_id: s for s in StoredStanding.objects.filter(person_id__in=chunk)
        }
        stored: dict[int, list[StoredReadiness]] = defaultdict(list)
        for row in StoredReadiness.objects.filter(person_id__in=chunk).order_by("position"):
            stored[row.person_id].append(row)
        for person in people:
            standing = standings[person.pk]
            expected = (
                standing.current.pk if standing.current else None,
                standing.since,
                _months_required(standing, read),
                timezone.localdate(last[person.pk]) if person.pk in last else None,
            )
            row = stored_standings.get(person.pk)
            found = (
                (row.current_id, row.since, row.months_required, row.last_assessed_on)
                if row
                else (None,) * 4
            )
            if found != expected:
                differences.append(
                    Difference(person.pk, person.email, _standing(found), _standing(expected))
                )
            want = [
                f"{v.target.code} ({v.target.pk}): "
                + _shown(v.readiness.verdict, v.readiness.eligible_from, _gaps(v.readiness))
                + f" [{v.readiness.criteria_met}/{v.readiness.criteria_counted}, "
                f"assessment {v.assessment.pk if v.assessment else None} of {v.assessed_on}, "
                f"not met {_pairs(_not_met(v.readiness))}]"
                for v in every[person.pk]
            ]
            have = [
                f"{r.target_code} ({r.target_id}): "
                + _shown(r.verdict_on(today), r.eligible_from, r.gaps)
                + f" [{r.criteria_met}/{r.criteria_counted}, "
                f"assessment {r.assessment_id} of {r.assessed_on}, "
                f"not met {_pairs(r.criteria_not_met)}]"
                for r in stored[person.pk]
            ]
            if want != have:
                differences.append(
                    Difference(
                        person.pk,
                        person.email,
                        "; ".join(have) or "none",
                        "; ".join(want) or "none",
                    )
                )
        if progress:
            progress(len(chunk))
    return differences


def _pairs(criteria: list[dict]) -> list[tuple[str, str]]:
    """Criteria as (section, text): PostgreSQL's JSON keeps no order of keys within each."""
    return [(criterion["section"], criterion["text"]) for criterion in criteria]


def _months_required(standing, ladders: dict[int, LadderData]) -> int | None:
    """The Minimum Experience of the current level, as the rule reads it in its ladder
    (`ladders` keeps each version read)."""
    if standing.current is None:
        return None
    version = standing.current.version
    if version.pk not in ladders:
        ladders[version.pk] = version_ladder(version)
    data = ladders[version.pk]
    if not data.rules.require_minimum_experience:
        return None
    return data.level(standing.current.code).minimum_experience.months


def _standing(values: tuple) -> str:
    current, since, required, last = values
    return f"level {current} since {since} (minimum {required} months), last assessed {last}"
