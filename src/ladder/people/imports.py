"""People from CSV: every row checked before anything is written, then all applied at once."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ladder.audit.services import audit_event, audit_record_many
from ladder.frameworks.models import LadderVersion, Level

from .models import LevelAssignment, Person, Team
from .services import (
    check_corrected_start,
    lock_tree,
    person_snapshot,
    reason_for_change,
    team_for_name,
)
from .tree import find_cycle, rebuild_paths

COLUMNS = ["email", "name", "manager_email", "team", "level_code", "level_since"]
# The longest values the database keeps, per column.
_LIMITS = {
    "email": Person._meta.get_field("email").max_length,
    "name": Person._meta.get_field("name").max_length,
    "team": Team._meta.get_field("name").max_length,
}


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    name: str
    manager_email: str
    team: str
    level_code: str
    level_since: datetime.date | None


@dataclass(frozen=True)
class Change:
    email: str
    kind: str  # "new person", "details", "level"
    summary: str


@dataclass
class ImportPlan:
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def people_import(*, by, text: str, path: str, version: LadderVersion, apply: bool) -> ImportPlan:
    """Check a people CSV against the organisation; with `apply`, write it all or nothing.

    The checks and the writes happen in one transaction under the tree lock, so what was
    checked is what gets written.
    """
    if apply:
        lock_tree()
    plan = ImportPlan()
    plan.rows = _read(text, path, version, plan.errors)
    if not plan.rows and plan.errors:
        return plan
    existing = {
        p.email.lower(): p
        for p in Person.objects.select_related("manager", "team").with_current_level()
    }
    _check_tree(plan.rows, existing, path, plan.errors)
    if plan.errors:
        plan.errors.sort(key=_line_of)
        return plan
    levels = {level.code: level for level in version.levels.all()}
    # The closed assignment each open one follows, by (person, its end): a corrected start
    # moves that end along.
    previous = {
        (a.person_id, a.end): a
        for a in LevelAssignment.objects.filter(
            person__in=existing.values(), end__isnull=False
        ).select_related("level")
    }
    plan.changes = _changes(plan.rows, existing, levels, previous, path, plan.errors)
    if plan.errors:
        return plan
    if apply and plan.changes:
        _apply(by, plan.rows, existing, levels, previous)
        plan.applied = True
    return plan


def _line_of(error: str) -> int:
    return int(error.split(":")[1]) if error.split(":")[1].isdigit() else 0


def _read(text: str, path: str, version: LadderVersion, errors: list[str]) -> list[Row]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if sorted(header) != sorted(COLUMNS):
        errors.append(
            f"{path}:1: the header must name the columns {','.join(COLUMNS)}; found {','.join(header) or 'nothing'}"
        )
        return []
    codes = set(version.levels.values_list("code", flat=True))
    rows, first_line = [], {}
    today = timezone.localdate()
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(f"{path}:{reader.line_num}: not readable as CSV: {error}")
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(f"{path}:{line}: expected {len(header)} columns, found {len(cells)}")
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        where = f"{path}:{line}"
        email = values["email"]
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"{where}: {email!r} is not an email address")
            continue
        if email.lower() in first_line:
            errors.append(
                f"{where}: duplicate email {email} (first on line {first_line[email.lower()]})"
            )
            continue
        first_line[email.lower()] = line
        if not values["name"]:
            errors.append(f"{where}: {email} has no name")
        for column, limit in _LIMITS.items():
            if len(values[column]) > limit:
                errors.append(f"{where}: {column} is longer than {limit} characters")
        code, since = values["level_code"], None
        if code and code not in codes:
            errors.append(
                f"{where}: unknown level {code!r}: {version.ladder.slug} v{version.number} has "
                f"{', '.join(sorted(codes))}"
            )
        if code or values["level_since"]:
            try:
                since = datetime.date.fromisoformat(values["level_since"])
            except ValueError:
                errors.append(
                    f"{where}: bad date {values['level_since']!r} for level_since: use YYYY-MM-DD"
                )
            else:
                if since > today:
                    errors.append(f"{where}: level_since {since} is in the future")
            if not code:
                errors.append(f"{where}: level_since is given but level_code is empty")
        rows.append(
            Row(line, email, values["name"], values["manager_email"], values["team"], code, since)
        )
    return rows


def _check_tree(rows: list[Row], existing: dict[str, Person], path: str, errors: list[str]) -> None:
    in_file = {row.email.lower() for row in rows}
    managers: dict[str, str | None] = {
        email: (p.manager.email.lower() if p.manager_id else None) for email, p in existing.items()
    }
    for row in rows:
        manager = row.manager_email.lower() or None
        if manager and manager not in in_file and manager not in existing:
            errors.append(
                f"{path}:{row.line}: unknown manager {row.manager_email}: not in the file nor in the organisation"
            )
        managers[row.email.lower()] = manager
    reported: set[str] = set()
    for row in rows:
        cycle = find_cycle(managers, row.email.lower())
        if cycle and row.email.lower() in cycle and not reported & set(cycle):
            reported.update(cycle)
            errors.append(f"{path}:{row.line}: a cycle in the manager tree: {' -> '.join(cycle)}")


def _changes(
    rows: list[Row],
    existing: dict[str, Person],
    levels: dict[str, Level],
    previous: dict,
    path: str,
    errors: list[str],
) -> list[Change]:
    changes = []
    team_names = {name.lower(): name for name in Team.objects.values_list("name", flat=True)}
    for row in rows:
        person = existing.get(row.email.lower())
        if person is None:
            level = f" at {row.level_code} since {row.level_since}" if row.level_code else ""
            changes.append(Change(row.email, "new person", f"{row.name}{level}"))
            continue
        before, after = person_snapshot(person), _row_snapshot(row, existing, team_names)
        diffs = [
            f"{k}: {before[k] or '—'} → {after[k] or '—'}" for k in before if before[k] != after[k]
        ]
        if diffs:
            changes.append(Change(row.email, "details", "; ".join(diffs)))
        current = person.current_assignment
        if row.level_code and (
            current is None
            or current.level.code != row.level_code
            or current.start != row.level_since
        ):
            if current and current.level.code == row.level_code:
                try:
                    check_corrected_start(
                        person, current, previous.get((person.pk, current.start)), row.level_since
                    )
                except ValidationError as error:
                    errors.append(f"{path}:{row.line}: {error.messages[0]}")
                    continue
            if current and current.level.code != row.level_code and row.level_since < current.start:
                errors.append(
                    f"{path}:{row.line}: {row.email} is at {current.level.code} since "
                    f"{current.start}; a new level cannot start before that ({row.level_since})"
                )
                continue
            was = f"{current.level.code} since {current.start}" if current else "no level"
            changes.append(
                Change(row.email, "level", f"{was} → {row.level_code} since {row.level_since}")
            )
    return changes


def _row_snapshot(row: Row, existing: dict[str, Person], team_names: dict[str, str]) -> dict:
    """The row as `person_snapshot` would read it once applied (teams match whatever the case)."""
    manager = existing.get(row.manager_email.lower())
    return {
        "name": row.name,
        "email": row.email,
        "manager": (manager.email if manager else row.manager_email) or None,
        "team": team_names.get(row.team.lower(), row.team) or None,
    }


@transaction.atomic
def _apply(
    by, rows: list[Row], existing: dict[str, Person], levels: dict[str, Level], previous: dict
) -> None:
    teams = {t.name.lower(): t for t in Team.objects.all()}
    for row in rows:
        if row.team and row.team.lower() not in teams:
            teams[row.team.lower()] = team_for_name(row.team)
    new = [
        Person(name=row.name, email=row.email, team=teams.get(row.team.lower()))
        for row in rows
        if row.email.lower() not in existing
    ]
    Person.objects.bulk_create(new, batch_size=1000)
    people = {
        p.email.lower(): p
        for p in Person.objects.select_related("manager", "team").with_current_level()
    }
    events, updated = [], []
    for row in rows:
        person = people[row.email.lower()]
        before = None if row.email.lower() not in existing else person_snapshot(person)
        person.name, person.email = row.name, row.email
        person.team = teams.get(row.team.lower()) if row.team else None
        person.manager = people.get(row.manager_email.lower()) if row.manager_email else None
        after = person_snapshot(person)
        if before != after:
            updated.append(person)
            action = "person.created" if before is None else "person.updated"
            events.append(
                audit_event(by=by, action=action, target=person, before=before, after=after)
            )
    Person.objects.bulk_update(updated, ["name", "email", "team", "manager"], batch_size=1000)
    rebuild_paths()
    events += _apply_levels(by, rows, people, levels, previous)
    audit_record_many(events)


def _apply_levels(by, rows, people, levels, previous) -> list:
    closing, opening, events = [], [], []
    for row in rows:
        if not row.level_code:
            continue
        person, level = people[row.email.lower()], levels[row.level_code]
        current = person.current_assignment
        # Codes, not rows, are compared: a later ladder version has new rows for the same level.
        if current and current.level.code == level.code and current.start == row.level_since:
            continue
        before = (
            {"level": current.level.code, "since": current.start.isoformat()} if current else None
        )
        if current and current.level.code == level.code:
            # Same level, corrected date: the level before it now ends that day.
            earlier = previous.get((person.pk, current.start))
            if earlier is not None:
                earlier.end = row.level_since
                closing.append(earlier)
            current.start = row.level_since
            closing.append(current)
        else:
            if current:
                current.end = row.level_since
                closing.append(current)
            opening.append(
                LevelAssignment(
                    person=person,
                    level=level,
                    start=row.level_since,
                    reason=reason_for_change(current.level if current else None, level),
                )
            )
        after = {"level": level.code, "since": row.level_since.isoformat()}
        events.append(
            audit_event(by=by, action="level.assigned", target=person, before=before, after=after)
        )
    # Close before opening: one open assignment per person is a database constraint.
    LevelAssignment.objects.bulk_update(closing, ["start", "end"], batch_size=1000)
    LevelAssignment.objects.bulk_create(opening, batch_size=1000)
    return events


def people_csv(version: LadderVersion | None = None) -> str:
    """Everyone as CSV in the import's columns, so an export re-imports to no change."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    people = Person.objects.select_related("manager", "team").with_current_level().order_by("email")
    for person in people:
        current = person.current_assignment
        writer.writerow(
            [
                person.email,
                person.name,
                person.manager.email if person.manager_id else "",
                person.team.name if person.team_id else "",
                current.level.code if current else "",
                current.start.isoformat() if current else "",
            ]
        )
    return out.getvalue()
