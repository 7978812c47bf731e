"""Promotion panels other apps' pages show: `{% load promotion_panels %}`.

The person page (people app) shows a person's review tasks and promotion case through this tag,
so people never imports promotions: the dependency runs from the template, downwards.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone

from ladder.assessments import permissions as assessment_permissions
from ladder.assessments.models import Assessment
from ladder.assessments.selectors import Standing, standing_for_page
from ladder.frameworks.models import Level
from ladder.people.models import Person
from ladder.people.permissions import person_of

from .. import permissions
from ..models import PromotionCase
from ..selectors import AssessmentRef, Progress, Task, open_tasks_of, overdue

register = template.Library()
Role = Assessment.Role


@dataclass(frozen=True)
class Part:
    """One half of a task as the viewer sees it: its state, its due date, and what they can do:
    open the assessment, or start it against the target."""

    label: str
    role: str
    progress: Progress
    due: datetime.date
    overdue: bool
    assessment_pk: int | None
    # The level to start against (the target in the ladder's latest version), when the viewer
    # may start this assessment and none is begun.
    start_level: Level | None


@dataclass(frozen=True)
class TaskRow:
    task: Task
    parts: list[Part]
    # The next levels to choose among, when there are several and the viewer may still choose.
    choices: list[Level]


@register.inclusion_tag("promotions/_tasks_panel.html", takes_context=True)
def person_promotions(context, person: Person) -> dict:
    """The person's open review tasks and their promotion case, for those who may see them."""
    request = context["request"]
    user = request.user
    if not permissions.may_see_tasks(user, person):
        return {"visible": False}
    me = person_of(user)
    tasks = open_tasks_of(person)
    today = timezone.localdate()
    rows = []
    if tasks:
        # The readiness panel below shows the same standing: worked out once for both.
        rows = _rows(user, person, tasks, standing_for_page(request, person, today), today)
    # The latest case is the open one if there is any: a new case waits for the last decision.
    case = (
        PromotionCase.objects.filter(person=person)
        .select_related("from_level", "to_level", "cycle")
        .first()
    )
    if case is not None and not permissions.may_view_case(user, case):
        case = None
    may_open_case = (case is None or not case.is_open) and permissions.may_open_case(user, person)
    is_self = me is not None and me.pk == person.pk
    return {
        "visible": bool(rows or case or may_open_case or is_self),
        "person": person,
        "rows": rows,
        "case": case,
        "may_open_case": may_open_case,
        "is_self": is_self,
        # An inclusion tag's template gets only this dict: its forms need the page's token, and
        # the reminders choice reads the signed-in person as the nav knows them.
        "csrf_token": context.get("csrf_token"),
        "nav_person": context.get("nav_person", me),
    }


def _rows(
    user, person: Person, tasks: list[Task], standing: Standing, today: datetime.date
) -> list[TaskRow]:
    visible = _visible_assessments(user, person, tasks)
    may_pick = permissions.may_pick_target(user, person)
    rows = []
    for task in tasks:
        cycle = task.member.cycle
        choices = (
            standing.next_levels
            if may_pick and len(standing.next_levels) > 1 and not task.target_is_fixed
            else []
        )
        parts = [
            _part(user, person, standing, task, Role.SELF, visible, today, cycle.self_due),
            _part(user, person, standing, task, Role.MANAGER, visible, today, cycle.manager_due),
        ]
        rows.append(TaskRow(task=task, parts=parts, choices=choices))
    return rows


def _part(user, person, standing: Standing, task: Task, role, visible, today, due) -> Part:
    ref: AssessmentRef | None = (
        task.self_assessment if role == Role.SELF else task.manager_assessment
    )
    progress = task.self_progress if role == Role.SELF else task.manager_progress
    start_level = None
    target = task.member.target
    if ref is None and target is not None and assessment_permissions.may_assess(user, person, role):
        start_level = standing.next_level(target.code)
        if start_level is None or start_level.code != target.code:
            start_level = None  # the target is no longer a next level: nothing to start
    return Part(
        label="Self-assessment" if role == Role.SELF else "Manager assessment",
        role=role,
        progress=progress,
        due=due,
        overdue=overdue(progress, today, due),
        assessment_pk=ref.pk if ref is not None and ref.pk in visible else None,
        start_level=start_level,
    )


def _visible_assessments(user, person: Person, tasks: list[Task]) -> set[int]:
    """The task assessments the viewer may open (a draft is its author's alone), asked of what
    the tasks read already: no query."""
    visible = set()
    for task in tasks:
        for role, ref in (
            (Role.SELF, task.self_assessment),
            (Role.MANAGER, task.manager_assessment),
        ):
            if ref is None:
                continue
            assessment = Assessment(
                pk=ref.pk, person=person, role=role, state=ref.state, author_id=ref.author_id
            )
            if assessment_permissions.may_view_assessment(user, assessment):
                visible.add(ref.pk)
    return visible
