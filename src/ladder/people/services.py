"""Workflows on people: the pages, the CSV import and the demo all go through these."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.text import slugify

from ladder.audit.models import AuditEvent
from ladder.audit.services import audit_event, audit_record, audit_record_many
from ladder.frameworks.models import Level

from .emails import canonical_email
from .models import LevelAssignment, Person, Team, path_below
from .signals import levels_changed
from .tree import check_depth, subtree_height, update_rows
from .validation import check_text


def person_snapshot(person: Person) -> dict:
    """The audited fields of a person."""
    return {
        "name": person.name,
        "email": person.email,
        "manager": person.manager.email if person.manager_id else None,
        "team": person.team.name if person.team_id else None,
    }


def unique_team_slug(name: str, taken: set[str] | None = None) -> str:
    """A slug no team has yet. A caller creating many teams at once passes the slugs `taken`
    (the new one is added), instead of a query per try."""
    # slugify keeps ASCII only (the `<slug:>` URL converter takes nothing else) and can lengthen
    # a name ("㎒" spells out as "mhz"), so the slug is cut to its column, suffix included.
    limit = Team._meta.get_field("slug").max_length
    base = slugify(name)[:limit].strip("-_") or "team"
    slug, n = base, 1
    while slug in taken if taken is not None else Team.objects.filter(slug=slug).exists():
        n += 1
        suffix = f"-{n}"
        slug = base[: limit - len(suffix)].rstrip("-_") + suffix
    if taken is not None:
        taken.add(slug)
    return slug


def lock_tree() -> None:
    """Serialise changes to the manager tree until the transaction ends.

    Two moves checked at once could each pass the cycle check and together make a cycle. On
    PostgreSQL a transaction-scoped advisory lock orders them; SQLite has one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK])


# An arbitrary constant naming the manager tree's advisory lock.
TREE_LOCK = 0x1ADDE4


def check_manager(person: Person, manager: Person | None) -> None:
    """Refuse a manager that would make the tree a cycle."""
    if manager is None or person.pk is None:
        return
    if manager.pk == person.pk:
        raise ValidationError(f"{person.email} cannot be their own manager.")
    if manager.path.startswith(person.path):
        raise ValidationError(
            f"{manager.email} reports to {person.email}, so cannot be their manager: "
            "that would make a cycle in the manager tree."
        )


@transaction.atomic
def person_create(
    *,
    by,
    name: str,
    email: str,
    manager: Person | None = None,
    team: Team | None = None,
    level: Level | None = None,
    level_since: datetime.date | None = None,
) -> Person:
    email = canonical_email(email)
    if Person.objects.filter(email=email).exists():
        raise ValidationError(f"Someone already has the email {email}.")
    check_text(name)
    lock_tree()
    if manager is not None:
        manager.refresh_from_db(fields=["path"])
    check_depth(email, manager)
    person = Person.objects.create(name=name, email=email, manager=manager, team=team)
    person.path = path_below(manager.path if manager else None, person.pk)
    person.save(update_fields=["path"])
    person_created_event(by=by, person=person).save()
    if level is not None:
        person_set_level(
            by=by,
            person=person,
            level=level,
            since=level_since or datetime.date.today(),
            reason=LevelAssignment.Reason.HIRE,
        )
    return person


@transaction.atomic
def person_update(
    *, by, person: Person, name: str, email: str, manager: Person | None, team: Team | None
) -> Person:
    lock_tree()
    # Read under the lock: the paths that the cycle check compares are current.
    person = Person.objects.select_for_update().get(pk=person.pk)
    if manager is not None:
        manager = Person.objects.get(pk=manager.pk)
    before = person_snapshot(person)
    email = canonical_email(email)
    if Person.objects.filter(email=email).exclude(pk=person.pk).exists():
        raise ValidationError(f"Someone else already has the email {email}.")
    check_manager(person, manager)
    check_text(name)
    if email != person.email and person.user_id is not None:
        _move_login(person.user_id, before["email"], email)
    person.name, person.email, person.team = name, email, team
    if person.manager_id != (manager.pk if manager else None):
        check_depth(person.email, manager, subtree_height(person))
        person.manager = manager
        _move_subtree(person, path_below(manager.path if manager else None, person.pk))
    person.save()
    after = person_snapshot(person)
    if after != before:
        audit_record(by=by, action="person.updated", target=person, before=before, after=after)
    return person


