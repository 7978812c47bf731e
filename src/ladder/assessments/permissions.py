"""Who may see and do what with assessments, evidence and growth plans.

Built on the person rules of people/permissions.py: what a user may not see answers 404, and
the `get_...` getters fetch and check in one call, so a view never repeats the check.
"""

from __future__ import annotations

from django.http import Http404

from ladder.people.models import Person
from ladder.people.permissions import (
    get_signed_in_person,
    get_visible_person,
    is_admin,
    is_self_or_manager,
    person_of,
)

from . import selectors
from .models import Assessment, GrowthItem

State, Role = Assessment.State, Assessment.Role


def may_assess(user, person: Person, role: str) -> bool:
    """Self-assessments are the person's own; manager assessments are their managers'."""
    me = person_of(user)
    if me is None:
        return False
    if role == Role.SELF:
        return me.pk == person.pk
    return role == Role.MANAGER and person.is_report_of(me)


def may_view_assessment(user, assessment: Assessment) -> bool:
    """Drafts are the author's; a submitted manager assessment is for the managers in the chain
    until it is shared; a self-assessment reaches the managers once shared."""
    me = person_of(user)
    if me is not None and assessment.author_id == me.pk:
        return True
    if assessment.state == State.DRAFT:
        return False
    if is_admin(user):
        return True
    if me is None:
        return False
    person = assessment.person
    if assessment.role == Role.MANAGER:
        return person.is_report_of(me) or (me.pk == person.pk and assessment.state == State.SHARED)
    return assessment.state == State.SHARED and person.is_report_of(me)


def is_still_author(me: Person, assessment: Assessment) -> bool:
    """The author, and for a manager assessment still a manager of the person: someone who
    has moved out of the chain no longer finishes, submits or shares what they began."""
    if assessment.author_id != me.pk:
        return False
    return assessment.role == Role.SELF or assessment.person.is_report_of(me)


def may_edit_assessment(user, assessment: Assessment) -> bool:
    me = person_of(user)
    return me is not None and assessment.state == State.DRAFT and is_still_author(me, assessment)


def may_share_assessment(user, assessment: Assessment) -> bool:
    me = person_of(user)
    return me is not None and assessment.state == State.SUBMITTED and assessment.author_id == me.pk


def may_add_evidence(user, person: Person) -> bool:
    return is_self_or_manager(user, person)


def may_edit_plan(user, person: Person) -> bool:
    return is_admin(user) or may_add_evidence(user, person)


# -- getters: fetch and check in one call ------------------------------------------------------


def get_visible_assessment(user, pk: int) -> Assessment:
    """An assessment the user may read, with its criteria, evidence links and ratings."""
    try:
        assessment = selectors.get_assessment(pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None
    if not may_view_assessment(user, assessment):
        raise Http404("No such assessment")
    return assessment


def get_assessment_for_saving(user, pk: int) -> Assessment:
    """An assessment the user sends answers to, its row locked until the caller's transaction
    ends: a draft they may still edit, or one of theirs no longer a draft (a form sent twice,
    which the page answers by saying so). Call it inside `transaction.atomic()`."""
    me = person_of(user)
    # Only the author ever saves, so no one else's request waits on (or holds) the row lock.
    if me is None or not Assessment.objects.filter(pk=pk, author=me).exists():
        raise Http404("No such assessment")
    try:
        assessment = selectors.get_assessment(pk, lock=True)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None
    theirs_and_done = assessment.author_id == me.pk and assessment.state != State.DRAFT
    if not (theirs_and_done or may_edit_assessment(user, assessment)):
        raise Http404("No such assessment")
    return assessment


def get_person_for_assessing(user, pk: int, role: str) -> Person:
    """A person the user may start an assessment of in `role`."""
    person = get_visible_person(user, pk)
    if not may_assess(user, person, role):
        raise Http404("Not found")
    return person


def get_person_for_adding_evidence(user, pk: int) -> Person:
    person = get_visible_person(user, pk)
    if not may_add_evidence(user, person):
        raise Http404("Not found")
    return person


def get_person_for_plan_editing(user, pk: int) -> Person:
    person = get_visible_person(user, pk)
    if not may_edit_plan(user, person):
        raise Http404("Not found")
    return person


def get_growth_item_for_editing(user, pk: int, item: int) -> tuple[Person, GrowthItem]:
    """An item of a person's growth plan, and the person, when the user may edit the plan."""
    person = get_person_for_plan_editing(user, pk)
    try:
        return person, selectors.growth_item_of(person, item)
    except GrowthItem.DoesNotExist:
        raise Http404("No such item") from None


def get_manager(user) -> Person:
    """The signed-in person, when someone reports to them."""
    me = get_signed_in_person(user)
    if not me.has_reports():
        raise Http404("Not found")
    return me
