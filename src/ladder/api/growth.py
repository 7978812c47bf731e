"""API: a person's evidence, their assessments (start a draft, save it at the revision it was
read at, submit, share) and their growth plan.

Every operation takes its object through the permission getters of the pages and changes it
through the services of the pages, so who may do what, the stale-revision refusal and the audit
events are the pages' own. Input is checked as the pages' forms check it (the evidence and
plan-item forms themselves), and what is refused names the field.

An assessment's ETag is `"<revision>.<state>"`: a save or a submission may send it back in
If-Match instead of (or beside) the `revision` in the body.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import parse_etags
from ninja import Body, Field, Header, Path, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from ladder.assessments import permissions, selectors, services
from ladder.assessments.forms import EvidenceForm, GrowthItemForm
from ladder.assessments.models import Assessment, Evidence, GrowthItem
from ladder.assessments.models import Status as CriterionStatus
from ladder.assessments.selectors import get_assessment, plan_of, standing_of
from ladder.characters import describe
from ladder.frameworks.models import Criterion
from ladder.people.permissions import get_signed_in_person, get_visible_person

from . import problems
from .pagination import Cursor
from .schemas import Day, LevelRef, PersonRef, Whole, level_ref

router = Router(tags=["growth"])

# Ids are BigAutoFields and revisions PositiveIntegerFields: a number past them names nothing,
# and is refused as input rather than sent to a database that cannot compare it.
MAX_ID = 9_223_372_036_854_775_807
MAX_REVISION = 2_147_483_647
ID = {"ge": 1, "le": MAX_ID}
Id = Annotated[Whole, Field(**ID)]
# A level has a few dozen criteria and a ladder a handful of dimensions: lists far longer are
# no honest request, and would only make long SQL.
MAX_LIST = 500

RoleName = Literal[tuple(Assessment.Role.values)]
StateName = Literal[tuple(Assessment.State.values)]
StatusName = Literal[("", *CriterionStatus.values)]  # "" is a criterion not answered yet
ItemStateName = Literal[tuple(GrowthItem.State.values)]
ItemKindName = Literal[tuple(GrowthItem.Kind.values)]


def _storable(text: str) -> str:
    """Refuse a lone surrogate: JSON can escape one (\\ud800), no browser sends one, and no
    database can store one. (NUL, the other such character, the body parser refuses.)"""
    for char in text:
        if "\ud800" <= char <= "\udfff":
            raise ValueError(f"contains {describe(char)}, half of a character: it cannot be stored")
    return text


# Every text an operation takes: what cannot be stored is a 422 naming it, never a 500.
Text = Annotated[str, AfterValidator(_storable)]


# -- OpenAPI documents of what the schemas cannot say --------------------------------------------

_PROBLEM = "#/components/schemas/Problem"
_STALE_SCHEMA = {
    "allOf": [
        {"$ref": _PROBLEM},
        {
            "type": "object",
            "required": ["current_revision"],
            "properties": {
                "current_revision": {"type": "integer"},
                "etag": {"type": "string"},
            },
        },
    ]
}


def _problem_answer(description: str) -> dict:
    return {
        "description": description,
        "content": {problems.CONTENT_TYPE: {"schema": _STALE_SCHEMA}},
    }


def _with_etag(*statuses: int) -> dict:
    header = {
        "description": 'The assessment\'s entity tag, `"<revision>.<state>"`: send it back in '
        "If-Match to save or submit exactly what you read.",
        "required": True,
        "schema": {"type": "string"},
    }
    return {"responses": {status: {"headers": {"ETag": header}} for status in statuses}}


STALE_ANSWERS = {
    "responses": {
        409: _problem_answer(
            "The draft changed since it was read at `revision`, or it is no longer a draft: "
            "`current_revision` says where it stands. Read it again."
        ),
        412: _problem_answer(
            "If-Match names none of the assessment's current ETag: it changed since it was "
            "read. `current_revision` and `etag` say where it stands."
        ),
    }
}


def _merged(*documents: dict) -> dict:
    """OpenAPI fragments for one operation, their `responses` merged status by status."""
    responses: dict = {}
    for document in documents:
        for status, answer in document["responses"].items():
            responses.setdefault(status, {}).update(answer)
    return {"responses": responses}


# -- shapes ----------------------------------------------------------------------------------


class EvidenceCriterion(Schema):
    """A criterion a piece of evidence supports."""

    id: int
    level: str = Field(description="The code of the criterion's level.")
    section: str
    text: str

    @staticmethod
    def resolve_level(criterion: Criterion) -> str:
        return criterion.level.code


class EvidenceOut(Schema):
    """A dated entry of what a person did, tied to the criteria it supports."""

    id: int
    person: int = Field(description="The id of the person it is evidence of.")
    added_by: PersonRef
    happened_on: datetime.date
    text: str
    link: str
    criteria: list[EvidenceCriterion]
    created_at: datetime.datetime

    @staticmethod
    def resolve_person(evidence: Evidence) -> int:
        return evidence.person_id

    @staticmethod
    def resolve_criteria(evidence: Evidence) -> list[Criterion]:
        return list(evidence.criteria.all())


class EvidenceIn(Schema):
    """New evidence, checked as the evidence page's form checks it."""

    happened_on: Day = Field(description="The day it happened: today or before.")
    text: Text = Field(description="What happened.")
    link: Text = Field("", description="A web address about it (https:// is assumed).")
    criteria: list[Id] = Field(
        max_length=MAX_LIST,
        description="Ids of the criteria it supports, of the person's current or next levels: "
        "at least one.",
    )


