"""Reading cycles and their tasks in a fixed number of queries, whatever the cycle's size."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from django.db.models import Count, Q

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
        return self in _DONE


_DONE = frozenset({Progress.SUBMITTED, Progress.SHARED})
# Each state's Progress by its value, looked up rather than made for each of 10,000 tasks.
_PROGRESS = {progress.value: progress for progress in Progress}


class AssessmentRef(NamedTuple):
    """What a task needs of an assessment: no criteria, no ratings."""

    pk: int
    state: str
    # Who may open it turns on its author (a draft is theirs alone): kept to ask without a query.
    author_id: int | None = None


class Task(NamedTuple):
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
        return overdue(self.self_progress, today, self.member.cycle.self_due)

    def manager_overdue(self, today: datetime.date) -> bool:
        return overdue(self.manager_progress, today, self.member.cycle.manager_due)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.self_overdue(today) or self.manager_overdue(today)

    @property
    def target_is_fixed(self) -> bool:
        """The target may change until the manager's assessment is submitted."""
        return self.manager_progress.is_done


def overdue(progress: Progress, today: datetime.date, due: datetime.date) -> bool:
    """Not done, and the due date has passed."""
    return today > due and progress not in _DONE


def _progress(ref: AssessmentRef | None) -> Progress:
    return Progress.NOT_STARTED if ref is None else _PROGRESS[ref.state]


def tasks_of(cycle: ReviewCycle, members: list[CycleMember], *, people=None) -> dict[int, Task]:
    """Each member's task by the member's pk, in one query for all their assessments.

    `members` need `target` loaded (select_related), and each member's `cycle` is `cycle`.
    `people`, a query of the members' person ids, stands for their list in the assessments'
    query: for a whole cycle a subquery costs a fiftieth of ten thousand parameters.
    """
    if cycle.opened_at is None or not members:
        return {m.pk: Task(m, None, None) for m in members}
    people = people if people is not None else [m.person_id for m in members]
    return _tasks(cycle, members, _task_assessments(cycle, people))


def _task_assessments(cycle: ReviewCycle, people) -> list[tuple]:
    """The assessments of these people begun while the cycle ran, oldest first: one query."""
    if cycle.opened_at is None:
        return []
    assessments = Assessment.objects.filter(person__in=people, created_at__gte=cycle.opened_at)
    if cycle.closed_at is not None:
        assessments = assessments.filter(created_at__lte=cycle.closed_at)
    return list(
        assessments.order_by("created_at", "pk").values_list(
            "pk", "person_id", "role", "level__code", "state", "author_id"
        )
    )


