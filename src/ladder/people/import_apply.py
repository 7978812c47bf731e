"""Writing a checked people CSV: teams, people, the manager tree and levels, each in a few
statements whatever the size of the file, with the audit events the services would record."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from ladder.audit.services import audit_event, audit_record_many
from ladder.frameworks.models import Level

from .csv_rows import Row
from .models import LevelAssignment, Person, Team
from .services import (
    level_change,
    level_changes_save,
    person_created_event,
    person_snapshot,
    unique_team_slug,
)
from .tree import save_paths, tree_paths, tree_shape, update_rows


@transaction.atomic
def apply_rows(
    *,
    by,
    rows: list[Row],
    existing: dict[str, Person],
    levels: dict[str, Level],
    previous: dict[tuple[int, object], LevelAssignment],
    progress: Callable[[str, int, int], None] = lambda phase, done, total: None,
) -> None:
    """Write `rows`, already checked against `existing` (everyone by email, with their current
    level) and `previous` (each closed assignment by its person and end); `progress` is told
    of the new people as they are created, then of the history recorded."""
    written = 0
    progress("Writing", written, len(rows))
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
        written += len(created)
        progress("Writing", written, len(rows))
    updated = []
    for row in rows:
        person = people[row.email]
        if row.email in new:
            events.append(person_created_event(by=by, person=person))
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
    progress("Writing", len(rows), len(rows))
    # The audit trail, the level history and the readiness it refreshes take as long again.
    progress("Recording", 0, len(rows))
    audit_record_many(events)
    progress("Recording", len(rows) // 2, len(rows))
    level_changes_save(by=by, changes=_level_changes(rows, people, levels, previous))
    progress("Recording", len(rows), len(rows))


def _level_changes(rows: list[Row], people: dict[str, Person], levels, previous) -> list:
    """Each row's level, worked out by the rule `person_set_level` follows, so a file records
    the same history and audit events as the same changes made one by one."""
    changes = []
    for row in rows:
        if not row.level_code:
            continue
        person = people[row.email]
        current = person.current_assignment
        change = level_change(
            person=person,
            current=current,
            previous=previous.get((person.pk, current.start)) if current else None,
            level=levels[row.level_code],
            since=row.level_since,
        )
        if change is not None:
            changes.append(change)
    return changes


def _teams_for(by, rows: list[Row]) -> tuple[dict[str, Team], list]:
    """Every team by its name in lower case, those the rows name first created in one go; and
    an audit event for each created."""
    teams = Team.objects.by_name()
    slugs = {team.slug for team in teams.values()}
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