class AssessmentItem(Schema):
    """An assessment in a list: whose, by whom, against which level, and where it stands."""

    id: int
    person: PersonRef
    author: PersonRef
    role: RoleName
    state: StateName
    level: LevelRef
    cycle: str
    revision: int = Field(description="Bumped by every save of the draft.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    submitted_at: datetime.datetime | None
    shared_at: datetime.datetime | None
    adjusts: int | None = Field(
        description="For a calibration adjustment, the id of the assessment it adjusts."
    )

    @staticmethod
    def resolve_level(assessment: Assessment) -> dict:
        return level_ref(assessment.level)

    @staticmethod
    def resolve_adjusts(assessment: Assessment) -> int | None:
        return assessment.adjusts_id


class ScaleRange(Schema):
    min: int
    max: int


class AssessmentRating(Schema):
    dimension: str
    rating: int | None = Field(description="Null until given.")
    expected: int | None = Field(description="What the level expects in this dimension.")


class CriterionAnswerOut(Schema):
    criterion: int = Field(description="The criterion's id: what a save names it by.")
    section: str
    text: str
    status: StatusName = Field(description='"" until answered.')
    comment: str
    evidence: list[int] = Field(description="Ids of the person's evidence linked to it.")


class AssessmentOut(AssessmentItem):
    """An assessment with its answers: a rating per dimension and, per criterion, a status, a
    comment and links to evidence. Reads the criteria, ratings and evidence links that
    `selectors.get_assessment` prefetches."""

    summary: str
    scale: ScaleRange
    ratings: list[AssessmentRating]
    criteria: list[CriterionAnswerOut]
    missing: list[str] = Field(description="What a draft still needs before it can be submitted.")

    @staticmethod
    def resolve_scale(assessment: Assessment) -> dict:
        version = assessment.level.version
        return {"min": version.scale_min, "max": version.scale_max}

    @staticmethod
    def resolve_ratings(assessment: Assessment) -> list[dict]:
        expected = assessment.level.expected_ratings.by_dimension()
        return [
            {"dimension": r.dimension, "rating": r.rating, "expected": expected.get(r.dimension)}
            for r in assessment.ratings.all()
        ]

    @staticmethod
    def resolve_criteria(assessment: Assessment) -> list[dict]:
        return [
            {
                "criterion": item.criterion_id,
                "section": item.criterion.section,
                "text": item.criterion.text,
                "status": item.status,
                "comment": item.comment,
                "evidence": sorted(e.pk for e in item.evidence.all()),
            }
            for item in assessment.criteria.all()
        ]

    @staticmethod
    def resolve_missing(assessment: Assessment) -> list[str]:
        return services.missing_answers(assessment) if assessment.is_draft else []


class AssessmentStart(Schema):
    role: RoleName = Field(description="`self` for one's own, `manager` for a report's.")
    level: Text = Field(
        max_length=100,
        description="The code of the level to assess against: the person's current level or "
        "one of their next levels.",
    )


class AssessmentRatingIn(Schema):
    dimension: Text = Field(max_length=100)
    rating: Whole | None = Field(description="On the ladder's scale; null clears it.")


class CriterionAnswerIn(Schema):
    """The answer for one criterion. In a PATCH, what is left out stays as it is; in a PUT it
    is blank."""

    criterion: Id
    status: StatusName = ""
    comment: Text = ""
    evidence: list[Id] = Field([], max_length=MAX_LIST)


class AssessmentAnswers(Schema):
    """A draft's answers, with the revision they were read at (or send If-Match)."""

    revision: Whole | None = Field(
        None, ge=1, le=MAX_REVISION, description="The revision the draft was read at."
    )
    summary: Text = ""
    ratings: list[AssessmentRatingIn] = Field([], max_length=MAX_LIST)
    criteria: list[CriterionAnswerIn] = Field([], max_length=MAX_LIST)


class SubmitIn(Schema):
    revision: Whole | None = Field(
        None,
        ge=1,
        le=MAX_REVISION,
        description="The revision you read: submitting refuses a draft changed since.",
    )


class GrowthItemOut(Schema):
    """One step of a growth plan: what it closes, who owns it, by when, and how far it is."""

    id: int
    kind: ItemKindName
    closes: str = Field(description="A dimension's name, or a criterion's or next action's text.")
    title: str
    owner: PersonRef | None
    due: datetime.date | None
    state: ItemStateName
    edited: bool = Field(description="Changed by someone: a regeneration keeps it as it is.")
    position: int


class GrowthPlanOut(Schema):
    """A person's growth plan: empty, with no target, until one is generated."""

    person: PersonRef
    target: LevelRef | None
    generated_at: datetime.datetime | None
    done: int
    total: int
    items: list[GrowthItemOut]


class PlanGenerateIn(Schema):
    target: Text | None = Field(
        None,
        max_length=100,
        description="The code of one of the person's next levels; by default the first.",
    )


class GrowthItemPatch(Schema):
    """What to change of a growth-plan item; what is left out stays as it is."""

    owner: Id | None = Field(None, description="The person or one of their managers; null: none.")
    due: Day | None = None
    state: ItemStateName = GrowthItem.State.OPEN.value


def _refused(form) -> ValidationError:
    """A page form's errors by field, each led by the field's label, as the page shows them
    beside the field: "What happened: This field is required." """
    return ValidationError(
        {
            name: [
                f"{form[name].label}: {message}" if name in form.fields else message
                for message in messages
            ]
            for name, messages in form.errors.items()
        }
    )


# -- evidence --------------------------------------------------------------------------------


def _evidence_with_details():
    return Evidence.objects.select_related("added_by").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.select_related("level"))
    )


