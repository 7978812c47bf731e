"""Review cycles: creating one, moving it forward, who is in it, and each person's target.

Pages, commands and the demo all go through these. Each runs in one transaction with its audit
event, and opening a cycle costs the same number of queries for ten people as for ten thousand
(apart from the mail queued to each of them).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ladder.assessments.selectors import Standing, standing_of, standings_of
from ladder.audit.services import audit_event, audit_record, audit_record_many
from ladder.frameworks.models import Ladder, Level
from ladder.people.models import Person, Team
from ladder.people.validation import check_text

from .mails import queue_cycle_opened
from .models import CycleMember, ReviewCycle
from .permissions import may_pick_target
from .selectors import tasks_of

Stage, Scope = ReviewCycle.Stage, ReviewCycle.Scope

# Each stage and the one after it: a cycle only moves forward, one stage at a time.
NEXT_STAGE = {
    Stage.DRAFT: Stage.OPEN,
    Stage.OPEN: Stage.CALIBRATION,
    Stage.CALIBRATION: Stage.CLOSED,
}
# What the audit log calls each move, by the stage moved to.
STAGE_ACTIONS = {
    Stage.OPEN: "cycle.opened",
    Stage.CALIBRATION: "cycle.calibration",
    Stage.CLOSED: "cycle.closed",
}


def cycle_snapshot(cycle: ReviewCycle) -> dict:
    """The audited fields of a cycle (its teams and committee read once each)."""
    return {
        "name": cycle.name,
        "ladder": cycle.ladder.slug,
        "stage": cycle.stage,
        "scope": cycle.scope,
        "teams": sorted(team.name for team in cycle.teams.all()),
        "subtree_of": cycle.subtree_of.email if cycle.subtree_of_id else None,
        "self_due": cycle.self_due.isoformat(),
        "manager_due": cycle.manager_due.isoformat(),
        "calibration_on": cycle.calibration_on.isoformat(),
        "effective_on": cycle.effective_on.isoformat(),
        "committee": sorted(person.email for person in cycle.committee.all()),
    }


def _check_details(
    *,
    cycle_pk: int | None,
    name: str,
    ladder: Ladder,
    scope: str,
    teams: list[Team],
    subtree_of: Person | None,
    self_due: datetime.date,
    manager_due: datetime.date,
    calibration_on: datetime.date,
    effective_on: datetime.date,
) -> None:
    """Every problem at once, each under the field it is about."""
    errors: dict[str, str] = {}
    limit = ReviewCycle._meta.get_field("name").max_length
    if not name.strip():
        errors["name"] = "Give the cycle a name."
    elif len(name.strip()) > limit:
        errors["name"] = f"A cycle's name has at most {limit} characters."
    else:
        try:
            check_text(name)
        except ValidationError as error:
            errors["name"] = error.messages[0]
        else:
            taken = ReviewCycle.objects.filter(name__iexact=name.strip()).exclude(pk=cycle_pk)
            if taken.exists():
                errors["name"] = f'A cycle named "{name.strip()}" exists already: choose another.'
    if ladder.retired_at is not None:
        errors["ladder"] = f"{ladder.title} is retired: choose a ladder in use."
    if scope not in Scope.values:
        errors["scope"] = f"Choose who is in the cycle: {', '.join(Scope.labels)}."
    elif scope == Scope.TEAMS and not teams:
        errors["teams"] = "Name at least one team for a cycle of chosen teams."
    elif scope == Scope.SUBTREE and subtree_of is None:
        errors["subtree_of"] = "Name the manager whose whole organisation is in the cycle."
    # The round's order: self-assessments, then managers', then calibration, then decisions.
    dates = [
        ("self_due", "self-assessments due", self_due),
        ("manager_due", "manager assessments due", manager_due),
        ("calibration_on", "calibration", calibration_on),
        ("effective_on", "decisions effective", effective_on),
    ]
    for (_, before_label, before), (field, label, day) in zip(dates, dates[1:], strict=False):
        if day < before:
            errors[field] = (
                f"The {label} date ({day:%-d %b %Y}) comes before {before_label} "
                f"({before:%-d %b %Y}): the dates must run in the round's order."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cycle_create(
    *,
    by,
    name: str,
    ladder: Ladder,
    scope: str,
    teams: list[Team] | None = None,
    subtree_of: Person | None = None,
    self_due: datetime.date,
    manager_due: datetime.date,
    calibration_on: datetime.date,
    effective_on: datetime.date,
    committee: list[Person] | None = None,
) -> ReviewCycle:
    """A draft cycle. Teams count only for the "teams" scope, the manager only for "subtree"."""
    teams, committee = list(teams or []), list(committee or [])
    _check_details(
        cycle_pk=None, name=name, ladder=ladder, scope=scope, teams=teams, subtree_of=subtree_of,
        self_due=self_due, manager_due=manager_due, calibration_on=calibration_on,
        effective_on=effective_on,
    )  # fmt: skip
    cycle = ReviewCycle.objects.create(
        name=name.strip(),
        ladder=ladder,
        scope=scope,
        subtree_of=subtree_of if scope == Scope.SUBTREE else None,
        self_due=self_due,
        manager_due=manager_due,
        calibration_on=calibration_on,
        effective_on=effective_on,
    )
    cycle.teams.set(teams if scope == Scope.TEAMS else [])
    cycle.committee.set(committee)
    audit_record(
        by=by, action="cycle.created", target=cycle, before=None, after=cycle_snapshot(cycle)
    )
    return cycle


def _locked(cycle: ReviewCycle) -> ReviewCycle:
    """The cycle's row, locked until the transaction ends: two changes (two admins, a
    double-click) run one after the other, the second seeing what the first did."""
    return (
        ReviewCycle.objects.select_for_update(of=("self",))
        .select_related("ladder", "subtree_of")
        .get(pk=cycle.pk)
    )


@transaction.atomic
def cycle_update(
    *,
    by,
    cycle: ReviewCycle,
    name: str,
    ladder: Ladder,
    scope: str,
    teams: list[Team] | None = None,
    subtree_of: Person | None = None,
    self_due: datetime.date,
    manager_due: datetime.date,
    calibration_on: datetime.date,
    effective_on: datetime.date,
    committee: list[Person] | None = None,
) -> ReviewCycle:
    """Change a draft. Once a cycle opens, its population and dates are what people were told;
    only its committee may still change (`cycle_set_committee`)."""
    cycle = _locked(cycle)
    if cycle.stage != Stage.DRAFT:
        raise ValidationError(
            f"{cycle.name} is {cycle.get_stage_display().lower()}: only a draft can change "
            "beyond its committee."
        )
    teams, committee = list(teams or []), list(committee or [])
    _check_details(
        cycle_pk=cycle.pk, name=name, ladder=ladder, scope=scope, teams=teams,
        subtree_of=subtree_of, self_due=self_due, manager_due=manager_due,
        calibration_on=calibration_on, effective_on=effective_on,
    )  # fmt: skip
    before = cycle_snapshot(cycle)
    cycle.name, cycle.ladder, cycle.scope = name.strip(), ladder, scope
    cycle.subtree_of = subtree_of if scope == Scope.SUBTREE else None
    cycle.self_due, cycle.manager_due = self_due, manager_due
    cycle.calibration_on, cycle.effective_on = calibration_on, effective_on
    cycle.save()
    cycle.teams.set(teams if scope == Scope.TEAMS else [])
    cycle.committee.set(committee)
    after = cycle_snapshot(cycle)
    if after != before:
        audit_record(by=by, action="cycle.changed", target=cycle, before=before, after=after)
    return cycle


@transaction.atomic
def cycle_set_committee(*, by, cycle: ReviewCycle, committee: list[Person]) -> ReviewCycle:
    """Choose the people who calibrate the cycle and decide its cases, in any stage but closed."""
    cycle = _locked(cycle)
    if cycle.stage == Stage.CLOSED:
        raise ValidationError(f"{cycle.name} is closed: its committee can no longer change.")
    before = sorted(person.email for person in cycle.committee.all())
    cycle.committee.set(committee)
    after = sorted(person.email for person in committee)
    if after != before:
        audit_record(
            by=by,
            action="cycle.committee_changed",
            target=cycle,
            before={"committee": before},
            after={"committee": after},
        )
    return cycle


@transaction.atomic
def cycle_advance(*, by, cycle: ReviewCycle, to_stage: str | None = None) -> ReviewCycle:
    """Move a cycle one stage forward: draft → open → calibration → closed.

    `to_stage` is the stage the user asked for, from the page they saw: a second click on
    "Open" finds the cycle open already and is told so, instead of moving it on to calibration.
    """
    cycle = _locked(cycle)
    following = NEXT_STAGE.get(cycle.stage)
    if following is None:
        raise ValidationError(f"{cycle.name} is closed: a cycle only moves forward.")
    if to_stage is not None and to_stage != following:
        stages = list(Stage.values)
        if to_stage in stages and stages.index(to_stage) <= stages.index(cycle.stage):
            raise ValidationError(
                f"{cycle.name} is {cycle.get_stage_display().lower()} already: nothing changed."
            )
        raise ValidationError(
            f"{cycle.name} is {cycle.get_stage_display().lower()}: it moves one stage at a time, "
            f"to {Stage(following).label.lower()} next."
        )
    before = {"stage": cycle.stage}
    now = timezone.now()
    cycle.stage = following
    members: list[CycleMember] = []
    if following == Stage.OPEN:
        cycle.opened_at = now
        cycle.save(update_fields=["stage", "opened_at"])
        members = _open(by=by, cycle=cycle, now=now)
    else:
        if following == Stage.CLOSED:
            cycle.closed_at = now
        cycle.save(update_fields=["stage", "closed_at"])
    after = {"stage": cycle.stage}
    if following == Stage.OPEN:
        after["members"] = len(members)
    audit_record(by=by, action=STAGE_ACTIONS[following], target=cycle, before=before, after=after)
    return cycle


def population(cycle: ReviewCycle):
    """Who the cycle's scope takes in, as a query: everyone, the chosen teams' members, or the
    manager with their whole organisation below them."""
    people = Person.objects.all()
    if cycle.scope == Scope.TEAMS:
        people = people.filter(team__in=cycle.teams.all())
    elif cycle.scope == Scope.SUBTREE:
        people = people.filter(path__startswith=cycle.subtree_of.path)
    # Only people at a level of this ladder can be assessed against it; the rest of the check
    # (the level's ladder, a next level to aim at) is their standing's, in memory.
    return people.filter(
        level_history__end__isnull=True, level_history__level__version__ladder=cycle.ladder_id
    ).order_by("pk")


def default_target(standing: Standing, ladder_id: int) -> Level | None:
    """The level a person is assessed against by default: the first of their next levels, the
    one on their own track. None for someone not on this ladder or at the top of their track."""
    if standing.current is None or standing.current.version.ladder_id != ladder_id:
        return None
    return standing.next_levels[0] if standing.next_levels else None


def _open(*, by, cycle: ReviewCycle, now: datetime.datetime) -> list[CycleMember]:
    """Fix the population: a task for each person in scope who has a next level on the
    cycle's ladder, in bulk, and tell each of them."""
    # A query, not a list: standings_of reads the histories through a subquery, so ten
    # thousand people are not ten thousand parameters of one statement.
    people = population(cycle).only("name", "email", "manager")
    standings = standings_of(people, timezone.localdate())
    members = []
    for person in people:
        target = default_target(standings[person.pk], cycle.ladder_id)
        if target is None:
            continue
        members.append(
            CycleMember(
                cycle=cycle, person=person, target=target, manager_id=person.manager_id,
                added_at=now,
            )
        )  # fmt: skip
    CycleMember.objects.bulk_create(members, batch_size=1000)
    audit_record_many(
        [
            audit_event(by=by, action="cycle.person_added", target=m, before=None, after=_added(m))
            for m in members
        ]
    )
    queue_cycle_opened(cycle, members)
    return members


