"""People from CSV: every row checked before anything is written, then all applied at once.

Reading the file is csv_rows.py, writing it import_apply.py; here the rows are checked against
the organisation (managers, the tree, level history) and the preview waits to be applied.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from ladder.frameworks.errors import ParseError, Problems
from ladder.frameworks.models import LadderVersion, Level
from ladder.metrics import PEOPLE_IMPORTS

from .csv_rows import COLUMNS, Row, neutralised, read_rows
from .import_apply import apply_rows
from .models import MAX_DEPTH, LevelAssignment, PendingImport, Person, Team
from .services import check_level_change, lock_tree, person_snapshot
from .tree import chain_text, too_deep, tree_shape


@dataclass(frozen=True)
class Change:
    email: str
    kind: str  # "new person", "details", "level"
    summary: str


@dataclass
class ImportPlan:
    problems: list[ParseError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> list[str]:
        """Each problem as `FILE:LINE: message`, in line order, as the page and the command
        line show them."""
        return [str(problem) for problem in sorted(self.problems, key=lambda p: p.line)]


# Told how far a long import has gone: the phase ("Checking", "Writing", "Recording"), the rows
# done and the rows in the file. The command line draws it as a bar; pages pass nothing.
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


@transaction.atomic
def people_import(
    *,
    by,
    text: str,
    path: str,
    version: LadderVersion,
    apply: bool,
    progress: Progress | None = None,
) -> ImportPlan:
    """Check a people CSV against the organisation; with `apply`, write it all or nothing.

    The checks and the writes happen in one transaction under the tree lock, so what was
    checked is what gets written.
    """
    progress = progress or _no_progress
    if apply:
        lock_tree()
    problems = Problems(path)
    plan = ImportPlan(problems=problems.errors)  # one list: every check adds to the plan's
    plan.rows = read_rows(text, version, problems)
    if not plan.rows and plan.problems:
        return plan
    existing = _everyone()
    _check_tree(plan.rows, existing, problems)
    if plan.problems:
        return plan
    levels = version.levels.by_code()
    previous = LevelAssignment.objects.select_related("level").levels_before()
    plan.changes = _changes(plan.rows, existing, levels, previous, problems, progress)
    if plan.problems:
        return plan
    if apply and plan.changes:
        apply_rows(
            by=by,
            rows=plan.rows,
            existing=existing,
            levels=levels,
            previous=previous,
            progress=progress,
        )
        plan.applied = True
    PEOPLE_IMPORTS.labels(outcome="applied" if plan.applied else "checked").inc()
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
        raise _gone()
    if pending.is_expired():
        pending.delete()
        raise _expired()
    return pending


def _gone() -> ValidationError:
    return ValidationError(
        "This preview is no longer waiting: it was applied already, or another admin uploaded "
        "it. Upload the file again."
    )


def _expired() -> ValidationError:
    minutes = int(PendingImport.LIFETIME.total_seconds() // 60)
    return ValidationError(
        f"This preview has expired: a previewed file waits {minutes} minutes to be applied. "
        "Upload the file again."
    )


@transaction.atomic
def pending_import_apply(*, by, pending: PendingImport) -> ImportPlan:
    """Check the previewed file again, against the ladder version it was previewed with, and
    apply it; once applied it is gone. On errors it stays, until it expires, for the admin to
    read them."""
    # Locked, so a second click on "Apply" waits for the first and then finds nothing left. Read
    # again as stored: only its uploader may apply a file, and only within its time.
    stored = (
        PendingImport.objects.select_for_update(of=("self",))
        .filter(pk=pending.pk, uploaded_by=by)
        .select_related("version")
        .first()
    )
    if stored is None:
        raise _gone()
    if stored.is_expired():
        raise _expired()
    plan = people_import(
        by=by, text=stored.text, path=stored.filename, version=stored.version, apply=True
    )
    if plan.ok:
        stored.delete()
    return plan


def _everyone() -> dict[str, Person]:
    """Everyone by email, with their manager, team and open level assignment (as
    `with_current_level()` gives it), in four queries. Managers, teams and levels are linked from
    one copy each: a join or a prefetch would build a copy per person, or send every key back to
    the database."""
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
    return {person.email: person for person in people}


def _link(obj, relation: str, target) -> None:
    """Set a loaded foreign key's object, as `select_related` would, without a query."""
    type(obj)._meta.get_field(relation).set_cached_value(obj, target)