def _tasks(cycle: ReviewCycle, members, rows: list[tuple]) -> dict[int, Task]:
    latest: dict[tuple[int, str, str], AssessmentRef] = {}
    for pk, person_id, role, code, state, author_id in rows:
        # Later rows replace earlier ones: the latest begun is the one that counts.
        latest[(person_id, role, code)] = AssessmentRef(pk, state, author_id)
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
    members = (
        CycleMember.objects.filter(cycle=cycle)
        .select_related("person", "person__team", "manager", "target")
        # By name within the cycle, without the join the model's ordering by cycle costs.
        .order_by("person__name", "person_id")
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


# -- a cycle's progress: plain values, counted in memory ----------------------------------------


class PersonRef(NamedTuple):
    """A person as progress shows them."""

    pk: int
    name: str
    email: str
    team_name: str = ""


class LevelRef(NamedTuple):
    code: str
    title: str


@dataclass(slots=True)
class MemberRef:
    """A cycle member as the progress page and its CSV read it: plain values from one query.

    It has what `tasks_of` reads of a member (`pk`, `person_id`, `target.code`, and `cycle`,
    which it sets). Ten thousand members built as models with their person, team, manager and
    target take over a second; these take a few hundredths.
    """

    pk: int
    person_id: int
    person: PersonRef
    manager: PersonRef | None
    target: LevelRef | None
    cycle: ReviewCycle | None = None


MEMBER_FIELDS = (
    "pk", "person_id", "person__name", "person__email", "person__team__name",
    "manager_id", "manager__name", "manager__email", "target__code", "target__title",
)  # fmt: skip


def member_refs(members) -> list[MemberRef]:
    """The members of a query of `CycleMember` (filtered at will), in its order: one query."""
    return _refs(members.values_list(*MEMBER_FIELDS))


def _refs(rows) -> list[MemberRef]:
    managers: dict[int, PersonRef] = {}
    levels: dict[str, LevelRef] = {}
    refs = []
    for pk, person_id, name, email, team, m_id, m_name, m_email, code, title in rows:
        manager = None
        if m_id is not None:
            manager = managers.get(m_id) or managers.setdefault(
                m_id, PersonRef(m_id, m_name, m_email)
            )
        target = None
        if code is not None:
            target = levels.get(code) or levels.setdefault(code, LevelRef(code, title))
        person = PersonRef(person_id, name, email, team or "")
        refs.append(MemberRef(pk, person_id, person, manager, target))
    return refs


@dataclass
class ProgressCounts:
    """How many assessments of one kind are in each state."""

    not_started: int = 0
    draft: int = 0
    submitted: int = 0
    shared: int = 0

    def add(self, progress: Progress, n: int = 1) -> None:
        # A Progress is its own value, a str: the attribute of that name.
        setattr(self, progress, getattr(self, progress) + n)


@dataclass
class Tally:
    """The tasks of a group of people: their self and manager assessments, and who is late."""

    people: int = 0
    overdue: int = 0
    self_assessments: ProgressCounts = field(default_factory=ProgressCounts)
    manager_assessments: ProgressCounts = field(default_factory=ProgressCounts)

    def add(self, self_progress: Progress, manager_progress: Progress, overdue: bool, n: int):
        """`n` tasks alike."""
        self.people += n
        self.overdue += n if overdue else 0
        self.self_assessments.add(self_progress, n)
        self.manager_assessments.add(manager_progress, n)


class TaskProgress(NamedTuple):
    """A task's states and lateness on one day, worked out once for the counts, the overdue
    list and the CSV."""

    task: Task
    self_progress: Progress
    manager_progress: Progress
    self_overdue: bool
    manager_overdue: bool

    @property
    def is_overdue(self) -> bool:
        return self.self_overdue or self.manager_overdue

    @property
    def member(self) -> MemberRef:
        return self.task.member


@dataclass(frozen=True)
class ManagerProgress:
    """One manager's row: the people who reported to them when they joined the cycle."""

    manager: PersonRef | None
    tally: Tally


@dataclass(frozen=True)
class CycleProgress:
    total: Tally
    managers: list[ManagerProgress]
    overdue: list[TaskProgress]
    # Every task, in the order of the members given (the CSV's rows).
    tasks: list[TaskProgress]


def cycle_progress(cycle: ReviewCycle, members, today: datetime.date) -> CycleProgress:
    """The progress of `members` (a query of `CycleMember`, as `members_of` gives) per manager,
    in two queries whatever their number: the members and their assessments.

    The last progress of each query of members is kept in the process and given again while
    everything it was worked out from is the same: the rows of both queries, the cycle's dates
    and the day."""
    member_rows = list(members.values_list(*MEMBER_FIELDS))
    if not member_rows:
        return _progress_of(cycle, [], {}, today)
    assessment_rows = _task_assessments(cycle, members.values("person_id"))
    inputs = (
        member_rows,
        assessment_rows,
        today,
        cycle.opened_at,
        cycle.closed_at,
        cycle.self_due,
        cycle.manager_due,
    )
    # Which slot the reading is kept in: the query's text. The inputs decide whether it is used.
    name = (cycle.pk, str(members.query))
    last = _LAST_PROGRESS.get(name)
    if last is not None and last[0] == inputs:
        return last[1]
    refs = _refs(member_rows)
    if cycle.opened_at is None:
        by_member = {ref.pk: Task(ref, None, None) for ref in refs}
    else:
        by_member = _tasks(cycle, refs, assessment_rows)
    result = _progress_of(cycle, refs, by_member, today)
    if len(_LAST_PROGRESS) >= MAX_PROGRESS:
        _LAST_PROGRESS.clear()
    _LAST_PROGRESS[name] = (inputs, result)
    return result


# The last progress of each query of members (see cycle_progress), a few at a time.
_LAST_PROGRESS: dict[tuple, tuple[tuple, CycleProgress]] = {}
MAX_PROGRESS = 16


def forget() -> None:
    """Empty what the process keeps: for a benchmark's first reading."""
    _LAST_PROGRESS.clear()


def _progress_of(cycle, refs: list[MemberRef], by_member: dict[int, Task], today) -> CycleProgress:
    tasks = []
    # Tasks alike are counted together: a few hundred groups, not ten thousand additions.
    groups: Counter = Counter()
    managers_by_pk: dict[int | None, PersonRef | None] = {}
    for ref in refs:
        task = by_member[ref.pk]
        self_progress, manager_progress = task.self_progress, task.manager_progress
        self_overdue = overdue(self_progress, today, cycle.self_due)
        manager_overdue = overdue(manager_progress, today, cycle.manager_due)
        tasks.append(
            TaskProgress(task, self_progress, manager_progress, self_overdue, manager_overdue)
        )
        manager = ref.manager.pk if ref.manager else None
        managers_by_pk[manager] = ref.manager
        groups[(manager, self_progress, manager_progress, self_overdue or manager_overdue)] += 1
    total = Tally()
    rows: dict[int | None, ManagerProgress] = {}
    for (key, self_progress, manager_progress, late), n in groups.items():
        total.add(self_progress, manager_progress, late, n)
        if key not in rows:
            rows[key] = ManagerProgress(managers_by_pk[key], Tally())
        rows[key].tally.add(self_progress, manager_progress, late, n)
    # Managers by name; people who had no manager last.
    managers = sorted(
        rows.values(),
        key=lambda row: (row.manager is None, row.manager.name if row.manager else ""),
    )
    late_tasks = [row for row in tasks if row.is_overdue]
    return CycleProgress(total=total, managers=managers, overdue=late_tasks, tasks=tasks)


def member_counts(cycle: ReviewCycle, *, within: Person | None = None) -> dict[str, int]:
    """How many people a cycle holds ("total") and how many were added late ("late"): one query."""
    return members_of(cycle, within=within).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(added_late=True))
    )