@router.get(
    "/people/{person_id}/evidence/",
    response=list[EvidenceOut],
    summary="List a person's evidence",
)
@paginate(Cursor, ordering=("-created_at", "-id"))
def evidence_list(request, person_id: int = Path(..., **ID)):
    """The person's evidence, newest first (the latest added first), for whoever may see the
    person: themself, their managers, admins."""
    person = get_visible_person(request.user, person_id)
    return _evidence_with_details().filter(person=person)


@router.post(
    "/people/{person_id}/evidence/",
    response={201: EvidenceOut},
    summary="Add evidence to a person",
)
def evidence_add(request, payload: EvidenceIn, person_id: int = Path(..., **ID)):
    """Add a dated entry to the person's evidence, as the evidence page does: by the person
    themself or a manager above them. The criteria are those of the person's current and next
    levels; the link must be a web address of at most 500 characters."""
    person = permissions.get_person_for_adding_evidence(request.user, person_id)
    levels = standing_of(person, timezone.localdate()).assessable_levels()
    form = EvidenceForm(
        {
            "happened_on": payload.happened_on.isoformat(),
            "text": payload.text,
            "link": payload.link,
            "criteria": [str(pk) for pk in payload.criteria],
        },
        criteria=Criterion.objects.filter(level__in=levels),
    )
    if not form.is_valid():
        raise _refused(form)
    if form.cleaned_data["happened_on"] > timezone.localdate():
        raise ValidationError(
            {"happened_on": "Evidence is of what has happened: the date is in the future."}
        )
    evidence = services.evidence_add(
        added_by=get_signed_in_person(request.user), person=person, **form.cleaned_data
    )
    return Status(201, _evidence_with_details().get(pk=evidence.pk))


