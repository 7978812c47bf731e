"""Reminders of due assessments: which are due on a day, each queued once, and each person's
choice to receive them.

Each due date of an open cycle has two reminders: one from REMINDER_DAYS_BEFORE days ahead
until the day itself, and one from the day after. A reminder is due for the whole of its window,
not on one day only, so a day on which `ladder send-reminders` did not run is made up by the
next run; its key (cycle, recipient, due date, before or after) makes it go out at most once.
Decisions are not reminders: they are mailed whatever a person chose (see mails.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ladder.audit.services import audit_record
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import (
    mail_queue_many,
    outgoing_mail,
    queued_keys,
    site_link,
)
from ladder.people.models import Person

from .mails import day
from .models import ReviewCycle
from .selectors import Task, members_of, tasks_of

SELF_DUE, MANAGER_DUE = "self_due", "manager_due"
BEFORE, AFTER = "before", "after"


def reminder_window(due: datetime.date, today: datetime.date) -> str | None:
    """Which reminder of a due date is due on `today`: BEFORE, AFTER, or None (too early)."""
    if today > due:
        return AFTER
    if today >= due - datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE):
        return BEFORE
    return None


def _when(due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def reminders_due(*, today: datetime.date) -> list[OutgoingMail]:
    """The reminders due on `today` in every open cycle and not queued yet, unsaved.

    A few queries per open cycle, whatever its size: the keys already queued, its members with
    their people and managers, and their assessments (tasks_of).
    """
    mails: list[OutgoingMail] = []
    for cycle in ReviewCycle.objects.filter(stage=ReviewCycle.Stage.OPEN).order_by("pk"):
        mails += _cycle_reminders(cycle, today)
    return mails


def reminders_queue(*, today: datetime.date) -> list[OutgoingMail]:
    """Queue the reminders due on `today`; `ladder send-reminders` then sends them."""
    mails = reminders_due(today=today)
    mail_queue_many(mails)
    return mails


def _cycle_reminders(cycle: ReviewCycle, today: datetime.date) -> list[OutgoingMail]:
    windows = {
        SELF_DUE: reminder_window(cycle.self_due, today),
        MANAGER_DUE: reminder_window(cycle.manager_due, today),
    }
    if not any(windows.values()):
        return []  # too early for either: no need to read the cycle's members
    prefix = f"cycle:{cycle.pk}:reminder:"
    queued = queued_keys(prefix)
    # A member without a target (the top of their track, or no level) has nothing to assess.
    members = list(members_of(cycle).filter(target__isnull=False).select_related("person__manager"))
    tasks = tasks_of(cycle, members)
    mails: list[OutgoingMail] = []
    me_url = site_link(reverse("people:me"))

    if window := windows[SELF_DUE]:
        for member in members:
            task, person = tasks[member.pk], member.person
            key = f"{prefix}{SELF_DUE}:{window}:{person.pk}"
            if key in queued or not person.wants_reminders or task.self_progress.is_done:
                continue
            mails.append(_self_reminder(key, cycle, task, window, today, me_url))

    if window := windows[MANAGER_DUE]:
        # One mail per manager, listing each of their reports whose assessment is not in. The
        # manager now, not the one at opening: they are the one who can write it.
        waiting: dict[int, list[Task]] = defaultdict(list)
        managers: dict[int, Person] = {}
        for member in members:
            task, manager = tasks[member.pk], member.person.manager
            if manager is None or not manager.wants_reminders or task.manager_progress.is_done:
                continue
            waiting[manager.pk].append(task)
            managers[manager.pk] = manager
        for pk, manager_tasks in waiting.items():
            key = f"{prefix}{MANAGER_DUE}:{window}:{pk}"
            if key not in queued:
                mails.append(
                    _manager_reminder(
                        key, cycle, managers[pk], manager_tasks, window, today, me_url
                    )
                )
    return mails


def _self_reminder(key, cycle, task: Task, window, today, me_url) -> OutgoingMail:
    due, person = cycle.self_due, task.member.person
    overdue = window == AFTER
    body = render_to_string(
        "promotions/mail/self_reminder.txt",
        {
            "person": person,
            "cycle": cycle,
            "target": task.member.target,
            "due": due,
            "when": _when(due, today),
            "overdue": overdue,
            "progress": task.self_progress,
            "url": me_url,
        },
    )
    if overdue:
        subject = f"Overdue: your self-assessment for {cycle.name} was due on {day(due)}"
    else:
        subject = f"Reminder: your self-assessment for {cycle.name} is due on {day(due)}"
    return outgoing_mail(
        key=key, kind=OutgoingMail.Kind.REMINDER, to=person.email, subject=subject, body=body
    )


def _manager_reminder(key, cycle, manager, tasks: list[Task], window, today, me_url):
    due = cycle.manager_due
    overdue = window == AFTER
    tasks = sorted(tasks, key=lambda task: (task.member.person.name, task.member.person_id))
    rows = [
        {
            "task": task,
            "url": site_link(reverse("assessments:list", args=[task.member.person_id])),
        }
        for task in tasks
    ]
    body = render_to_string(
        "promotions/mail/manager_reminder.txt",
        {
            "manager": manager,
            "cycle": cycle,
            "rows": rows,
            "due": due,
            "when": _when(due, today),
            "overdue": overdue,
            "url": me_url,
        },
    )
    count = f"{len(tasks)} manager assessment{'s' if len(tasks) != 1 else ''}"
    if overdue:
        were = "were" if len(tasks) != 1 else "was"
        subject = f"Overdue: {count} for {cycle.name} {were} due on {day(due)}"
    else:
        are = "are" if len(tasks) != 1 else "is"
        subject = f"Reminder: {count} for {cycle.name} {are} due on {day(due)}"
    return outgoing_mail(
        key=key, kind=OutgoingMail.Kind.REMINDER, to=manager.email, subject=subject, body=body
    )


# -- the choice ---------------------------------------------------------------------------------


@transaction.atomic
def reminders_set(*, by, person: Person, on: bool) -> Person:
    """Turn a person's reminders on or off, audited; asking for what is already so changes
    nothing and records nothing."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.wants_reminders == on:
        return person
    person.wants_reminders = on
    person.save(update_fields=["wants_reminders"])
    audit_record(
        by=by,
        action="person.reminders",
        target=person,
        before={"wants_reminders": not on},
        after={"wants_reminders": on},
    )
    return person
