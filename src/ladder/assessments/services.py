"""Workflows on evidence, assessments and growth plans, shared by pages, CLI and demo."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ladder.audit.models import AuditEvent
from ladder.audit.services import audit_event
from ladder.frameworks.models import Criterion, Level
from ladder.people.models import Person

from .mails import queue_assessment_shared
from .models import (
    Assessment,
    CriterionAssessment,
    DimensionRating,
    Evidence,
    GrowthItem,
    GrowthPlan,
    Status,
)
from .permissions import is_still_author
from .plans import planned_items
from .selectors import readiness_of, standing_of
from .stored import readiness_refresh


class StaleDraft(ValidationError):
    """The draft changed since the form was loaded (another tab, another window)."""


@transaction.atomic
def evidence_add(
    *,
    added_by: Person,
    person: Person,
    happened_on: datetime.date,
    text: str,
    link: str = "",
    criteria: list[Criterion],
) -> Evidence:
    if not text.strip():
        raise ValidationError("Say what happened.")
    if happened_on > timezone.localdate():
        raise ValidationError("Evidence is of what has happened: the date is in the future.")
    evidence = Evidence.objects.create(
        person=person, added_by=added_by, happened_on=happened_on, text=text.strip(), link=link
    )
    evidence.criteria.set(criteria)
    return evidence


@transaction.atomic
def assessment_start(*, author: Person, person: Person, level: Level, role: str) -> Assessment:
    """A draft against the person's current level or one of their next levels."""
    if role not in Assessment.Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    allowed = standing_of(person, timezone.localdate()).assessable_levels()
    if level not in allowed:
        codes = ", ".join(lv.code for lv in allowed) or "none: the person has no level yet"
        raise ValidationError(f"{person.name} can be assessed against {codes}, not {level.code}.")
    if role == Assessment.Role.SELF and author.pk != person.pk:
        raise ValidationError("A self-assessment is written by the person themself.")
    if role == Assessment.Role.MANAGER and not person.is_report_of(author):
        raise ValidationError("Only a manager in the person's chain writes a manager assessment.")
    # One draft per author, person, level and cycle: starting again (a double-click, a second
    # tab) opens the draft already begun.
    draft = Assessment.objects.filter(person=person, level=level, author=author).drafts_of_cycle()
    if (existing := draft.first()) is not None:
        return existing
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                person=person, level=level, author=author, role=role
            )
    except IntegrityError:
        # Another request made it between the look and the insert; the constraint kept one.
        return draft.get()
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(assessment=assessment, criterion=criterion)
        for criterion in level.criteria.order_by("position")
    )
    DimensionRating.objects.bulk_create(
        DimensionRating(assessment=assessment, position=r.position, dimension=r.dimension)
        for r in level.expected_ratings.order_by("position")
    )
    return assessment


@dataclass(frozen=True)
class CriterionInput:
    status: str
    comment: str
    evidence_ids: list[int]


@transaction.atomic
def assessment_save(
    *,
    author: Person,
    assessment: Assessment,
    revision: int,
    summary: str,
    ratings: dict[str, int | None],
    criteria: dict[int, CriterionInput],
) -> Assessment:
    """Save a draft, refusing a save made from a stale form."""
    if not is_still_author(author, assessment):
        raise ValidationError("Only the author, while still the person's manager, edits it.")
    _check_texts(assessment, summary, criteria)
    # The revision check and bump are one UPDATE, so two tabs cannot both win.
    bumped = Assessment.objects.filter(
        pk=assessment.pk, revision=revision, state=Assessment.State.DRAFT
    ).update(revision=revision + 1, summary=summary, updated_at=timezone.now())
    if not bumped:
        current = Assessment.objects.get(pk=assessment.pk)
        if current.state != Assessment.State.DRAFT:
            raise StaleDraft("This assessment was already submitted; it can no longer change.")
        if revision == current.revision - 1 and _is_stored(current, summary, ratings, criteria):
            # The same form sent twice (a double-click on Save): the first save already holds it.
            return current
        raise StaleDraft(
            f"This draft was saved elsewhere (another tab or window) at "
            f"{timezone.localtime(current.updated_at):%H:%M}, after you opened it. Your changes "
            "were not saved over it: they are still in the form below. Reload to see the "
            "latest draft, then add them again."
        )
    scale = assessment.level.version
    rows = {r.dimension: r for r in assessment.ratings.all()}
    for dimension, rating in ratings.items():
        if dimension not in rows:
            continue
        if rating is not None and not scale.scale_min <= rating <= scale.scale_max:
            raise ValidationError(
                f"{dimension}: {rating} is not on the scale {scale.scale_min} to {scale.scale_max}."
            )
        rows[dimension].rating = rating
    DimensionRating.objects.bulk_update(rows.values(), ["rating"])
    items = assessment.criteria.by_criterion()
    allowed_evidence = set(
        Evidence.objects.filter(person=assessment.person).values_list("pk", flat=True)
    )
    links = []
    for criterion_id, data in criteria.items():
        item = items.get(criterion_id)
        if item is None:
            continue
        if data.status and data.status not in Status.values:
            raise ValidationError(f"Unknown status {data.status!r}.")
        item.status, item.comment = data.status, data.comment.strip()
        links += [
            (item.pk, pk) for pk in dict.fromkeys(data.evidence_ids) if pk in allowed_evidence
        ]
    # Evidence links are rewritten in two statements, not a query per criterion.
    through = CriterionAssessment.evidence.through
    through.objects.filter(criterionassessment__assessment=assessment).delete()
    through.objects.bulk_create(
        through(criterionassessment_id=item, evidence_id=evidence) for item, evidence in links
    )
    CriterionAssessment.objects.bulk_update(items.values(), ["status", "comment"])
    assessment.refresh_from_db()
    return assessment


