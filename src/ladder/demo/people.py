"""Writing the planned people: logins, addresses, teams, people depth by depth (a person's
manager is saved before them), their paths, level histories and audit events."""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.text import slugify

from ladder.audit.services import audit_record_many
from ladder.frameworks.models import Level
from ladder.people.models import LevelAssignment, Person, Team, path_below
from ladder.people.services import (
    LevelChange,
    admin_changed_event,
    level_change,
    person_created_event,
)

from .bulk import BATCH_SIZE
from .phrases import TEAM_NAMES
from .planning import ADMIN_EMAIL, DEMO_LOGINS, DEMO_PASSWORD, Node

EMAIL_DOMAIN = "example.com"


def write_people(
    nodes: list[Node],
    team_count: int,
    levels: list[Level],
    rng: random.Random,
    progress: Callable[[int], None] | None,
) -> tuple[dict[int, Person], list[str]]:
    """The saved people by node, and the demo logins this run created (none when an earlier
    run made them). `progress(done)` is called after each batch with how many are saved."""
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ValidationError("the demo needs a database that returns new rows' ids in bulk.")
    by_code = {level.code: level for level in levels}
    users = _create_logins(nodes)
    _assign_emails(nodes)
    teams = _create_teams(team_count, rng)
    # A second run's organisation reports to the demo admin from the first, if there is one.
    top_manager = (
        None
        if ADMIN_EMAIL in users
        else Person.objects.filter(user__email=ADMIN_EMAIL).order_by("pk").first()
    )
    saved: dict[int, Person] = {}
    by_depth: dict[int, list[int]] = {}
    for index, node in enumerate(nodes):
        by_depth.setdefault(node.depth, []).append(index)
    done = 0
    for depth in sorted(by_depth):
        indexes = by_depth[depth]
        for start in range(0, len(indexes), BATCH_SIZE):
            batch = indexes[start : start + BATCH_SIZE]
            people = _create_people(nodes, batch, saved, teams, users, top_manager)
            assignments, events = [], []
            for index, person in zip(batch, people, strict=True):
                saved[index] = person
                changes = _level_changes(person, nodes[index].history, by_code)
                assignments += [change.assignment for change in changes]
                events += _audit_events(person, changes, admin=nodes[index].login == ADMIN_EMAIL)
            LevelAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
            audit_record_many(events)
            done += len(batch)
            if progress is not None:
                progress(done)
    return saved, [email for email in DEMO_LOGINS if email in users]


def _create_logins(nodes: list[Node]) -> dict[str, object]:
    """The demo users whose address no person nor user has yet, sharing one password hash.

    The nodes planned for a login that exists already become ordinary people."""
    User = get_user_model()
    # Addresses are stored in their canonical spelling (ladder.people.emails), as these are.
    query = Q(email__in=DEMO_LOGINS) | Q(username__in=DEMO_LOGINS)
    taken = {
        value
        for pair in User.objects.filter(query).values_list("email", "username")
        for value in pair
    }
    taken.update(Person.objects.filter(email__in=DEMO_LOGINS).values_list("email", flat=True))
    for node in nodes:
        if node.login in taken:
            node.login = None
    wanted = [node.login for node in nodes if node.login]
    if not wanted:
        return {}
    password = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: once for all three
    users = [
        User(
            username=email,
            email=email,
            password=password,
            is_superuser=email == ADMIN_EMAIL,
            is_staff=email == ADMIN_EMAIL,
        )
        for email in wanted
    ]
    User.objects.bulk_create(users)
    return {user.email: user for user in users}


def _plain(text: str) -> str:
    """ASCII letters and digits only, for an email address: "Núñez" -> "nunez"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def _assign_emails(nodes: list[Node]) -> None:
    """firstname.lastname@, then firstname.lastname2@ and on: unique whatever their case, and
    clashing with no address in the database."""
    taken = set(Person.objects.values_list("email", flat=True))
    following: dict[str, int] = {}
    for node in nodes:
        if node.login:
            node.email = node.login
            continue
        first, last = node.name.split(" ", 1)
        base = f"{_plain(first)}.{_plain(last)}"
        n = following.get(base, 1)
        email = f"{base}@{EMAIL_DOMAIN}" if n == 1 else f"{base}{n}@{EMAIL_DOMAIN}"
        while email in taken:
            n += 1
            email = f"{base}{n}@{EMAIL_DOMAIN}"
        following[base] = n + 1
        taken.add(email)
        node.email = email


def _create_teams(count: int, rng: random.Random) -> list[Team]:
    """`count` teams named from the list, then numbered beyond it ("Payments 2"), none clashing
    with a team in the database."""
    names = {name.lower() for name in Team.objects.values_list("name", flat=True)}
    slugs = set(Team.objects.values_list("slug", flat=True))
    order = TEAM_NAMES[:]
    rng.shuffle(order)
    teams: list[Team] = []
    round_ = 1
    while len(teams) < count:
        for base in order:
            name = base if round_ == 1 else f"{base} {round_}"
            slug = slugify(name)
            if name.lower() in names or slug in slugs:
                continue
            names.add(name.lower())
            slugs.add(slug)
            teams.append(Team(name=name, slug=slug))
            if len(teams) == count:
                break
        round_ += 1
    return Team.objects.bulk_create(teams, batch_size=BATCH_SIZE)


def _audit_events(person: Person, changes: list[LevelChange], *, admin: bool) -> list:
    """What `person_create`, `person_set_level` (for the current level) and `person_set_admin`
    would have recorded."""
    events = [person_created_event(by=None, person=person)]
    if changes:
        events.append(changes[-1].event(by=None))
    if admin:
        events.append(admin_changed_event(by=None, person=person, admin=True))
    return events


def _create_people(
    nodes: list[Node],
    batch: list[int],
    saved: dict[int, Person],
    teams: list[Team],
    users: dict[str, object],
    top_manager: Person | None,
) -> list[Person]:
    people = []
    for index in batch:
        node = nodes[index]
        manager = saved[node.parent] if node.parent is not None else top_manager
        people.append(
            Person(
                name=node.name,
                email=node.email,
                manager=manager,
                team=teams[node.team] if node.team is not None else None,
                user=users.get(node.login) if node.login else None,
            )
        )
    Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
    for person in people:
        person.path = path_below(person.manager.path if person.manager else None, person.pk)
    Person.objects.bulk_update(people, ["path"], batch_size=BATCH_SIZE)
    return people


def _level_changes(
    person: Person, history: list[tuple[str, datetime.date]], by_code: dict[str, Level]
) -> list[LevelChange]:
    """The history as `person_set_level` records it, one level after another: each new level
    closes the one before and has its reason for the change."""
    changes: list[LevelChange] = []
    for code, start in history:
        current = changes[-1].assignment if changes else None
        changes.append(
            level_change(
                person=person, current=current, previous=None, level=by_code[code], since=start
            )
        )
    return changes