def _check_tree(rows: list[Row], existing: dict[str, Person], problems: Problems) -> None:
    in_file = {row.email for row in rows}
    managers: dict[str, str | None] = {
        email: (p.manager.email if p.manager_id else None) for email, p in existing.items()
    }
    for row in rows:
        manager = row.manager_email or None
        if manager and manager not in in_file and manager not in existing:
            problems.add(
                row.line,
                f"unknown manager {row.manager_email}: not in the file nor in the organisation",
            )
        managers[row.email] = manager
    lines = {row.email: row.line for row in rows}
    depth, cycles = tree_shape(managers)
    for cycle in cycles:
        # Named from its first row in the file: the stored tree has no cycle, so a row made it.
        first = min(cycle, key=lambda email: lines.get(email, math.inf))
        start = cycle.index(first)
        cycle = [*cycle[start:], *cycle[:start], first]
        problems.add(lines[first], f"a cycle in the manager tree: {chain_text(cycle)}")
    reported = set()
    # The first person past the limit on each branch; everyone below them is past it too.
    for email in (email for email, level in depth.items() if level == MAX_DEPTH + 1):
        chain = [email]
        while (manager := managers.get(chain[-1])) is not None:
            chain.append(manager)
        # Blamed on the nearest row of the file at or above them: that row moved them down; with
        # none, on the file as a whole (line 0).
        row_email = next((item for item in chain if item in lines), None)
        line = lines[row_email] if row_email else 0
        if line not in reported:
            reported.add(line)
            problems.add(line, f"{email} would be {too_deep(MAX_DEPTH + 1)}: {chain_text(chain)}")


def _changes(
    rows: list[Row],
    existing: dict[str, Person],
    levels: dict[str, Level],
    previous: dict,
    problems: Problems,
    progress: Progress,
) -> list[Change]:
    changes = []
    teams = Team.objects.by_name()
    for done, row in enumerate(rows, 1):
        if done % 1000 == 0 or done == len(rows):
            progress("Checking", done, len(rows))
        person = existing.get(row.email)
        if person is None:
            level = f" at {row.level_code} since {row.level_since}" if row.level_code else ""
            changes.append(Change(row.email, "new person", f"{row.name}{level}"))
            continue
        before, after = person_snapshot(person), _row_snapshot(row, existing, teams)
        diffs = [
            f"{k}: {before[k] or '—'} → {after[k] or '—'}" for k in before if before[k] != after[k]
        ]
        if diffs:
            changes.append(Change(row.email, "details", "; ".join(diffs)))
        if not row.level_code:
            continue
        current = person.current_assignment
        try:
            changed = check_level_change(
                person,
                current,
                previous.get((person.pk, current.start)) if current else None,
                levels[row.level_code],
                row.level_since,
            )
        except ValidationError as error:
            problems.add(row.line, error.messages[0])
            continue
        if changed:
            was = f"{current.level.code} since {current.start}" if current else "no level"
            changes.append(
                Change(row.email, "level", f"{was} → {row.level_code} since {row.level_since}")
            )
    return changes


def _row_snapshot(row: Row, existing: dict[str, Person], teams: dict[str, Team]) -> dict:
    """The row as `person_snapshot` would read it once applied (teams match whatever the case)."""
    manager = existing.get(row.manager_email)
    team = teams.get(row.team.lower())
    return {
        "name": row.name,
        "email": row.email,
        "manager": (manager.email if manager else row.manager_email) or None,
        "team": (team.name if team else row.team) or None,
    }


def people_csv(version: LadderVersion | None = None) -> str:
    """Everyone as CSV in the import's columns, so an export re-imports to no change."""
    out = io.StringIO()
    # CSV's own line ends (RFC 4180): the writer quotes a cell holding any character of them, so
    # a stored carriage return cannot end a row early.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for _, person in sorted(_everyone().items()):
        current = person.current_assignment
        cells = [
            person.email,
            person.name,
            person.manager.email if person.manager_id else "",
            person.team.name if person.team_id else "",
            current.level.code if current else "",
            current.start.isoformat() if current else "",
        ]
        writer.writerow([neutralised(cell) for cell in cells])
    return out.getvalue()