def _check_texts(assessment: Assessment, summary: str, criteria: dict[int, CriterionInput]):
    """Refuse what no database column can hold, naming where it was typed."""
    named = {c.criterion_id: c.criterion.text for c in assessment.criteria.all()}
    texts = [("The summary", summary)] + [
        (f"The comment on “{named[pk][:60]}”", data.comment)
        for pk, data in criteria.items()
        if pk in named
    ]
    for where, text in texts:
        if "\x00" in text:
            raise ValidationError(
                f"{where} contains a NUL character (\\0); remove it and save again."
            )


def _is_stored(
    current: Assessment,
    summary: str,
    ratings: dict[str, int | None],
    criteria: dict[int, CriterionInput],
) -> bool:
    """Whether a draft already holds exactly what a form would save."""
    stored_ratings = current.ratings.by_dimension()
    stored = {
        c.criterion_id: (c.status, c.comment, {e.pk for e in c.evidence.all()})
        for c in current.criteria.all()
    }
    return (
        current.summary == summary
        and all(stored_ratings.get(d, r) == r for d, r in ratings.items())
        and all(
            stored.get(pk) in (None, (data.status, data.comment.strip(), set(data.evidence_ids)))
            for pk, data in criteria.items()
        )
    )


def missing_answers(assessment: Assessment) -> list[str]:
    missing = [f"a rating for {r.dimension}" for r in assessment.ratings.all() if r.rating is None]
    unrated = [c for c in assessment.criteria.all() if not c.status]
    if unrated:
        missing.append(f"a status for {len(unrated)} criteria")
    return missing


@transaction.atomic
def assessment_submit(*, author: Person, assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not is_still_author(author, assessment) or assessment.state != Assessment.State.DRAFT:
        raise ValidationError("Only the author submits a draft.")
    missing = missing_answers(assessment)
    if missing:
        raise ValidationError(f"Before submitting, give {' and '.join(missing)}.")
    assessment.state = Assessment.State.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["state", "submitted_at"])
    assessment_submitted_event(
        by=author.user, assessment=assessment, snapshot=_assessment_snapshot(assessment)
    ).save()
    return assessment