# -- assessments -----------------------------------------------------------------------------


def etag_of(assessment: Assessment) -> str:
    """What an assessment's representation is at: saving bumps the revision, submitting and
    sharing change the state."""
    return f'"{assessment.revision}.{assessment.state}"'


def _detail(assessment: Assessment, response: HttpResponse) -> Assessment:
    """The assessment to answer with, its ETag set on `response`."""
    response["ETag"] = etag_of(assessment)
    return assessment


@router.get(
    "/people/{person_id}/assessments/",
    response=list[AssessmentItem],
    summary="List a person's assessments",
)
@paginate(Cursor, ordering=("-created_at", "-id"))
def assessment_list(request, person_id: int = Path(..., **ID)):
    """The person's assessments that you may read, newest first: your own drafts, and what
    their authors have submitted or shared with you, as the assessments page lists them."""
    person = get_visible_person(request.user, person_id)
    # Whether one may read an assessment is the permission module's rule, asked row by row as
    # the page asks it: a person has a few assessments a cycle, so this is one small query.
    mine = Assessment.objects.for_person(person).select_related("person")
    visible = [a.pk for a in mine if permissions.may_view_assessment(request.user, a)]
    return Assessment.objects.filter(pk__in=visible).select_related(
        "person", "author", "level__version__ladder"
    )


@router.post(
    "/people/{person_id}/assessments/",
    response={200: AssessmentOut, 201: AssessmentOut},
    summary="Start a draft assessment",
    openapi_extra=_with_etag(200, 201),
)
def assessment_start(
    request, response: HttpResponse, payload: AssessmentStart, person_id: int = Path(..., **ID)
):
    """Start a draft of a `self` assessment (of yourself) or a `manager` assessment (of a
    report), against the person's current level or one of their next levels. A draft you
    already began against that level this cycle is answered as it is, with 200; a new one
    with 201."""
    person = permissions.get_person_for_assessing(request.user, person_id, payload.role)
    levels = standing_of(person, timezone.localdate()).assessable_levels()
    level = next((lv for lv in levels if lv.code == payload.level), None)
    if level is None:
        codes = ", ".join(lv.code for lv in levels) or "none: they have no level yet"
        raise ValidationError(
            {"level": f"{person.name} can be assessed against {codes}, not {payload.level!r}."}
        )
    me = get_signed_in_person(request.user)
    began = set(
        Assessment.objects.filter(person=person, level=level, author=me)
        .drafts_of_cycle()
        .values_list("pk", flat=True)
    )
    started = services.assessment_start(author=me, person=person, level=level, role=payload.role)
    return Status(
        200 if started.pk in began else 201, _detail(get_assessment(started.pk), response)
    )


@router.get(
    "/assessments/{assessment_id}/",
    response=AssessmentOut,
    summary="Read an assessment",
    openapi_extra=_with_etag(200),
)
def assessment_detail(request, response: HttpResponse, assessment_id: int = Path(..., **ID)):
    """An assessment with its ratings per dimension, its answer per criterion and the evidence
    linked to each. A draft is its author's alone; a submitted assessment reaches the managers
    in the chain, and a shared one the person too.

    The ETag header, `"<revision>.<state>"`, may be sent back in If-Match when saving or
    submitting."""
    return _detail(permissions.get_visible_assessment(request.user, assessment_id), response)


def _precondition_failed(assessment: Assessment) -> HttpResponse:
    return problems.problem(
        412,
        "The assessment changed since you read it: If-Match names none of its current ETag. "
        "Read it again.",
        current_revision=assessment.revision,
        etag=etag_of(assessment),
        headers={"ETag": etag_of(assessment)},
    )


