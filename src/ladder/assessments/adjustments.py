"""Calibration adjustments: a committee's change to a shared manager assessment, kept as a new
record beside the manager's original.

Readiness reads the latest shared manager assessment, and the adjustment is shared last, so it
is the one read from then on; the original is never touched, and the audit log holds both.
Who may adjust, and when, is the calling page's to check (the cycle's calibration stage); no
one ever adjusts an assessment of themself.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ladder.audit.services import audit_record
from ladder.people.permissions import person_of
from ladder.people.validation import check_writing

from .models import Assessment, CriterionAssessment, DimensionRating, Status
from .services import assessment_snapshot
from .stored import readiness_refresh


@transaction.atomic
def assessment_adjust(
    *,
    by,
    assessment: Assessment,
    ratings: Mapping[str, int],
    reason: str,
    statuses: Mapping[int, str] | None = None,
) -> Assessment:
    """A new shared assessment that copies `assessment` with `ratings` (dimension -> rating)
    and `statuses` (criterion id -> status) changed, adjusted by `by` for `reason`."""
    # The lock makes a second adjustment of the same assessment (a double-click, two tabs) wait
    # for the first, and then find it is no longer the latest.
    original = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("level__version")
        .get(pk=assessment.pk)
    )
    if original.role != Assessment.Role.MANAGER:
        raise ValidationError("Only a manager assessment is adjusted; a self-assessment is not.")
    if original.state != Assessment.State.SHARED:
        raise ValidationError("Only a shared manager assessment is adjusted.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the ratings are adjusted: the reason is required.")
    check_writing(reason, "reason")
    me = person_of(by)
    if me is not None and me.pk == original.person_id:
        raise ValidationError("No one adjusts an assessment of themself.")
    latest = (
        Assessment.objects.filter(
            person_id=original.person_id,
            role=Assessment.Role.MANAGER,
            level__code=original.level.code,
            level__version__ladder_id=original.level.version.ladder_id,
        )
        .shared()
        .latest_first()
        .values_list("pk", flat=True)
        .first()
    )
    if latest != original.pk:
        raise ValidationError(
            "This assessment is no longer the one readiness reads: it was adjusted or assessed "
            "again since. Adjust the latest one."
        )

    before_ratings = original.ratings.by_dimension()
    before_statuses = original.criteria.statuses()
    after_ratings = _checked_ratings(original, before_ratings, ratings)
    after_statuses = _checked_statuses(before_statuses, statuses or {})
    if after_ratings == before_ratings and after_statuses == before_statuses:
        raise ValidationError("Nothing was changed: adjust at least one rating or status.")

    now = timezone.now()
    adjusted = Assessment.objects.create(
        person_id=original.person_id,
        level=original.level,
        author_id=original.author_id,
        role=original.role,
        state=Assessment.State.SHARED,
        cycle=original.cycle,
        summary=original.summary,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        shared_at=now,
        adjusts=original,
        adjusted_by=by if getattr(by, "is_authenticated", False) else None,
        adjustment_reason=reason,
    )
    DimensionRating.objects.bulk_create(
        DimensionRating(
            assessment=adjusted,
            position=row.position,
            dimension=row.dimension,
            rating=after_ratings[row.dimension],
        )
        for row in original.ratings.all()
    )
    items = list(original.criteria.all())
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(
            assessment=adjusted,
            criterion_id=item.criterion_id,
            status=after_statuses[item.criterion_id],
            comment=item.comment,
        )
        for item in items
    )
    # The evidence each criterion links to goes along, in one insert.
    copies = dict(adjusted.criteria.values_list("criterion_id", "pk"))
    through = CriterionAssessment.evidence.through
    through.objects.bulk_create(
        through(criterionassessment_id=copies[criterion_id], evidence_id=evidence_id)
        for criterion_id, evidence_id in through.objects.filter(
            criterionassessment__assessment=original
        ).values_list("criterionassessment__criterion_id", "evidence_id")
    )
    level_code = original.level.code
    before = assessment_snapshot(
        state=original.state,
        level_code=level_code,
        ratings=before_ratings,
        criteria=before_statuses,
    )
    after = assessment_snapshot(
        state=adjusted.state, level_code=level_code, ratings=after_ratings, criteria=after_statuses
    )
    audit_record(
        by=by,
        action="assessment.adjusted",
        target=adjusted,
        before={"assessment": original.pk, **before},
        after={"assessment": adjusted.pk, "adjusts": original.pk, "reason": reason, **after},
    )
    if adjusted.role == Assessment.Role.MANAGER:
        readiness_refresh([adjusted.person_id])
    return adjusted


def _checked_ratings(
    original: Assessment, before: dict[str, int | None], ratings: Mapping[str, int]
) -> dict[str, int | None]:
    """The ratings after the change; a dimension the assessment does not rate, or a rating off
    the ladder's scale, is refused by name."""
    version = original.level.version
    after = dict(before)
    for dimension, rating in ratings.items():
        if dimension not in before:
            raise ValidationError(f"{dimension}: this assessment has no such dimension.")
        if (
            not isinstance(rating, int)
            or isinstance(rating, bool)
            or not version.scale_min <= rating <= version.scale_max
        ):
            raise ValidationError(
                f"{dimension}: {rating!r} is not on the scale "
                f"{version.scale_min} to {version.scale_max}."
            )
        after[dimension] = rating
    return after


def _checked_statuses(before: dict[int, str], statuses: Mapping[int, str]) -> dict[int, str]:
    after = dict(before)
    for criterion_id, status in statuses.items():
        if criterion_id not in before:
            raise ValidationError(f"Criterion {criterion_id} is not in this assessment.")
        if status not in Status.values:
            raise ValidationError(f"Unknown status {status!r} for criterion {criterion_id}.")
        after[criterion_id] = status
    return after
