"""People from CSV: every row checked before anything is written, then all applied at once."""

from __future__ import annotations

import csv
import datetime
import io
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ladder.audit.services import audit_event, audit_record_many
from ladder.frameworks.models import LadderVersion, Level

from .emails import canonical_email
from .models import MAX_DEPTH, LevelAssignment, PendingImport, Person, Team
from .services import (
    check_corrected_start,
    lock_tree,
    person_snapshot,
    reason_for_change,
    unique_team_slug,
)
from .tree import chain_text, save_paths, too_deep, tree_paths, tree_shape, update_rows
from .validation import check_text

COLUMNS = ["email", "name", "manager_email", "team", "level_code", "level_since"]
# The longest values the database keeps, per column (a manager is named by an email).
_LIMITS = {
    "email": Person._meta.get_field("email").max_length,
    "name": Person._meta.get_field("name").max_length,
    "manager_email": Person._meta.get_field("email").max_length,
    "team": Team._meta.get_field("name").max_length,
    "level_code": Level._meta.get_field("code").max_length,
}
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection"):
# the export puts a ' before it, which shows the cell as text, and the import takes it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    existing = {p.email: p for p in _everyone()}
    _check_tree(plan.rows, existing, path, plan.errors)
    if plan.errors:
        plan.errors.sort(key=lambda error: _line_of(error, path))
        return plan
    levels = {level.code: level for level in version.levels.all()}
    # The closed assignment each open one follows, by (person, its end): a corrected start
    # moves that end along.
    previous = {
        (a.person_id, a.end): a
        for a in LevelAssignment.objects.filter(end__isnull=False).select_related("level")
    }
    plan.changes = _changes(plan.rows, existing, levels, previous, path, plan.errors)
    if plan.errors:
        return plan
    if apply and plan.changes:
        _apply(by, plan.rows, existing, levels, previous)
        plan.applied = True
    return plan


@transaction.atomic
def people_import_preview(
    *, by, text: str, filename: str, version: LadderVersion
) -> tuple[ImportPlan, PendingImport | None]:
    """Check an uploaded file; when it has changes to apply, keep it for the admin who uploaded
    it (expired ones are deleted meanwhile) until they apply it."""
    plan = people_import(by=by, text=text, path=filename, version=version, apply=False)
    if not (plan.ok and plan.changes):
        return plan, None
    PendingImport.objects.expired().delete()
    pending = PendingImport.objects.create(
        uploaded_by=by, text=text, filename=filename, version=version
    )
    return plan, pending