def login_name_taken(address: str, *, other_than: int | None = None) -> bool:
    """Whether a login is named by `address` or has it as its address (besides `other_than`):
    such a login is someone's, and only an admin can tell whose, so none is taken over."""
    User = get_user_model()
    named = User.objects.filter(Q(**{User.USERNAME_FIELD: address}) | Q(email=address))
    return named.exclude(pk=other_than).exists()


def login_name_fits(address: str) -> bool:
    """A person's address may be longer (254 characters) than a login's name may be (150)."""
    User = get_user_model()
    return len(address) <= User._meta.get_field(User.USERNAME_FIELD).max_length


def login_create(address: str, *, password: str | None = None, active: bool = True):
    """A new login named by a person's (canonical) address, with `password` or none usable;
    the caller links it to the person with `person_link_user`. An address too long for a
    login's name, or one a login has already, is a ValidationError (code "too_long", "taken")."""
    if not login_name_fits(address):
        raise ValidationError(
            f"The address {address} is too long to name a login.", code="too_long"
        )
    if login_name_taken(address):
        raise ValidationError(
            f"A login named {address} exists already but is not linked to this person; "
            "ask an admin to link it.",
            code="taken",
        )
    User = get_user_model()
    user = User(**{User.USERNAME_FIELD: address}, email=address, is_active=active)
    user.set_password(password)  # None: no password opens it
    user.save()
    return user


def _move_login(user_id: int, old: str, new: str) -> None:
    """A person's new address is their login's too: sign-in and password reset match the
    login's address, which would otherwise go on opening the account by the old one, even
    once that address is someone else's. A login already named by the new one is refused."""
    if login_name_taken(new, other_than=user_id):
        raise ValidationError(f"A login named {new} exists already, so the address cannot move.")
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    user.email = new
    # The name follows the address when it was the address and the new one fits; sign-in
    # matches the address either way.
    if canonical_email(user.get_username()) == canonical_email(old) and login_name_fits(new):
        setattr(user, user.USERNAME_FIELD, new)
    user.save()


def _move_subtree(person: Person, new_path: str) -> None:
    old_path = person.path
    # One UPDATE rewrites the prefix of everyone below, however many they are.
    Person.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    person.path = new_path


def reason_for_change(old: Level | None, new: Level) -> str:
    if old is None:
        return LevelAssignment.Reason.HIRE
    if old.track != new.track:
        return LevelAssignment.Reason.TRACK_CHANGE
    if new.number > old.number:
        return LevelAssignment.Reason.PROMOTION
    return LevelAssignment.Reason.CORRECTION


def assignment_snapshot(assignment: LevelAssignment | None) -> dict | None:
    """The audited fields of a level assignment."""
    if assignment is None:
        return None
    return {
        "level": assignment.level.code,
        "since": assignment.start.isoformat(),
        "reason": assignment.reason,
    }


@dataclass
class LevelChange:
    """One level change worked out in memory, not yet written."""

    person: Person
    action: str  # "level.assigned" or "level.corrected"
    before: dict | None
    # The person's current assignment once written: a new row, or the corrected one.
    assignment: LevelAssignment
    # Stored rows whose start or end moves (the current one closed or corrected, the one before).
    moved: list[LevelAssignment]
    opens: bool  # `assignment` is a new row

    def event(self, *, by) -> AuditEvent:
        return audit_event(
            by=by,
            action=self.action,
            target=self.person,
            before=self.before,
            after=assignment_snapshot(self.assignment),
        )


def check_level_change(
    person: Person,
    current: LevelAssignment | None,
    previous: LevelAssignment | None,
    level: Level,
    since: datetime.date,
) -> bool:
    """Whether putting `person` at `level` from `since` changes their history; a ValidationError
    if it would make the history overlap. `current` is their open assignment, `previous` the one
    that ended the day `current` started."""
    # Codes, not rows: a later ladder version has new rows for the same level.
    if current is not None and current.level.code == level.code:
        if current.start == since:
            return False
        check_corrected_start(person, current, previous, since)
    elif current is not None and since < current.start:
        raise ValidationError(
            f"{person.email}: the new level starts on {since}, before the current one "
            f"({current.level.code}, since {current.start})."
        )
    return True


def check_corrected_start(
    person: Person,
    current: LevelAssignment,
    previous: LevelAssignment | None,
    since: datetime.date,
) -> None:
    """A corrected start moves the end of the level before it, and must stay after its start,
    so the history never overlaps."""
    if previous is not None and since <= previous.start:
        raise ValidationError(
            f"{person.email}: {current.level.code} cannot start on {since}, on or before the "
            f"level before it ({previous.level.code}, from {previous.start})."
        )


