"""Reading cycles and their tasks in a fixed number of queries, whatever the cycle's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from ladder.assessments.models import Assessment
from ladder.people.models import Person

from .models import CycleMember, ReviewCycle


class Progress(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SHARED = "shared"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_done(self) -> bool:
        return self in (Progress.SUBMITTED, Progress.SHARED)


@dataclass(frozen=True)
class AssessmentRef:
    """What a task needs of an assessment: no criteria, no ratings."""

    pk: int
    state: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class Task:
    """A person's task in a cycle: a self-assessment and a manager assessment against the
    target, each the latest begun since the cycle opened (until it closed)."""

    member: CycleMember
    self_assessment: AssessmentRef | None
    manager_assessment: AssessmentRef | None

    @property
    def self_progress(self) -> Progress:
        return _progress(self.self_assessment)

    @property
    def manager_progress(self) -> Progress:
        return _progress(self.manager_assessment)

    def self_overdue(self, today: datetime.date) -> bool:
        return not self.self_progress.is_done and today > self.member.cycle.self_due

    def manager_overdue(self, today: datetime.date) -> bool:
        return not self.manager_progress.is_done and today > self.member.cycle.manager_due

    def is_overdue(self, today: datetime.date) -> bool:
        return self.self_overdue(today) or self.manager_overdue(today)

    @property
    def target_is_fixed(self) -> bool:
        """The target may change until the manager's assessment is submitted."""
        return self.manager_progress.is_done


def _progress(ref: AssessmentRef | None) -> Progress:
    return Progress.NOT_STARTED if ref is None else Progress(ref.state)


def tasks_of(cycle: ReviewCycle, members: list[CycleMember]) -> dict[int, Task]:
    """Each member's task by the member's pk, in one query for all their assessments.

    `members` need `target` loaded (select_related), and each member's `cycle` is `cycle`.
    """
    if cycle.opened_at is None or not members:
        return {m.pk: Task(m, None, None) for m in members}
    assessments = Assessment.objects.filter(
        person__in=[m.person_id for m in members], created_at__gte=cycle.opened_at
    )
    if cycle.closed_at is not None:
        assessments = assessments.filter(created_at__lte=cycle.closed_at)
    latest: dict[tuple[int, str, str], AssessmentRef] = {}
    rows = assessments.order_by("created_at", "pk").values_list(
        "pk", "person_id", "role", "level__code", "state", "created_at"
    )
    for pk, person_id, role, code, state, created_at in rows:
        # Later rows replace earlier ones: the latest begun is the one that counts.
        latest[(person_id, role, code)] = AssessmentRef(pk, state, created_at)
    tasks = {}
    for member in members:
        member.cycle = cycle
        code = member.target.code if member.target else None
        tasks[member.pk] = Task(
            member,
            latest.get((member.person_id, Assessment.Role.SELF, code)),
            latest.get((member.person_id, Assessment.Role.MANAGER, code)),
        )
    return tasks


def members_of(cycle: ReviewCycle, *, within: Person | None = None):
    """A cycle's members with what lists show of them; `within`: only those below a manager."""
    members = CycleMember.objects.filter(cycle=cycle).select_related(
        "person", "person__team", "manager", "target"
    )
    if within is not None:
        members = members.filter(person__path__startswith=within.path).exclude(person=within)
    return members


def open_tasks_of(person: Person) -> list[Task]:
    """The person's tasks in open cycles, soonest due first."""
    members = list(
        CycleMember.objects.open_tasks_of(person)
        .select_related("cycle", "target", "manager")
        .order_by("cycle__self_due", "cycle_id")
    )
    tasks: list[Task] = []
    for member in members:
        tasks += tasks_of(member.cycle, [member]).values()
    return tasks