def _matches(assessment: Assessment, if_match: str) -> bool:
    """RFC 9110's strong comparison: a weak tag never matches; `*` matches any assessment."""
    tags = parse_etags(if_match)
    return tags == ["*"] or etag_of(assessment) in tags


def _revision_sent(
    assessment: Assessment, revision: int | None, if_match: str | None, *, required: bool
) -> int | None:
    """The revision a write was based on: the body's, or the one If-Match names (after
    `_matches`); the two must agree when both are sent."""
    if if_match is not None and parse_etags(if_match) != ["*"]:
        if revision is not None and revision != assessment.revision:
            raise ValidationError(
                {
                    "revision": f"Revision {revision} disagrees with If-Match, which names "
                    f"revision {assessment.revision}: send one, or both alike."
                }
            )
        return assessment.revision
    if revision is None and required:
        raise ValidationError(
            {"revision": "Send the revision you read the draft at, or its ETag in If-Match."}
        )
    return revision


def _stale(detail: str, assessment_id: int) -> problems.Conflict:
    current = Assessment.objects.get(pk=assessment_id)
    return problems.Conflict(detail, current_revision=current.revision, etag=etag_of(current))


def _answers(assessment: Assessment, payload: AssessmentAnswers, *, replace: bool) -> dict:
    """`assessment_save`'s ratings and criteria: what was sent, over what the draft holds (a
    PATCH) or over blanks (a PUT). Refuses what names no dimension, criterion, evidence or
    point of the scale of this assessment, naming where it was sent."""
    errors: dict[str, str] = {}
    ratings = {r.dimension: None if replace else r.rating for r in assessment.ratings.all()}
    version = assessment.level.version
    rated: set[str] = set()
    for n, sent in enumerate(payload.ratings):
        where = f"ratings.{n}"
        if sent.dimension not in ratings:
            errors[f"{where}.dimension"] = (
                f"{sent.dimension!r} is not a dimension of this assessment: {', '.join(ratings)}."
            )
        elif sent.dimension in rated:
            errors[f"{where}.dimension"] = f"{sent.dimension} is rated twice."
        elif sent.rating is not None and not version.scale_min <= sent.rating <= version.scale_max:
            errors[f"{where}.rating"] = (
                f"{sent.rating} is not on the scale {version.scale_min} to {version.scale_max}."
            )
        else:
            ratings[sent.dimension] = sent.rating
        rated.add(sent.dimension)
    stored = {
        item.criterion_id: services.CriterionInput(
            status="" if replace else item.status,
            comment="" if replace else item.comment,
            evidence_ids=[] if replace else [e.pk for e in item.evidence.all()],
        )
        for item in assessment.criteria.all()
    }
    theirs = set()
    if any(sent.evidence for sent in payload.criteria):
        theirs = set(
            Evidence.objects.filter(person=assessment.person_id).values_list("pk", flat=True)
        )
    answered: set[int] = set()
    criteria = dict(stored)
    for n, sent in enumerate(payload.criteria):
        where = f"criteria.{n}"
        if sent.criterion not in stored:
            errors[f"{where}.criterion"] = (
                f"{sent.criterion} is not a criterion of this assessment."
            )
            continue
        if sent.criterion in answered:
            errors[f"{where}.criterion"] = f"Criterion {sent.criterion} is answered twice."
        answered.add(sent.criterion)
        if unknown := [pk for pk in sent.evidence if pk not in theirs]:
            errors[f"{where}.evidence"] = (
                f"{', '.join(map(str, unknown))}: not evidence of {assessment.person.name}."
            )
        base, given = stored[sent.criterion], sent.model_fields_set
        criteria[sent.criterion] = services.CriterionInput(
            status=sent.status if "status" in given else base.status,
            comment=sent.comment if "comment" in given else base.comment,
            evidence_ids=sent.evidence if "evidence" in given else base.evidence_ids,
        )
    if errors:
        raise ValidationError(errors)
    keep_summary = not replace and "summary" not in payload.model_fields_set
    return {
        "summary": assessment.summary if keep_summary else payload.summary,
        "ratings": ratings,
        "criteria": criteria,
    }


