"""Promotion cases: opening one, drafting and submitting it, skip-level notes, and the decision.

Every service checks who may act (permissions.py), runs in one transaction and records an audit
event; a decision also writes the new level, moves the growth plan on and queues the mails.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ladder.assessments.readiness import Verdict, format_date
from ladder.assessments.selectors import Standing, readiness_of, standing_of
from ladder.assessments.services import growth_plan_add_items, growth_plan_after_decision
from ladder.audit.services import audit_record
from ladder.frameworks.models import Level
from ladder.people.models import LevelAssignment, Person
from ladder.people.permissions import person_of
from ladder.people.services import person_set_level
from ladder.people.validation import describe, unsafe_in_writing

from . import permissions
from .mails import queue_case_decided
from .models import CaseNote, CycleMember, PromotionCase, ReviewCycle

State = PromotionCase.State


class CaseAlreadyDecided(ValidationError):
    """The case was decided before this decision arrived (a second tab, a double-click)."""


def case_snapshot(case: PromotionCase) -> dict:
    """What the audit log keeps of a case."""
    return {
        "person": case.person.email,
        "from": case.from_level.code,
        "to": case.to_level.code,
        "cycle": case.cycle.name if case.cycle_id else None,
        "state": str(case.state),
        "verdict_at_opening": case.verdict_at_opening,
        "recommendation": case.recommendation,
        "justification": case.justification,
    }


def _check_texts(**texts: str) -> None:
    """Refuse control characters (NUL above all, which PostgreSQL cannot store), naming the field.

    Line breaks and tabs are what a written text is made of; only the rest is refused.
    """
    errors = {}
    for field, text in texts.items():
        char = unsafe_in_writing(text)
        if char is not None:
            errors[field] = f"This text contains {describe(char)}, a control character: remove it."
    if errors:
        raise ValidationError(errors)


def _next_level(person: Person, standing: Standing, level: Level) -> Level:
    """`level` as one of the person's next levels, in the ladder's latest version (by code: a
    case may hold the row of an older version)."""
    for candidate in standing.next_levels:
        if candidate.code == level.code:
            return candidate
    codes = ", ".join(lv.code for lv in standing.next_levels)
    where = f"{standing.current.code} has no next level" if not codes else f"next levels: {codes}"
    raise ValidationError(
        {"to_level": f"{level.code} is not a next level of {person.name} ({where})."}
    )


def _verdict(person: Person, standing: Standing, target: Level, justification: str) -> str:
    """The readiness verdict for `target`; a ValidationError if it is not "ready" and nothing
    says why promote anyway."""
    readiness, _ = readiness_of(person, standing, target, timezone.localdate())
    if readiness.verdict != Verdict.READY and not justification.strip():
        if readiness.verdict == Verdict.NOT_ASSESSED:
            why = f"no manager assessment against {target.code} has been shared."
        else:
            why = " ".join(reason.text for reason in readiness.gaps)
        raise ValidationError(
            {
                "justification": f"{person.name} is not ready for {target.code}: {why} "
                "Say why you recommend the promotion anyway."
            }
        )
    return str(readiness.verdict)


def running_cycle_of(person: Person) -> ReviewCycle | None:
    """The running cycle the person is in, the latest opened if several."""
    member = (
        CycleMember.objects.filter(person=person, cycle__in=ReviewCycle.objects.running())
        .select_related("cycle")
        .order_by("-cycle__opened_at", "-cycle_id")
        .first()
    )
    return member.cycle if member else None


def _check_cycle(person: Person, cycle: ReviewCycle) -> None:
    if not cycle.is_running:
        raise ValidationError(
            {"cycle": f"{cycle.name} is {cycle.get_stage_display().lower()}, not running."}
        )
    if not CycleMember.objects.filter(cycle=cycle, person=person).exists():
        raise ValidationError({"cycle": f"{person.name} is not in {cycle.name}."})


def _open_case_message(person: Person) -> str:
    existing = PromotionCase.objects.open().filter(person=person).select_related("to_level").first()
    if existing is None:
        return f"{person.name} already has an open promotion case."
    return (
        f"{person.name} already has an open promotion case (for {existing.to_level.code}, "
        f"{existing.get_state_display().lower()}, opened "
        f"{format_date(timezone.localdate(existing.created_at))}): it is decided before another "
        "is opened."
    )


def _lock(case: PromotionCase) -> PromotionCase:
    """The case, read again under a row lock held until the transaction ends: two requests on
    one case (two tabs, a double-click) run one after the other, the second seeing the first."""
    return (
        PromotionCase.objects.select_for_update(of=("self",))
        .select_related(
            "person", "person__manager", "cycle", "from_level", "to_level", "decided_by"
        )
        .get(pk=case.pk)
    )


@transaction.atomic
def case_open(
    *,
    by,
    person: Person,
    to_level: Level,
    recommendation: str,
    justification: str = "",
    cycle: ReviewCycle | None = None,
    off_cycle: bool = False,
) -> PromotionCase:
    """Open a draft case for `person` to move to `to_level`, one of their next levels.

    `by` is a manager in the person's chain or an admin. Without `cycle`, the case belongs to
    the running cycle the person is in, if any; otherwise it is an off-cycle promotion. With
    `off_cycle`, it is an off-cycle promotion (an admin decides it) whatever cycle the person
    is in.
    """
    if not permissions.may_open_case(by, person) or _is_self(by, person):
        raise ValidationError("Only a manager in the person's chain or an admin opens a case.")
    _check_texts(recommendation=recommendation, justification=justification)
    if not recommendation.strip():
        raise ValidationError({"recommendation": "Write the recommendation."})
    standing = standing_of(person, timezone.localdate())
    if standing.current is None:
        raise ValidationError(f"{person.name} has no level yet, so cannot be promoted.")
    target = _next_level(person, standing, to_level)
    if off_cycle and cycle is not None:
        raise ValidationError(
            {"cycle": "A case is in a review cycle or off-cycle, not both: choose one."}
        )
    if cycle is not None:
        _check_cycle(person, cycle)
    elif not off_cycle:
        cycle = running_cycle_of(person)
    verdict = _verdict(person, standing, target, justification)
    try:
        # One open case per person is the database's constraint: it holds however many
        # requests open one at once, and its refusal becomes the message.
        with transaction.atomic():
            case = PromotionCase.objects.create(
                person=person,
                cycle=cycle,
                from_level=standing.current,
                to_level=target,
                opened_by=by,
                recommendation=recommendation.strip(),
                justification=justification.strip(),
                verdict_at_opening=verdict,
            )
    except IntegrityError:
        raise ValidationError(_open_case_message(person)) from None
    audit_record(by=by, action="case.opened", target=case, before=None, after=case_snapshot(case))
    return case


def _is_self(user, person: Person) -> bool:
    me = person_of(user)
    return me is not None and me.pk == person.pk


@transaction.atomic
def case_update(
    *, by, case: PromotionCase, to_level: Level, recommendation: str, justification: str = ""
) -> PromotionCase:
    """Change a draft: its level, recommendation and justification."""
    case = _lock(case)
    if case.state != State.DRAFT:
        raise ValidationError(
            f"This case was {case.get_state_display().lower()}; only a draft can change."
        )
    if not permissions.may_edit_case(by, case) or _is_self(by, case.person):
        raise ValidationError("Only a manager in the person's chain or an admin edits a case.")
    _check_texts(recommendation=recommendation, justification=justification)
    if not recommendation.strip():
        raise ValidationError({"recommendation": "Write the recommendation."})
    standing = standing_of(case.person, timezone.localdate())
    target = _next_level(case.person, standing, to_level)
    verdict = _verdict(case.person, standing, target, justification)
    before = case_snapshot(case)
    case.to_level, case.verdict_at_opening = target, verdict
    case.recommendation, case.justification = recommendation.strip(), justification.strip()
    case.save(update_fields=["to_level", "verdict_at_opening", "recommendation", "justification"])
    after = case_snapshot(case)
    if after != before:
        audit_record(by=by, action="case.updated", target=case, before=before, after=after)
    return case


@transaction.atomic
def case_submit(*, by, case: PromotionCase) -> PromotionCase:
    """Send a draft for decision. Readiness is judged again: if it has fallen since the case was
    opened, the case must now say why promote anyway."""
    case = _lock(case)
    if case.state != State.DRAFT:
        raise ValidationError(
            f"This case was already {case.get_state_display().lower()}"
            + (
                f" on {format_date(timezone.localdate(case.submitted_at))}."
                if case.submitted_at
                else "."
            )
        )
    if not permissions.may_edit_case(by, case) or _is_self(by, case.person):
        raise ValidationError("Only a manager in the person's chain or an admin submits a case.")
    standing = standing_of(case.person, timezone.localdate())
    if standing.current is None or standing.current.code != case.from_level.code:
        raise ValidationError(_level_moved(case, standing))
    _verdict(
        case.person, standing, _next_level(case.person, standing, case.to_level), case.justification
    )
    case.state, case.submitted_at = State.SUBMITTED, timezone.now()
    case.save(update_fields=["state", "submitted_at"])
    audit_record(
        by=by,
        action="case.submitted",
        target=case,
        before={"state": State.DRAFT.value},
        after={"state": State.SUBMITTED.value},
    )
    return case


def _level_moved(case: PromotionCase, standing: Standing) -> str:
    now = standing.current.code if standing.current else "no level"
    return (
        f"{case.person.name} is now at {now}, no longer {case.from_level.code} as when the case "
        "was opened."
    )


@transaction.atomic
def case_note_add(*, by_person: Person, case: PromotionCase, kind: str, text: str) -> CaseNote:
    """A skip-level manager endorses or comments on an open case. An endorsement may stand
    alone; a comment says something."""
    case = _lock(case)
    if kind not in CaseNote.Kind.values:
        raise ValidationError({"kind": f"Choose an endorsement or a comment, not {kind!r}."})
    _check_texts(text=text)
    if not case.is_open:
        raise ValidationError(
            f"This case was already {case.get_state_display().lower()}: notes are added before "
            "the decision."
        )
    if by_person.user is None or not permissions.may_note_case(by_person.user, case):
        raise ValidationError(
            "Only a manager above the person's own manager endorses or comments on a case."
        )
    if kind == CaseNote.Kind.COMMENT and not text.strip():
        raise ValidationError({"text": "Write the comment."})
    note = CaseNote.objects.create(case=case, author=by_person, kind=kind, text=text.strip())
    audit_record(
        by=by_person.user,
        action="case.noted",
        target=case,
        before=None,
        after={"kind": kind, "author": by_person.email, "text": note.text},
    )
    return note


_OUTCOME_ACTIONS = {
    State.APPROVED: "case.approved",
    State.DECLINED: "case.declined",
    State.DEFERRED: "case.deferred",
}


def decided_message(case: PromotionCase) -> str:
    """What a second decision is told: how the case was decided, by whom and when."""
    who = "someone"
    if case.decided_by is not None:
        person = getattr(case.decided_by, "person", None)
        who = person.name if person is not None else case.decided_by.get_username()
    when = format_date(timezone.localdate(case.decided_at)) if case.decided_at else ""
    return f"This case was already decided: {case.get_state_display().lower()} by {who} on {when}."


@transaction.atomic
def case_decide(
    *,
    by,
    case: PromotionCase,
    outcome: str,
    feedback: str,
    effective_on: datetime.date | None = None,
) -> PromotionCase:
    """Approve, decline or defer a submitted case, with written feedback.

    Approving records the new level from the effective date (the cycle's; given, off-cycle) in
    this transaction. Declining turns each line of the feedback into a growth-plan item for the
    same level. Either way the growth plan moves on, and the person and their manager are told.
    The case row is locked first: a second decision (another tab, a double-click) waits for the
    first, then finds the case decided and changes nothing.
    """
    case = _lock(case)
    if case.is_decided:
        raise CaseAlreadyDecided(decided_message(case))
    if outcome not in _OUTCOME_ACTIONS:
        raise ValidationError({"outcome": "Choose to approve, decline or defer."})
    if case.state != State.SUBMITTED:
        raise ValidationError("This case is still a draft: it is decided once submitted.")
    if not permissions.may_decide_case(by, case):
        raise ValidationError("Only an admin or the cycle's committee decides a case.")
    _check_texts(feedback=feedback)
    if not feedback.strip():
        raise ValidationError({"feedback": "Write the feedback: the person reads it."})
    case.effective_on = None
    level = None
    if outcome == State.APPROVED:
        case.effective_on = _effective_date(case, effective_on)
        level = _promote(by, case)
    case.state, case.feedback = outcome, feedback.strip()
    case.decided_at, case.decided_by = timezone.now(), by
    case.save(update_fields=["state", "feedback", "decided_at", "decided_by", "effective_on"])
    audit_record(
        by=by,
        action=_OUTCOME_ACTIONS[outcome],
        target=case,
        before={"state": State.SUBMITTED.value},
        after={
            "state": str(outcome),
            "feedback": case.feedback,
            "effective_on": case.effective_on.isoformat() if case.effective_on else None,
            "level": level.code if level else None,
        },
    )
    if outcome == State.APPROVED:
        growth_plan_after_decision(by=by, person=case.person)
    else:
        growth_plan_after_decision(by=by, person=case.person, target=case.to_level)
    if outcome == State.DECLINED:
        growth_plan_add_items(person=case.person, texts=feedback_items(case.feedback))
    queue_case_decided(case)
    return case


def _effective_date(case: PromotionCase, given: datetime.date | None) -> datetime.date:
    if case.cycle_id is not None:
        if given is not None and given != case.cycle.effective_on:
            raise ValidationError(
                {
                    "effective_on": f"Decisions of {case.cycle.name} take effect on "
                    f"{format_date(case.cycle.effective_on)}, the cycle's date; leave it empty."
                }
            )
        return case.cycle.effective_on
    if given is None:
        raise ValidationError(
            {"effective_on": "An off-cycle promotion needs the date it takes effect."}
        )
    return given


def _promote(by, case: PromotionCase) -> Level:
    """Record the case's level in the person's history, from the case's effective date."""
    standing = standing_of(case.person, timezone.localdate())
    if standing.current is None or standing.current.code != case.from_level.code:
        raise ValidationError(_level_moved(case, standing) + " Decline or defer this case.")
    level = _next_level(case.person, standing, case.to_level)
    person_set_level(
        by=by,
        person=case.person,
        level=level,
        since=case.effective_on,
        reason=LevelAssignment.Reason.PROMOTION,
    )
    return level


_BULLET = re.compile(r"^(?:[-*•–]|\d+[.)])\s+")


def feedback_items(feedback: str) -> list[str]:
    """The growth-plan items a decline's feedback makes: one per non-empty line (a paragraph,
    as a text box wraps it), without the bullet or number a list puts before it."""
    items = []
    for line in feedback.splitlines():
        text = _BULLET.sub("", line.strip()).strip()
        if text:
            items.append(text)
    return items
