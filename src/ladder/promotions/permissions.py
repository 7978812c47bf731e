"""Who may see and do what with review cycles, promotion cases and calibration.

Built on the person rules of people/permissions.py. One right is new here: a cycle's committee,
people an admin chooses per cycle, who see its calibration and decide its cases. What a user may
not see answers 404, and the `get_...` getters fetch and check in one call.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from ladder.assessments.models import Assessment
from ladder.assessments.selectors import with_details
from ladder.people.models import Person
from ladder.people.permissions import get_visible_person, is_admin, is_self_or_manager, person_of

from .models import CycleMember, PromotionCase, ReviewCycle

Stage, State = ReviewCycle.Stage, PromotionCase.State


def is_committee(user, cycle: ReviewCycle | None) -> bool:
    """A member of the cycle's committee (one query, unless `committee` was prefetched)."""
    me = person_of(user)
    if me is None or cycle is None:
        return False
    return any(member.pk == me.pk for member in cycle.committee.all())


def may_manage_cycles(user) -> bool:
    return is_admin(user)


def manages_someone_in(user, cycle: ReviewCycle) -> bool:
    me = person_of(user)
    return (
        me is not None
        and cycle.members.filter(person__path__startswith=me.path).exclude(person=me).exists()
    )


def may_view_cycle(user, cycle: ReviewCycle) -> bool:
    """Admins and the committee see a cycle whole; a manager sees it for their own subtree. A
    draft is the admins' alone."""
    if is_admin(user):
        return True
    if cycle.stage == Stage.DRAFT:
        return False
    return is_committee(user, cycle) or manages_someone_in(user, cycle)


def may_see_whole_cycle(user, cycle: ReviewCycle) -> bool:
    return is_admin(user) or is_committee(user, cycle)


def may_calibrate(user, cycle: ReviewCycle) -> bool:
    """The calibration page: admins and the committee, once the cycle has opened."""
    return cycle.stage != Stage.DRAFT and may_see_whole_cycle(user, cycle)


def may_adjust_ratings(user, cycle: ReviewCycle) -> bool:
    return cycle.stage == Stage.CALIBRATION and may_see_whole_cycle(user, cycle)


def may_pick_target(user, person: Person) -> bool:
    """The person themself or a manager in their chain chooses which next level they aim at."""
    me = person_of(user)
    return me is not None and (me.pk == person.pk or person.is_report_of(me))


def may_open_case(user, person: Person) -> bool:
    """A manager in the person's chain, or an admin."""
    if is_admin(user):
        return True
    me = person_of(user)
    return me is not None and person.is_report_of(me)


def may_view_case(user, case: PromotionCase) -> bool:
    """The person (its state; the rest once decided), the managers in their chain, the
    committee of its cycle, and admins."""
    if is_admin(user) or is_committee(user, case.cycle):
        return True
    me = person_of(user)
    return me is not None and (me.pk == case.person_id or case.person.is_report_of(me))


def may_read_case(user, case: PromotionCase) -> bool:
    """The recommendation, packet and feedback: the person sees them once the case is decided."""
    if not may_view_case(user, case):
        return False
    me = person_of(user)
    is_subject = me is not None and me.pk == case.person_id and not is_admin(user)
    return not is_subject or case.is_decided


def may_edit_case(user, case: PromotionCase) -> bool:
    """A draft is edited and submitted by a manager in the chain or an admin."""
    return case.state == State.DRAFT and may_open_case(user, case.person)


def may_note_case(user, case: PromotionCase) -> bool:
    """A skip-level manager (any manager in the chain above the direct one) may endorse or
    comment on an open case."""
    me = person_of(user)
    return (
        case.is_open
        and me is not None
        and case.person.is_report_of(me)
        and me.pk != case.person.manager_id
    )


def is_decider(user, case: PromotionCase) -> bool:
    """An admin, or a member of the case's cycle committee; never the person themself."""
    me = person_of(user)
    if me is not None and me.pk == case.person_id:
        return False
    return is_admin(user) or is_committee(user, case.cycle)


def may_decide_case(user, case: PromotionCase) -> bool:
    """A decider, while the case waits for its decision."""
    return case.state == State.SUBMITTED and is_decider(user, case)


def visible_cases(user):
    """The cases a user may find in lists: admins all; others those of people in their chain,
    their own, and those of cycles whose committee they sit on."""
    cases = PromotionCase.objects.all()
    if is_admin(user):
        return cases
    me = person_of(user)
    if me is None:
        return cases.none()
    return cases.filter(
        (Q(person__path__startswith=me.path) & ~Q(person=me))
        | Q(person=me)
        | Q(cycle__committee=me)
    ).distinct()


def visible_cycles(user):
    """The cycles a user may find in lists: admins all; others the cycles past their draft whose
    committee they sit on or in which they manage someone (subqueries: no join fans out)."""
    cycles = ReviewCycle.objects.all()
    if is_admin(user):
        return cycles
    me = person_of(user)
    if me is None:
        return cycles.none()
    sits_on = ReviewCycle.committee.through.objects.filter(person=me).values("reviewcycle")
    manages_in = (
        CycleMember.objects.filter(person__path__startswith=me.path)
        .exclude(person=me)
        .values("cycle")
    )
    return cycles.exclude(stage=Stage.DRAFT).filter(Q(pk__in=sits_on) | Q(pk__in=manages_in))


def may_view_any_cycle(user) -> bool:
    """Whether the nav shows "Cycles", on every page: two small queries at most. Most people
    manage no one, and for them the members' paths (a scan) are not read at all."""
    if is_admin(user):
        return True
    me = person_of(user)
    if me is None:
        return False
    if not me.has_reports():
        return ReviewCycle.committee.through.objects.filter(
            person=me, reviewcycle__stage__in=[Stage.OPEN, Stage.CALIBRATION, Stage.CLOSED]
        ).exists()
    return visible_cycles(user).exists()