def _added(member: CycleMember) -> dict:
    """What the audit log keeps of a new task (no query: the manager as loaded)."""
    return {
        "cycle": member.cycle.name,
        "person": member.person.email,
        "target": member.target.code,
        "manager_id": member.manager_id,
        "added_late": member.added_late,
    }


@transaction.atomic
def cycle_add_person(*, by, cycle: ReviewCycle, person: Person) -> CycleMember:
    """Add someone to a running cycle after it opened (a late joiner), with the default target."""
    cycle = _locked(cycle)
    if not cycle.is_running:
        raise ValidationError(
            f"{cycle.name} is {cycle.get_stage_display().lower()}: people are added to a "
            "cycle once it is open, until it closes."
        )
    if CycleMember.objects.filter(cycle=cycle, person=person).exists():
        raise ValidationError(f"{person.name} ({person.email}) is in {cycle.name} already.")
    standing = standing_of(person, timezone.localdate())
    target = default_target(standing, cycle.ladder_id)
    if target is None:
        where = (
            f"at {standing.current.code}, the top of their track"
            if standing.current is not None
            and standing.current.version.ladder_id == cycle.ladder_id
            else f"not at a level of {cycle.ladder.title}"
        )
        raise ValidationError(
            f"{person.name} ({person.email}) is {where}: there is no level to assess them against."
        )
    member = CycleMember.objects.create(
        cycle=cycle, person=person, target=target, manager_id=person.manager_id, added_late=True
    )
    audit_record(
        by=by, action="cycle.person_added", target=member, before=None, after=_added(member)
    )
    queue_cycle_opened(cycle, [member])
    return member