def _save(request, response, assessment_id, payload, if_match, *, replace: bool):
    # One save of an assessment at a time, as on the page: the row stays locked until the end.
    with transaction.atomic():
        assessment = permissions.get_assessment_for_saving(request.user, assessment_id)
        if if_match is not None and not _matches(assessment, if_match):
            return _precondition_failed(assessment)
        revision = _revision_sent(assessment, payload.revision, if_match, required=True)
        answers = _answers(assessment, payload, replace=replace)
        try:
            services.assessment_save(
                author=get_signed_in_person(request.user),
                assessment=assessment,
                revision=revision,
                **answers,
            )
        except services.StaleDraft as stale:
            raise _stale(" ".join(stale.messages), assessment.pk) from None
    return _detail(get_assessment(assessment.pk), response)


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag you read, `"<revision>.<state>"`: the write is refused with 412 '
        "if the assessment has changed since.",
    ),
]


@router.put(
    "/assessments/{assessment_id}/",
    response=AssessmentOut,
    summary="Save a draft assessment (all answers)",
    openapi_extra=_merged(_with_etag(200), STALE_ANSWERS),
)
def assessment_replace(
    request,
    response: HttpResponse,
    payload: AssessmentAnswers,
    assessment_id: int = Path(..., **ID),
    if_match: IfMatch = None,
):
    """Save a draft's answers as a whole: the summary, ratings and criteria left out are left
    blank. Send the `revision` you read it at, or its ETag in If-Match (or both, alike).

    Only the author saves, while a manager assessment's author is still the person's manager.
    A draft saved elsewhere since you read it answers 409 with its `current_revision` and
    changes nothing; so does one already submitted. A mismatched If-Match answers 412."""
    return _save(request, response, assessment_id, payload, if_match, replace=True)


@router.patch(
    "/assessments/{assessment_id}/",
    response=AssessmentOut,
    summary="Save some answers of a draft assessment",
    openapi_extra=_merged(_with_etag(200), STALE_ANSWERS),
)
def assessment_update(
    request,
    response: HttpResponse,
    payload: AssessmentAnswers,
    assessment_id: int = Path(..., **ID),
    if_match: IfMatch = None,
):
    """Save some of a draft's answers: the summary if sent, the ratings sent, and of each
    criterion sent the fields sent; the rest stays as it is. Send the `revision` you read it
    at, or its ETag in If-Match (or both, alike).

    A draft saved elsewhere since you read it answers 409 with its `current_revision` and
    changes nothing; so does one already submitted. A mismatched If-Match answers 412."""
    return _save(request, response, assessment_id, payload, if_match, replace=False)


@router.post(
    "/assessments/{assessment_id}/submit/",
    response=AssessmentOut,
    summary="Submit a draft assessment",
    openapi_extra=_merged(_with_etag(200), STALE_ANSWERS),
)
def assessment_submit(
    request,
    response: HttpResponse,
    assessment_id: int = Path(..., **ID),
    payload: Annotated[SubmitIn | None, Body()] = None,
    if_match: IfMatch = None,
):
    """Submit a draft: it can no longer change, and reaches the managers in the chain (a
    manager assessment) or waits to be shared (a self-assessment). Every dimension needs a
    rating and every criterion a status first (see `missing`); the submission is audited.

    With a `revision` or If-Match, a draft changed since you read it is refused (409 or 412),
    as the page refuses a confirmation of a draft changed after it was shown."""
    with transaction.atomic():
        assessment = permissions.get_assessment_for_saving(request.user, assessment_id)
        if if_match is not None and not _matches(assessment, if_match):
            return _precondition_failed(assessment)
        revision = payload.revision if payload else None
        revision = _revision_sent(assessment, revision, if_match, required=False)
        if not assessment.is_draft:
            raise _stale("This assessment was already submitted.", assessment.pk)
        if revision is not None and revision != assessment.revision:
            raise _stale(
                "This draft changed after you read it (another tab, window or client). Read "
                "it again, then submit.",
                assessment.pk,
            )
        services.assessment_submit(author=get_signed_in_person(request.user), assessment=assessment)
    return _detail(get_assessment(assessment.pk), response)


