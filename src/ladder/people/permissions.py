"""Who may see and do what: the one place every page, the admin and the API ask.

Roles: a member is anyone signed in; a manager manages the people below them in the manager
tree, directly or through others; an admin (HR, leadership) may see and do everything. What a
person may not see answers 404, so that whether it exists does not leak.
"""

from __future__ import annotations

from django.http import Http404

from .models import Person


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def person_of(user) -> Person | None:
    """The person a signed-in user is, if any."""
    if not (user and user.is_authenticated):
        return None
    cached = getattr(user, "_ladder_person", False)
    if cached is False:
        cached = Person.objects.filter(user=user).select_related("team").first()
        user._ladder_person = cached
    return cached


def visible_people(user):
    """Everyone the user may look up: admins all, managers their whole chain of reports."""
    if is_admin(user):
        return Person.objects.all()
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    return Person.objects.reports_of(me)


def may_view_person(user, person: Person) -> bool:
    if is_admin(user):
        return True
    me = person_of(user)
    return me is not None and (me.pk == person.pk or person.is_report_of(me))


def may_edit_person(user, person: Person) -> bool:
    return is_admin(user)


def may_use_directory(user) -> bool:
    me = person_of(user)
    return is_admin(user) or (me is not None and me.has_reports())


def get_visible_person(user, pk: int) -> Person:
    person = Person.objects.select_related("team", "manager").filter(pk=pk).first()
    if person is None or not may_view_person(user, person):
        raise Http404("No such person")
    return person


def require_admin(user) -> None:
    if not is_admin(user):
        raise Http404("Not found")


# -- assessments, evidence, growth plans ------------------------------------------------------


def may_assess(user, person: Person, role: str) -> bool:
    """Self-assessments are the person's own; manager assessments are their managers'."""
    me = person_of(user)
    if me is None:
        return False
    return me.pk == person.pk if role == "self" else person.is_report_of(me)


def may_view_assessment(user, assessment) -> bool:
    """Drafts are the author's; a submitted manager assessment is for the managers in the chain
    until it is shared; a self-assessment reaches the managers once shared."""
    me = person_of(user)
    if me is not None and assessment.author_id == me.pk:
        return True
    if assessment.state == "draft":
        return False
    if is_admin(user):
        return True
    if me is None:
        return False
    person = assessment.person
    if assessment.role == "manager":
        return person.is_report_of(me) or (me.pk == person.pk and assessment.state == "shared")
    return assessment.state == "shared" and person.is_report_of(me)


def may_edit_assessment(user, assessment) -> bool:
    me = person_of(user)
    return me is not None and assessment.state == "draft" and is_still_author(me, assessment)


def is_still_author(me: Person, assessment) -> bool:
    """The author, and for a manager assessment still a manager of the person: someone who
    has moved out of the chain no longer finishes, submits or shares what they began."""
    if assessment.author_id != me.pk:
        return False
    return assessment.role == "self" or assessment.person.is_report_of(me)


def may_add_evidence(user, person: Person) -> bool:
    me = person_of(user)
    return me is not None and (me.pk == person.pk or person.is_report_of(me))


def may_edit_plan(user, person: Person) -> bool:
    return is_admin(user) or may_add_evidence(user, person)


def get_visible_assessment(user, pk: int):
    from ladder.assessments.models import Assessment

    assessment = (
        Assessment.objects.select_related("person", "author", "level", "level__version")
        .filter(pk=pk)
        .first()
    )
    if assessment is None or not may_view_assessment(user, assessment):
        raise Http404("No such assessment")
    return assessment