def may_see_tasks(user, person: Person) -> bool:
    """A person's review tasks and case state: the person, the managers in their chain, admins
    (those who may see the person's page)."""
    return is_admin(user) or is_self_or_manager(user, person)


# -- getters: fetch and check in one call ------------------------------------------------------


def require_cycle_manager(user) -> None:
    if not may_manage_cycles(user):
        raise Http404("Not found")


def get_visible_cycles(user):
    """The cycles list: admins always (it is where they create one); anyone else only while
    there is a cycle they may see, else 404 as for the reports page."""
    cycles = visible_cycles(user)
    if not is_admin(user) and not cycles.exists():
        raise Http404("Not found")
    return cycles


def get_cycle_scope(user, cycle: ReviewCycle) -> Person | None:
    """Whose part of a visible cycle the user sees: None for the whole (admins, the committee),
    else the user themself, a manager, whose organisation below them is their part."""
    if may_see_whole_cycle(user, cycle):
        return None
    me = person_of(user)
    if me is None:
        raise Http404("No such cycle")
    return me


def get_member_for_target(user, cycle_pk: int, member_pk: int) -> CycleMember:
    """A person's task in a cycle, for choosing its target: the person or a manager in their
    chain (whether it may still change is the service's to say)."""
    member = (
        CycleMember.objects.select_related("cycle", "person", "target")
        .filter(pk=member_pk, cycle_id=cycle_pk)
        .first()
    )
    if member is None or not may_pick_target(user, member.person):
        raise Http404("No such task")
    return member


def _cycle(pk: int) -> ReviewCycle:
    cycle = (
        ReviewCycle.objects.select_related("ladder", "subtree_of")
        .prefetch_related("committee")
        .filter(pk=pk)
        .first()
    )
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def get_visible_cycle(user, pk: int) -> ReviewCycle:
    cycle = _cycle(pk)
    if not may_view_cycle(user, cycle):
        raise Http404("No such cycle")
    return cycle


def get_cycle_for_managing(user, pk: int) -> ReviewCycle:
    if not may_manage_cycles(user):
        raise Http404("No such cycle")
    return _cycle(pk)


def get_cycle_for_calibration(user, pk: int) -> ReviewCycle:
    cycle = _cycle(pk)
    if not may_calibrate(user, cycle):
        raise Http404("No such cycle")
    return cycle


def _case(pk: int) -> PromotionCase:
    case = (
        PromotionCase.objects.select_related(
            "person", "person__manager", "person__team", "cycle", "from_level", "to_level"
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def get_visible_case(user, pk: int) -> PromotionCase:
    case = _case(pk)
    if not may_view_case(user, case):
        raise Http404("No such case")
    return case


def get_readable_case(user, pk: int) -> PromotionCase:
    """A case whose packet the user may read (the PDF, for one)."""
    case = _case(pk)
    if not may_read_case(user, case):
        raise Http404("No such case")
    return case


def get_case_for_editing(user, pk: int) -> PromotionCase:
    case = _case(pk)
    if not may_view_case(user, case) or not may_open_case(user, case.person):
        raise Http404("No such case")
    return case


def get_case_for_noting(user, pk: int) -> PromotionCase:
    """A case of someone in the user's chain (whether a note may still be added is the
    service's to say)."""
    case = _case(pk)
    me = person_of(user)
    if me is None or not case.person.is_report_of(me):
        raise Http404("No such case")
    return case


def get_case_for_deciding(user, pk: int) -> PromotionCase:
    """A case the user may decide in principle (its state is the service's to check, so a
    second approval gets a message, not a 404)."""
    case = _case(pk)
    if not is_decider(user, case):
        raise Http404("No such case")
    return case


def get_person_for_case(user, pk: int) -> Person:
    person = get_visible_person(user, pk)
    if not may_open_case(user, person):
        raise Http404("Not found")
    return person


def get_assessment_for_adjusting(user, cycle_pk: int, pk: int) -> tuple[ReviewCycle, Assessment]:
    """A cycle in its calibration stage that the user may adjust ratings in, and a shared manager
    assessment, with its details, of someone in that cycle. Whether it may still be adjusted
    (it is the latest, something changed) is the service's to say, with a message."""
    cycle = _cycle(cycle_pk)
    if not may_adjust_ratings(user, cycle):
        raise Http404("No such cycle")
    assessment = (
        with_details(Assessment.objects.shared().by_managers())
        .filter(pk=pk, person__cycle_memberships__cycle=cycle)
        .first()
    )
    me = person_of(user)
    # A committee member in the cycle never adjusts what readiness says of themself.
    if assessment is None or (me is not None and me.pk == assessment.person_id):
        raise Http404("No such assessment")
    return cycle, assessment


# -- promotion case packets of a whole cycle ---------------------------------------------------


def readable_cases_of_cycle(user, cycle: ReviewCycle):
    """The cycle's cases whose packets the user may read: the whole cycle for its committee and
    admins, less the user's own case while it is undecided (may_read_case's rule, as a query)."""
    cases = PromotionCase.objects.filter(cycle=cycle)
    if not may_see_whole_cycle(user, cycle):
        return cases.none()
    me = person_of(user)
    if me is not None and not is_admin(user):
        cases = cases.exclude(Q(person=me) & ~Q(state__in=PromotionCase.DECIDED_STATES))
    return cases


def get_cycle_for_case_packets(user, pk: int) -> ReviewCycle:
    """A cycle whose cases the user may download as one PDF: its committee and admins."""
    cycle = _cycle(pk)
    if not may_see_whole_cycle(user, cycle):
        raise Http404("No such cycle")
    return cycle
