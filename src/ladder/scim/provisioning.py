"""What an identity provider's requests do to people and teams.

Every change goes through the people services (`person_create`, `person_update`) and records
what they record, so a person provisioned here and one imported from a CSV are the same rows and
the same audit events. What SCIM sends that Ladder has no column for is kept in ScimUser and
ScimGroup.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from scim2_models import (
    EnterpriseUser,
    Group,
    InvalidValueException,
    Name,
    UniquenessException,
)

from ladder.audit.services import audit_record
from ladder.people.emails import canonical_email
from ladder.people.models import Person, Team
from ladder.people.services import (
    login_create,
    person_create,
    person_link_user,
    person_update,
    unique_team_slug,
)
from ladder.people.validation import check_text

from .models import ScimGroup, ScimUser
from .resources import LadderUser, person_is_active, resource_id

KEEP = object()  # a replacement that leaves the manager out leaves the manager as it is


def provisioned_people():
    """Everyone the SCIM API shows: people deleted through it stay in Ladder, not in the API."""
    return Person.objects.exclude(scim__deprovisioned=True)


# -- users -------------------------------------------------------------------------------------


@transaction.atomic
def scim_user_create(*, by, resource: LadderUser) -> Person:
    """A new person; or, for the address of someone deleted through SCIM, that person again."""
    email = _email_of(resource, before=None, current=None)
    user_name = canonical_email(resource.user_name or email)
    gone = Person.objects.filter(email=email, scim__deprovisioned=True).first()
    if gone is not None:
        return scim_user_update(by=by, person=gone, resource=resource, before=None, manager=KEEP)
    _check_unique(user_name, email, person=None)
    person = person_create(
        by=by,
        name=_name_of(resource, before=None, current=None),
        email=email,
        manager=_manager_of(resource, absent=None),
    )
    scim = ScimUser(person=person, active=True)
    _keep_attributes(scim, resource, user_name, email)
    scim.save()
    _set_active(by=by, person=person, scim=scim, active=resource.active is not False)
    return person


@transaction.atomic
def scim_user_update(
    *, by, person: Person, resource: LadderUser, before: LadderUser | None, manager=None
) -> Person:
    """Make `person` what `resource` says. `before` is the resource a PATCH was applied to
    (what changed decides which name and address win), None for a replacement; `manager` is
    KEEP when a replacement leaves the manager out."""
    person = Person.objects.select_related("manager", "team", "user").get(pk=person.pk)
    scim = ScimUser.objects.select_for_update().filter(person=person).first()
    email = _email_of(resource, before=before, current=person.email)
    user_name = canonical_email(resource.user_name or email)
    _check_unique(user_name, email, person=person)
    absent = person.manager if manager is KEEP else None
    person = person_update(
        by=by,
        person=person,
        name=_name_of(resource, before=before, current=person.name),
        email=email,
        manager=_manager_of(resource, absent=absent),
        team=person.team,
    )
    if scim is None:
        scim = ScimUser(person=person, active=person_is_active(person))
    scim.deprovisioned = False
    _keep_attributes(scim, resource, user_name, email)
    scim.save()
    _set_active(by=by, person=person, scim=scim, active=resource.active is not False)
    return person


@transaction.atomic
def scim_user_deprovision(*, by, person: Person) -> None:
    """An identity provider's DELETE: the person loses access and leaves the API; they and
    their history stay in Ladder."""
    scim = ScimUser.objects.select_for_update().filter(person=person).first()
    if scim is None:
        scim = ScimUser(person=person, user_name=person.email, active=person_is_active(person))
    scim.deprovisioned = True
    scim.updated_at = timezone.now()
    scim.save()
    _set_active(by=by, person=person, scim=scim, active=False)


def _set_active(*, by, person: Person, scim: ScimUser, active: bool) -> None:
    """Switch the person's access on or off: the SCIM state, and their login (Django refuses an
    inactive login's session and sign-in).

    Someone switched off who has no login gets one, switched off and with no password: every
    way in (a password, a reset, an invitation, single sign-on) then finds a login that may not
    sign in, rather than making a new one.
    """
    user = person.user
    was = scim.active and (user.is_active if user is not None else True)
    if user is None and not active:
        user = login_create(person.email, active=False)
        person_link_user(by=by, person=person, user=user)
        person.user = user
    if scim.active != active:
        ScimUser.objects.filter(pk=scim.pk).update(active=active)
        scim.active = active
    if user is not None and user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    if was != active:
        action = "person.reactivated" if active else "person.deactivated"
        audit_record(
            by=by, action=action, target=person, before={"active": was}, after={"active": active}
        )


def _keep_attributes(scim: ScimUser, resource: LadderUser, user_name: str, email: str) -> None:
    name = resource.name or Name()
    chosen = _chosen_email(resource.emails or [], email)
    scim.user_name = user_name
    scim.external_id = resource.external_id or ""
    scim.given_name = name.given_name or ""
    scim.family_name = name.family_name or ""
    scim.display_name = resource.display_name or ""
    scim.email_type = str(chosen.type or "")[:20] if chosen else ""
    scim.email_primary = chosen.primary if chosen else None
    scim.updated_at = timezone.now()
    for field in ("user_name", "external_id", "given_name", "family_name", "display_name"):
        limit = ScimUser._meta.get_field(field).max_length
        if len(getattr(scim, field)) > limit:
            raise InvalidValueException(detail=f"{field} is longer than {limit} characters.")
        check_text(getattr(scim, field), field)


def _check_unique(user_name: str, email: str, person: Person | None) -> None:
    """409 uniqueness for a userName or an address someone else holds."""
    others = Person.objects.exclude(pk=person.pk) if person else Person.objects.all()
    if others.filter(email=email).exists():
        raise UniquenessException(detail=f"Someone already has the email {email}.")
    users = ScimUser.objects.exclude(person=person) if person else ScimUser.objects.all()
    if (
        users.filter(user_name=user_name).exists()
        or others.filter(scim__isnull=True, email=user_name).exists()
    ):
        raise UniquenessException(detail=f"Someone already has the userName {user_name}.")


def _chosen_email(emails, email: str):
    for entry in emails:
        if entry.value and canonical_email(entry.value) == email:
            return entry
    return None


def _pick(emails):
    """The address a person is known by: the primary one, else the work one, else the first."""
    for wanted in (lambda e: e.primary, lambda e: str(e.type) == "work", bool):
        for entry in emails:
            if wanted(entry):
                return entry
    return None


def _email_of(resource: LadderUser, *, before: LadderUser | None, current: str | None) -> str:
    """The person's address: from `emails`, else from userName. After a PATCH, an address that
    was not there before wins (Entra ID replaces `emails[type eq "work"].value`), then a
    changed userName that was the address."""
    emails = [e for e in resource.emails or [] if e.value]
    user_name = resource.user_name or ""
    chosen = None
    if before is None:
        chosen = _pick(emails)
        address = chosen.value if chosen else user_name
    else:
        old = {canonical_email(e.value) for e in before.emails or [] if e.value}
        fresh = [e for e in emails if canonical_email(e.value) not in old]
        if fresh:
            address = _pick(fresh).value
        elif user_name != before.user_name and canonical_email(before.user_name or "") == current:
            address = user_name
        elif current in {canonical_email(e.value) for e in emails} or not emails:
            address = current
        else:
            address = _pick(emails).value
    address = canonical_email(address)
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidValueException(
            detail=f"{address!r} is not an email address: send one as userName or in emails."
        ) from None
    return address


def _name_of(resource: LadderUser, *, before: LadderUser | None, current: str | None) -> str:
    """The person's name: name.formatted, else givenName and familyName, else displayName;
    after a PATCH, whichever of those changed."""
    name = resource.name or Name()
    parts = " ".join(p for p in (name.given_name, name.family_name) if p)
    if before is not None:
        old = before.name or Name()
        old_parts = " ".join(p for p in (old.given_name, old.family_name) if p)
        if name.formatted and name.formatted != old.formatted:
            return name.formatted
        if parts and parts != old_parts:
            return parts
        if resource.display_name and resource.display_name != before.display_name:
            return resource.display_name
    result = name.formatted or parts or resource.display_name or current or resource.user_name
    limit = Person._meta.get_field("name").max_length
    if len(result) > limit:
        raise InvalidValueException(detail=f"The name is longer than {limit} characters.")
    return result


def _manager_of(resource: LadderUser, *, absent):
    """The manager the enterprise extension names by SCIM id; `absent` when it is left out."""
    extension = resource[EnterpriseUser]
    if extension is None:
        return absent
    if extension.manager is None or not extension.manager.value:
        return None
    return person_by_id(extension.manager.value, "manager")


def person_by_id(value: str, what: str) -> Person:
    pk = resource_id(value)
    person = provisioned_people().filter(pk=pk).first() if pk is not None else None
    if person is None:
        raise InvalidValueException(detail=f"No user has the id {value!r} given as {what}.")
    return person


# -- groups ------------------------------------------------------------------------------------


@transaction.atomic
def scim_group_create(*, by, resource: Group) -> Team:
    """A new team, recorded as the CSV import records one, with its members."""
    name = _team_name(resource, team=None)
    team = Team.objects.create(name=name, slug=unique_team_slug(name))
    audit_record(
        by=by,
        action="team.created",
        target=team,
        before=None,
        after={"name": team.name, "slug": team.slug},
    )
    ScimGroup.objects.create(team=team, external_id=resource.external_id or "")
    _set_members(by=by, team=team, resource=resource)
    return team


@transaction.atomic
def scim_group_update(*, by, team: Team, resource: Group) -> Team:
    team = Team.objects.select_for_update().get(pk=team.pk)
    name = _team_name(resource, team=team)
    if name != team.name:
        before = {"name": team.name}
        team.name = name
        team.save(update_fields=["name"])
        audit_record(by=by, action="team.updated", target=team, before=before, after={"name": name})
    scim, _ = ScimGroup.objects.get_or_create(team=team)
    scim.external_id = resource.external_id or ""
    scim.updated_at = timezone.now()
    scim.save()
    _set_members(by=by, team=team, resource=resource)
    return team


@transaction.atomic
def scim_group_delete(*, by, team: Team) -> None:
    """Its members leave the team (each change audited), then the team goes."""
    for person in team.members.select_related("manager", "team"):
        _move(by=by, person=person, team=None)
    audit_record(
        by=by,
        action="team.deleted",
        target=team,
        before={"name": team.name, "slug": team.slug},
        after=None,
    )
    team.delete()


def _team_name(resource: Group, team: Team | None) -> str:
    name = (resource.display_name or "").strip()
    if not name:
        raise InvalidValueException(detail="A group needs a displayName.")
    limit = Team._meta.get_field("name").max_length
    if len(name) > limit:
        raise InvalidValueException(detail=f"The displayName is longer than {limit} characters.")
    check_text(name, "team name")
    taken = Team.objects.by_name().get(name.lower())
    if taken is not None and taken != team:
        raise UniquenessException(detail=f"There is a team called {taken.name} already.")
    return name


def _set_members(*, by, team: Team, resource: Group) -> None:
    """A person is on one team: joining this one takes them off the one they were on."""
    wanted = {}
    for member in resource.members or []:
        if member.type is not None and str(member.type).lower() != "user":
            raise InvalidValueException(detail="A team holds people only, not other groups.")
        person = person_by_id(member.value or "", "member")
        wanted[person.pk] = person
    current = {p.pk: p for p in team.members.select_related("manager", "team")}
    for pk, person in current.items():
        if pk not in wanted:
            _move(by=by, person=person, team=None)
    for pk, person in wanted.items():
        if pk not in current:
            _move(by=by, person=person, team=team)


def _move(*, by, person: Person, team: Team | None) -> None:
    person_update(
        by=by,
        person=person,
        name=person.name,
        email=person.email,
        manager=person.manager,
        team=team,
    )