@router.post(
    "/assessments/{assessment_id}/share/",
    response=AssessmentOut,
    summary="Share a submitted assessment",
    openapi_extra=_merged(
        _with_etag(200),
        {"responses": {409: _problem_answer("A draft (submit it first), or shared already.")}},
    ),
)
def assessment_share(request, response: HttpResponse, assessment_id: int = Path(..., **ID)):
    """Share a submitted assessment you wrote: a self-assessment with your managers, a manager
    assessment with the person (who is told by email, and whose readiness it now decides).
    The sharing is audited. A draft, or one shared already, answers 409."""
    with transaction.atomic():
        assessment = permissions.get_assessment_for_saving(request.user, assessment_id)
        if assessment.state != Assessment.State.SUBMITTED:
            raise _stale(
                "Submit this draft before sharing it."
                if assessment.is_draft
                else "This assessment is shared already.",
                assessment.pk,
            )
        services.assessment_share(author=get_signed_in_person(request.user), assessment=assessment)
    return _detail(get_assessment(assessment.pk), response)


# -- growth plans ----------------------------------------------------------------------------


def _plan(person) -> dict:
    plan = plan_of(person)
    items = list(plan.items.all()) if plan else []
    progress = plan.progress() if plan else None
    return {
        "person": person,
        "target": level_ref(plan.target) if plan and plan.target else None,
        "generated_at": plan.generated_at if plan else None,
        "done": progress.done if progress else 0,
        "total": progress.total if progress else 0,
        "items": items,
    }


@router.get("/people/{person_id}/plan/", response=GrowthPlanOut, summary="Read a growth plan")
def plan_detail(request, person_id: int = Path(..., **ID)):
    """The person's growth plan: its target level and its items in order, each with its
    owner, due date and state. A person with no plan yet has an empty one."""
    return _plan(get_visible_person(request.user, person_id))


@router.post(
    "/people/{person_id}/plan/generate/",
    response=GrowthPlanOut,
    summary="Generate a growth plan",
)
def plan_generate(
    request,
    person_id: int = Path(..., **ID),
    payload: Annotated[PlanGenerateIn | None, Body()] = None,
):
    """Make the person's plan from the gaps of their latest shared manager assessment against
    `target` (by default their first next level) and their current level's Next Actions.
    Items someone changed are kept as they are. The person, their managers and admins may."""
    person = permissions.get_person_for_plan_editing(request.user, person_id)
    target = None
    if payload is not None and payload.target is not None:
        standing = standing_of(person, timezone.localdate())
        target = next((lv for lv in standing.next_levels if lv.code == payload.target), None)
        if target is None:
            codes = ", ".join(lv.code for lv in standing.next_levels) or "none"
            raise ValidationError(
                {"target": f"{person.name}'s next levels are {codes}, not {payload.target!r}."}
            )
    services.growth_plan_generate(by=request.user, person=person, target=target)
    return _plan(person)


@router.patch(
    "/people/{person_id}/plan/items/{item_id}/",
    response=GrowthItemOut,
    summary="Change a growth-plan item",
)
def plan_item_update(
    request,
    payload: GrowthItemPatch,
    person_id: int = Path(..., **ID),
    item_id: int = Path(..., **ID),
):
    """Change an item's owner (the person or one of their managers), due date or state; what
    is left out stays as it is. A changed item is kept when the plan is generated again."""
    person, item = permissions.get_growth_item_for_editing(request.user, person_id, item_id)
    sent = payload.model_fields_set
    owner = payload.owner if "owner" in sent else item.owner_id
    due = payload.due if "due" in sent else item.due
    form = GrowthItemForm(
        {
            "owner": "" if owner is None else str(owner),
            "due": due.isoformat() if due else "",
            "state": payload.state if "state" in sent else item.state,
        },
        item=item,
        owners=selectors.plan_owners(person),
    )
    if not form.is_valid():
        raise _refused(form)
    item = services.growth_item_update(item=item, **form.cleaned_data)
    return GrowthItem.objects.select_related("owner").get(pk=item.pk)