def level_change(
    *,
    person: Person,
    current: LevelAssignment | None,
    previous: LevelAssignment | None,
    level: Level,
    since: datetime.date,
    reason: str | None = None,
) -> LevelChange | None:
    """The one rule for recording a level, for one person (`person_set_level`) or a whole file
    (the CSV import): None when nothing changes, else the change, with `current` and `previous`
    updated in memory for `level_changes_save` to write.

    The current level again with another date corrects its start, and the level before it then
    ends that day; another level closes the current one and opens a row of its own.
    """
    if not check_level_change(person, current, previous, level, since):
        return None
    before = assignment_snapshot(current)
    if current is not None and current.level.code == level.code:
        moved = [current]
        if previous is not None:
            previous.end = since
            moved.insert(0, previous)
        current.start = since
        return LevelChange(person, "level.corrected", before, current, moved, opens=False)
    moved = []
    if current is not None:
        current.end = since
        moved.append(current)
    opened = LevelAssignment(
        person=person,
        level=level,
        start=since,
        reason=reason or reason_for_change(current.level if current else None, level),
    )
    return LevelChange(person, "level.assigned", before, opened, moved, opens=True)


@transaction.atomic
def level_changes_save(*, by, changes: list[LevelChange]) -> None:
    """Write level changes and their audit events, however many, in a few statements."""
    # Close before opening: one open assignment per person is a database constraint.
    update_rows(
        LevelAssignment,
        ["start", "end"],
        [(row.start, row.end, row.pk) for change in changes for row in change.moved],
    )
    LevelAssignment.objects.bulk_create(
        [change.assignment for change in changes if change.opens], batch_size=1000
    )
    audit_record_many([change.event(by=by) for change in changes])
    if changes:
        levels_changed.send(
            sender=LevelAssignment, person_ids=sorted({c.person.pk for c in changes})
        )


@transaction.atomic
def person_set_level(
    *, by, person: Person, level: Level, since: datetime.date, reason: str | None = None
) -> LevelAssignment:
    """Record that `person` is at `level` from `since`, closing their current assignment.

    Setting the current level again with another date corrects its start instead.
    """
    # The CSV import reads everyone's levels under this lock before it writes them.
    lock_tree()
    history = LevelAssignment.objects.select_for_update(of=("self",)).select_related("level")
    current = history.filter(person=person, end__isnull=True).first()
    previous = None
    if current is not None and current.level.code == level.code:
        ended = history.filter(person=person, end=current.start).levels_before()
        previous = ended.get((person.pk, current.start))
    change = level_change(
        person=person, current=current, previous=previous, level=level, since=since, reason=reason
    )
    if change is None:
        return current
    level_changes_save(by=by, changes=[change])
    return change.assignment


@transaction.atomic
def person_set_admin(*, by, person: Person, admin: bool) -> None:
    """Make a person an admin (HR, leadership), or not: everything, and the Django admin."""
    # The login as stored now, not as the caller loaded it: `before` is what the audit says.
    user = get_user_model().objects.select_for_update().filter(person=person.pk).first()
    if user is None:
        raise ValidationError(f"{person.email} has no login, so cannot be an admin.")
    before = {"admin": user.is_superuser}
    user.is_superuser = user.is_staff = admin
    user.save(update_fields=["is_superuser", "is_staff"])
    if before["admin"] != admin:
        admin_changed_event(by=by, person=person, admin=admin).save()


def person_created_event(*, by, person: Person) -> AuditEvent:
    """What creating a person records, unsaved: the page, the CSV import and the demo alike."""
    return audit_event(
        by=by, action="person.created", target=person, before=None, after=person_snapshot(person)
    )


def admin_changed_event(*, by, person: Person, admin: bool) -> AuditEvent:
    """What making a person an admin (or no longer one) records, unsaved."""
    return audit_event(
        by=by,
        action="role.changed",
        target=person,
        before={"admin": not admin},
        after={"admin": admin},
    )


@transaction.atomic
def person_link_user(*, by, person: Person, user) -> None:
    """Give a person a login, or take it away: a login sees what the person may see."""
    stored = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    before = {"login": stored.user.get_username() if stored.user_id else None}
    after = {"login": user.get_username() if user else None}
    if before == after:
        return
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ValidationError(f"The login {user.get_username()} belongs to someone else already.")
    Person.objects.filter(pk=person.pk).update(user=user)
    person.user = user
    audit_record(by=by, action="login.linked", target=person, before=before, after=after)