@transaction.atomic
def member_set_target(*, by_user, member: CycleMember, level: Level) -> CycleMember:
    """Choose which next level a person is assessed against in a cycle: one of their next
    levels, while the cycle is open and until the manager's assessment is submitted."""
    # Locked: a manager submitting while the person changes the target sees one or the other.
    member = (
        CycleMember.objects.select_for_update(of=("self",))
        .select_related("cycle", "person", "target", "manager")
        .get(pk=member.pk)
    )
    cycle, person = member.cycle, member.person
    if not may_pick_target(by_user, person):
        raise ValidationError("Only the person or a manager in their chain chooses the target.")
    if cycle.stage != Stage.OPEN:
        raise ValidationError(
            f"{cycle.name} is {cycle.get_stage_display().lower()}: targets change only while "
            "it is open."
        )
    task = tasks_of(cycle, [member])[member.pk]
    if task.target_is_fixed:
        raise ValidationError(
            f"The manager's assessment of {person.name} against {member.target.code} is "
            "submitted: the target is fixed for this cycle."
        )
    next_levels = standing_of(person, timezone.localdate()).next_levels
    if level.pk not in {lv.pk for lv in next_levels}:
        choices = ", ".join(lv.code for lv in next_levels) or "none"
        raise ValidationError(
            f"{level.code} is not a next level of {person.name}: choose one of {choices}."
        )
    if level.pk == member.target_id:
        return member
    before = {"target": member.target.code if member.target_id else None}
    member.target = level
    member.save(update_fields=["target"])
    audit_record(
        by=by_user,
        action="cycle.target_changed",
        target=member,
        before=before,
        after={"target": level.code},
    )
    return member