def get_pending_import(user, token: str) -> PendingImport:
    """The file `user` previewed under `token`, or a ValidationError saying to upload again."""
    # Files hold people's names and addresses: none is kept past its time, whoever asks.
    PendingImport.objects.expired().exclude(token=token).delete()
    pending = (
        PendingImport.objects.filter(token=token, uploaded_by=user)
        .select_related("version__ladder")
        .first()
    )
    if pending is None:
        raise ValidationError(
            "This preview is no longer waiting: it was applied already, or another admin "
            "uploaded it. Upload the file again."
        )
    if pending.is_expired():
        pending.delete()
        minutes = int(PendingImport.LIFETIME.total_seconds() // 60)
        raise ValidationError(
            f"This preview has expired: a previewed file waits {minutes} minutes to be "
            "applied. Upload the file again."
        )
    return pending


@transaction.atomic
def pending_import_apply(*, by, pending: PendingImport) -> ImportPlan:
    """Check the previewed file again, against the ladder version it was previewed with, and
    apply it; once applied it is gone. On errors it stays, until it expires, for the admin to
    read them."""
    # Locked, so a second click on "Apply" waits for the first and then finds nothing left.
    if not PendingImport.objects.select_for_update().filter(pk=pending.pk).exists():
        raise ValidationError("This preview was applied already.")
    plan = people_import(
        by=by, text=pending.text, path=pending.filename, version=pending.version, apply=True
    )
    if plan.ok:
        pending.delete()
    return plan


def _everyone() -> list[Person]:
    """Everyone with their manager, team and open level assignment (as `with_current_level()`
    gives it), in four queries. Managers, teams and levels are linked from one copy each: a join
    or a prefetch would build a copy per person, or send every key back to the database."""
    levels = Level.objects.in_bulk()
    current = {}
    for assignment in LevelAssignment.objects.filter(end__isnull=True):
        _link(assignment, "level", levels[assignment.level_id])
        current[assignment.person_id] = assignment
    teams = Team.objects.in_bulk()
    people = list(Person.objects.all())
    by_pk = {person.pk: person for person in people}
    for person in people:
        _link(person, "manager", by_pk.get(person.manager_id))
        _link(person, "team", teams.get(person.team_id))
        person.current_assignments = [current[person.pk]] if person.pk in current else []
    return people


def _link(obj, relation: str, target) -> None:
    """Set a loaded foreign key's object, as `select_related` would, without a query."""
    type(obj)._meta.get_field(relation).set_cached_value(obj, target)


def _line_of(error: str, path: str) -> int:
    line = error[len(path) + 1 :].split(":", 1)[0]
    return int(line) if line.isdigit() else 0


def decode_csv(data: bytes, path: str) -> str:
    """The text of an uploaded or read file, or a ValidationError naming the line that is not
    UTF-8 (the page and the command line say the same)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        hint = " (it is UTF-16)" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        raise ValidationError(
            f"{path}:{line}: not UTF-8 text{hint}: byte 0x{data[error.start]:02x} cannot be "
            "read; save the file as CSV UTF-8"
        ) from None


def _unreadable(path: str, line: int, error: csv.Error) -> str:
    reason = str(error)
    if reason.startswith("field larger than field limit"):
        reason = f"a cell is longer than {csv.field_size_limit():,} characters"
    return f"{path}:{line}: not readable as CSV: {reason}"


def _shown(value: str, limit: int = 80) -> str:
    """A value from the file quoted for a message: escaped, and cut when long."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


def _restored(cell: str) -> str:
    """A cell without the ' that `people_csv` put before a formula's first character."""
    return (
        cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell
    )


def _neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text. A cell that already starts with ' before such a
    character gets one more, so the import gives back exactly what was exported."""
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def _cell_problems(values: dict[str, str]) -> dict[str, str]:
    """What a row holds that the database would refuse or a name must not: per column."""
    problems = {}
    for column in COLUMNS:
        value = values[column]
        try:
            check_text(value, column)
        except ValidationError as error:
            problems[column] = error.messages[0].rstrip(".")
            continue
        limit = _LIMITS.get(column)
        if limit is not None and len(value) > limit:
            problems[column] = f"{column} is longer than {limit} characters"
    return problems


def _read(text: str, path: str, version: LadderVersion, errors: list[str]) -> list[Row]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as error:
        errors.append(_unreadable(path, 1, error))
        return []
    if sorted(header) != sorted(COLUMNS):
        errors.append(
            f"{path}:1: the header must name the columns {','.join(COLUMNS)}; found "
            f"{_shown(','.join(header)) if header else 'nothing'}"
        )
        return []
    codes = set(version.levels.values_list("code", flat=True))
    rows, first_line = [], {}
    today = timezone.localdate()
    while True:
        # A row is named by the line it starts on: a quoted cell may go on over several.
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(_unreadable(path, line, error))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(f"{path}:{line}: expected {len(header)} columns, found {len(cells)}")
            continue
        values = {name: _restored(cell.strip()) for name, cell in zip(header, cells, strict=True)}
        where = f"{path}:{line}"
        email = values["email"]
        # Checked, compared and stored in its canonical spelling; messages quote the file's own.
        address = values["email"] = canonical_email(email)
        values["manager_email"] = canonical_email(values["manager_email"])
        problems = _cell_problems(values)
        errors.extend(f"{where}: {problem}" for problem in problems.values())
        if "email" in problems or "manager_email" in problems:
            continue
        try:
            validate_email(address)
        except ValidationError:
            errors.append(f"{where}: {_shown(email)} is not an email address")
            continue
        if address in first_line:
            errors.append(f"{where}: duplicate email {email} (first on line {first_line[address]})")
            continue
        first_line[address] = line
        if not values["name"]:
            errors.append(f"{where}: {email} has no name")
        code, since = values["level_code"], None
        if code and code not in codes:
            errors.append(
                f"{where}: unknown level {_shown(code)}: {version.ladder.slug} v{version.number} has "
                f"{', '.join(sorted(codes))}"
            )
        if code or values["level_since"]:
            try:
                since = datetime.date.fromisoformat(values["level_since"])
            except ValueError:
                errors.append(
                    f"{where}: bad date {_shown(values['level_since'])} for level_since: use YYYY-MM-DD"
                )
            else:
                if since > today:
                    errors.append(f"{where}: level_since {since} is in the future")
            if not code:
                errors.append(f"{where}: level_since is given but level_code is empty")
        rows.append(
            Row(line, address, values["name"], values["manager_email"], values["team"], code, since)
        )
    return rows


def _check_tree(rows: list[Row], existing: dict[str, Person], path: str, errors: list[str]) -> None:
    in_file = {row.email for row in rows}
    managers: dict[str, str | None] = {
        email: (p.manager.email if p.manager_id else None) for email, p in existing.items()
    }
    for row in rows:
        manager = row.manager_email or None
        if manager and manager not in in_file and manager not in existing:
            errors.append(
                f"{path}:{row.line}: unknown manager {row.manager_email}: not in the file nor in the organisation"
            )
        managers[row.email] = manager
    lines = {row.email: row.line for row in rows}
    depth, cycles = tree_shape(managers)
    for cycle in cycles:
        # Named from its first row in the file: the stored tree has no cycle, so a row made it.
        first = min(cycle, key=lambda email: lines.get(email, math.inf))
        start = cycle.index(first)
        cycle = [*cycle[start:], *cycle[:start], first]
        errors.append(f"{path}:{lines[first]}: a cycle in the manager tree: {chain_text(cycle)}")
    reported = set()
    # The first person past the limit on each branch; everyone below them is past it too.
    for email in (email for email, level in depth.items() if level == MAX_DEPTH + 1):
        chain = [email]
        while (manager := managers.get(chain[-1])) is not None:
            chain.append(manager)
        # Blamed on the nearest row of the file at or above them: that row moved them down.
        row_email = next((item for item in chain if item in lines), None)
        where = f"{path}:{lines[row_email]}" if row_email else path
        if where not in reported:
            reported.add(where)
            errors.append(
                f"{where}: {email} would be {too_deep(MAX_DEPTH + 1)}: {chain_text(chain)}"
            )


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
        person = existing.get(row.email)
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
    manager = existing.get(row.manager_email)
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
    teams, events = _teams_for(by, rows)
    people = dict(existing)
    new = {row.email: row for row in rows if row.email not in existing}
    # New people depth by depth, managers first, so each is created with their manager's key.
    depth, _ = tree_shape(
        {
            email: (row.manager_email if row.manager_email in new else None)
            for email, row in new.items()
        }
    )
    by_depth: dict[int, list[Row]] = {}
    for row in new.values():
        by_depth.setdefault(depth[row.email], []).append(row)
    for level in sorted(by_depth):
        created = [
            Person(
                name=row.name,
                email=row.email,
                team=teams.get(row.team.lower()),
                manager=people.get(row.manager_email),
            )
            for row in by_depth[level]
        ]
        Person.objects.bulk_create(created, batch_size=1000)
        for row, person in zip(by_depth[level], created, strict=True):
            person.current_assignments = []
            people[row.email] = person
    updated = []
    for row in rows:
        person = people[row.email]
        if row.email in new:
            after = person_snapshot(person)
            events.append(
                audit_event(by=by, action="person.created", target=person, before=None, after=after)
            )
            continue
        before = person_snapshot(person)
        person.name, person.email = row.name, row.email
        person.team = teams.get(row.team.lower()) if row.team else None
        person.manager = people.get(row.manager_email) if row.manager_email else None
        after = person_snapshot(person)
        if before != after:
            updated.append(person)
            events.append(
                audit_event(
                    by=by, action="person.updated", target=person, before=before, after=after
                )
            )
    update_rows(
        Person,
        ["name", "email", "team", "manager"],
        [(p.name, p.email, p.team_id, p.manager_id, p.pk) for p in updated],
    )
    # Paths from the links just written, everyone's at once; only the changed ones are saved.
    paths = tree_paths({p.pk: p.manager_id for p in people.values()})
    save_paths(paths, [(p.pk, p.path) for p in people.values()])
    events += _apply_levels(by, rows, people, levels, previous)
    audit_record_many(events)


def _teams_for(by, rows: list[Row]) -> tuple[dict[str, Team], list]:
    """Every team by its name in lower case, those the rows name first created in one go; and
    an audit event for each created."""
    stored = list(Team.objects.all())
    teams = {team.name.lower(): team for team in stored}
    slugs = {team.slug for team in stored}
    new = []
    for row in rows:
        if row.team and row.team.lower() not in teams:
            team = Team(name=row.team, slug=unique_team_slug(row.team, taken=slugs))
            teams[row.team.lower()] = team
            new.append(team)
    Team.objects.bulk_create(new, batch_size=1000)
    events = [
        audit_event(
            by=by,
            action="team.created",
            target=team,
            before=None,
            after={"name": team.name, "slug": team.slug},
        )
        for team in new
    ]
    return teams, events


def _apply_levels(by, rows, people, levels, previous) -> list:
    closing, opening, events = [], [], []
    for row in rows:
        if not row.level_code:
            continue
        person, level = people[row.email], levels[row.level_code]
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
    update_rows(LevelAssignment, ["start", "end"], [(a.start, a.end, a.pk) for a in closing])
    LevelAssignment.objects.bulk_create(opening, batch_size=1000)
    return events


def people_csv(version: LadderVersion | None = None) -> str:
    """Everyone as CSV in the import's columns, so an export re-imports to no change."""
    out = io.StringIO()
    # CSV's own line ends (RFC 4180): the writer quotes a cell holding any character of them, so
    # a stored carriage return cannot end a row early.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for person in sorted(_everyone(), key=lambda person: person.email):
        current = person.current_assignment
        cells = [
            person.email,
            person.name,
            person.manager.email if person.manager_id else "",
            person.team.name if person.team_id else "",
            current.level.code if current else "",
            current.start.isoformat() if current else "",
        ]
        writer.writerow([_neutralised(cell) for cell in cells])
    return out.getvalue()
