"""Who may see and do what with people and teams: the one place every page, the admin and the
API ask. The rules for assessments, evidence and plans build on these in
assessments/permissions.py.

Roles: a member is anyone signed in; a manager manages the people below them in the manager
tree, directly or through others; an admin (HR, leadership) may see and do everything. What a
person may not see answers 404, so that whether it exists does not leak: the `get_...` getters
fetch and check in one call, and raise Http404 for both.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404

# The admin rule has its home below every app; pages ask it here with the person rules.
from ladder.roles import is_admin
from ladder.roles import require_admin as require_admin

from .models import Person, Team


def person_of(user) -> Person | None:
    """The person a signed-in user is, if any."""
    if not (user and user.is_authenticated):
        return None
    cached = getattr(user, "_ladder_person", False)
    if cached is False:
        cached = (
            Person.objects.filter(user=user)
            .select_related("team", "manager")
            .annotate(reports_exist=Exists(Person.objects.filter(manager=OuterRef("pk"))))
            .first()
        )
        user._ladder_person = cached
    return cached


def is_self_or_manager(user, person: Person) -> bool:
    """The person themself, or a manager above them in the tree."""
    me = person_of(user)
    return me is not None and (me.pk == person.pk or person.is_report_of(me))


def visible_people(user):
    """Everyone the user may look up: admins all, managers their whole chain of reports."""
    if is_admin(user):
        return Person.objects.all()
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    return Person.objects.reports_of(me)


def may_view_person(user, person: Person) -> bool:
    return is_admin(user) or is_self_or_manager(user, person)


def may_edit_person(user, person: Person) -> bool:
    return is_admin(user)


def may_use_directory(user) -> bool:
    me = person_of(user)
    return is_admin(user) or (me is not None and me.has_reports())


def visible_team_members(user, team: Team):
    """The members of a team the user may see: admins all; others the members they may look
    up, and themselves if they belong to it."""
    if is_admin(user):
        return team.members.all()
    members = team.members.filter(pk__in=visible_people(user).values("pk"))
    me = person_of(user)
    if me is not None and me.team_id == team.pk:
        members = members | team.members.filter(pk=me.pk)
    return members


# -- getters: fetch and check in one call ------------------------------------------------------


def get_visible_person(user, pk: int) -> Person:
    me = person_of(user)
    if me is not None and str(me.pk) == str(pk):
        return me  # read already, with the same relations
    person = Person.objects.select_related("team", "manager").filter(pk=pk).first()
    if person is None or not may_view_person(user, person):
        raise Http404("No such person")
    return person


def get_signed_in_person(user) -> Person:
    """The person the signed-in user is; a login with no person finds nothing to act as."""
    me = person_of(user)
    if me is None:
        raise Http404("Not found")
    return me


def get_visible_team(user, slug: str) -> Team:
    """A team the user may see: an admin any, anyone else one they see a member of."""
    team = Team.objects.filter(slug=slug).first()
    if team is None or not (is_admin(user) or visible_team_members(user, team).exists()):
        raise Http404("No such team")
    return team


def require_directory(user) -> None:
    if not may_use_directory(user):
        raise Http404("Not found")