@transaction.atomic
def assessment_share(*, author: Person, assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not is_still_author(author, assessment) or assessment.state != Assessment.State.SUBMITTED:
        raise ValidationError("Only the author shares a submitted assessment.")
    assessment.state = Assessment.State.SHARED
    assessment.shared_at = timezone.now()
    assessment.save(update_fields=["state", "shared_at"])
    assessment_shared_event(by=author.user, assessment=assessment).save()
    if assessment.role == Assessment.Role.MANAGER:
        readiness_refresh([assessment.person_id])
    # Queued with the change, so the person is told once, and only if the sharing is saved.
    queue_assessment_shared(assessment)
    return assessment


def assessment_submitted_event(*, by, assessment: Assessment, snapshot: dict) -> AuditEvent:
    """What submitting records, unsaved: `snapshot` is `assessment_snapshot` of what was sent."""
    return audit_event(
        by=by,
        action="assessment.submitted",
        target=assessment,
        before={"state": Assessment.State.DRAFT.value},
        after=snapshot,
    )


def assessment_shared_event(*, by, assessment: Assessment) -> AuditEvent:
    """What sharing records, unsaved."""
    return audit_event(
        by=by,
        action="assessment.shared",
        target=assessment,
        before={"state": Assessment.State.SUBMITTED.value},
        after={"state": Assessment.State.SHARED.value},
    )


def _assessment_snapshot(assessment: Assessment) -> dict:
    return assessment_snapshot(
        state=assessment.state,
        level_code=assessment.level.code,
        ratings=assessment.ratings.by_dimension(),
        criteria=assessment.criteria.statuses(),
    )


def assessment_snapshot(
    *, state: str, level_code: str, ratings: Mapping[str, int | None], criteria: Mapping[int, str]
) -> dict:
    """What the audit log keeps of an assessment: its state, level, ratings and statuses."""
    return {
        "state": str(state),
        "level": level_code,
        "ratings": dict(ratings),
        "criteria": {str(pk): str(status) for pk, status in criteria.items()},
    }


# -- growth plans ---------------------------------------------------------------------------


@transaction.atomic
def growth_plan_generate(*, by, person: Person, target: Level | None = None) -> GrowthPlan:
    """Items from the gaps of the latest shared manager assessment against `target` (by default
    the person's first next level) and the current level's Next Actions.

    Items a person already changed are kept as they are; the rest are made anew.
    """
    today = timezone.localdate()
    standing = standing_of(person, today)
    if target is None:
        target = standing.next_level()
    elif target not in standing.next_levels:
        codes = ", ".join(lv.code for lv in standing.next_levels) or "none"
        raise ValidationError(f"{person.name}'s next levels are {codes}, not {target.code}.")
    readiness, assessment = (
        readiness_of(person, standing, target, today) if target else (None, None)
    )
    plan, _ = GrowthPlan.objects.get_or_create(person=person)
    if plan.target is not None and (target is None or plan.target.code != target.code):
        # A plan towards another level starts afresh: what someone kept for the old target
        # (a declined case's feedback, an item they changed) closes nothing on the way to this one.
        plan.items.all().delete()
    plan.target, plan.generated_at = target, timezone.now()
    plan.save()
    wanted = planned_items(
        gaps=readiness.gaps if readiness else (),
        criteria=(
            (item.criterion.section, item.criterion.text, item.status)
            for item in (assessment.criteria.all() if assessment else ())
        ),
        next_actions=standing.current.next_actions if standing.current else (),
    )
    existing = {(i.kind, i.closes): i for i in plan.items.all()}
    keep = {key for key, item in existing.items() if item.edited}
    GrowthItem.objects.filter(plan=plan, edited=False).delete()
    due = today + datetime.timedelta(days=90)
    # Time in level cannot be closed before the minimum is reached: not due before then.
    eligible_from = readiness.eligible_from if readiness else None
    new, seen = [], set(keep)
    for position, (kind, closes, title) in enumerate(wanted):
        if (kind, closes) in seen:
            continue
        seen.add((kind, closes))
        new.append(
            GrowthItem(
                plan=plan,
                kind=kind,
                closes=closes,
                title=title,
                owner=person,
                due=max(due, eligible_from)
                if kind == GrowthItem.Kind.EXPERIENCE and eligible_from
                else due,
                position=position,
            )
        )
    GrowthItem.objects.bulk_create(new)
    return plan


@transaction.atomic
def growth_item_update(
    *, item: GrowthItem, owner: Person | None, due: datetime.date | None, state: str
) -> GrowthItem:
    if state not in GrowthItem.State.values:
        raise ValidationError(f"Unknown state {state!r}.")
    item.owner, item.due, item.state, item.edited = owner, due, state, True
    item.save(update_fields=["owner", "due", "state", "edited"])
    return item


# -- growth plans after a promotion decision -------------------------------------------------


@transaction.atomic
def growth_plan_after_decision(*, by, person: Person, target: Level | None = None) -> GrowthPlan:
    """Move a person's growth plan on after a decision on their promotion case.

    With `target` (the level of a declined or deferred case) the plan keeps aiming at it;
    without (after an approval) it aims at the first next level of the level just recorded.
    An approved level is the person's open level assignment from the moment it is recorded,
    even when it takes effect on a later date, and `standing_of` reads the open assignment as
    the current level: so the plan targets the level after the new one at once, instead of
    still saying "towards" the level just reached.
    """
    if target is not None:
        # By code: the case may name the level's row in an older ladder version.
        standing = standing_of(person, timezone.localdate())
        target = next((lv for lv in standing.next_levels if lv.code == target.code), None)
    return growth_plan_generate(by=by, person=person, target=target)


@transaction.atomic
def growth_plan_add_items(
    *, person: Person, texts: list[str], kind: str = GrowthItem.Kind.NEXT_ACTION
) -> list[GrowthItem]:
    """Add items that people wrote, not drawn from gaps (a promotion decision's feedback), at
    the end of the person's plan, owned by the person.

    They are marked as edited, so a regeneration keeps them as it keeps items a person changed:
    no gap would make them again. A text the plan already holds as that kind is not added twice.
    """
    if kind not in GrowthItem.Kind.values:
        raise ValidationError(f"Unknown kind of growth-plan item {kind!r}.")
    plan, _ = GrowthPlan.objects.get_or_create(person=person)
    taken = set(plan.items.filter(kind=kind).values_list("closes", flat=True))
    last = plan.items.order_by("-position").values_list("position", flat=True).first() or 0
    new: list[GrowthItem] = []
    for text in texts:
        text = text.strip()
        if not text or text in taken:
            continue
        taken.add(text)
        new.append(
            GrowthItem(
                plan=plan,
                kind=kind,
                closes=text,
                title=text,
                owner=person,
                edited=True,
                position=last + len(new) + 1,
            )
        )
    return GrowthItem.objects.bulk_create(new)
