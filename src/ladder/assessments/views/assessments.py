"""Assessment pages: the list of a person's assessments, starting one, the assessment itself
(read, draft, submit), sharing it, and self and manager side by side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ladder.frameworks.ladder_data import CRITERIA_SECTIONS
from ladder.people.permissions import get_signed_in_person, get_visible_person

from .. import permissions, services
from ..forms import AssessmentAnswersForm, ConfirmSubmitForm, StartAssessmentForm
from ..models import Assessment, Evidence, Status
from ..selectors import latest_shared, standing_of

# The sections a person is assessed on, in the ladder's order, as (section, heading).
SECTIONS = list(CRITERIA_SECTIONS.items())


@login_required
@require_safe
def assessment_list(request, pk):
    person = get_visible_person(request.user, pk)
    standing = standing_of(person, timezone.localdate())
    levels = standing.assessable_levels()
    visible = [
        a
        for a in Assessment.objects.for_person(person).select_related("level", "author", "person")
        if permissions.may_view_assessment(request.user, a)
    ]
    starts = [
        (role, label, StartAssessmentForm(levels=levels, prefix=role))
        for role, label in Assessment.Role.choices
        if levels and permissions.may_assess(request.user, person, role)
    ]
    context = {"person": person, "assessments": visible, "starts": starts, "standing": standing}
    return render(request, "assessments/list.html", context)


@login_required
@require_POST
def assessment_start(request, pk):
    role = request.POST.get("role", "")
    person = permissions.get_person_for_assessing(request.user, pk, role)
    levels = standing_of(person, timezone.localdate()).assessable_levels()
    form = StartAssessmentForm(request.POST, levels=levels, prefix=role)
    if not form.is_valid():
        messages.error(request, "Choose a level to assess against.")
        return redirect("assessments:list", pk=person.pk)
    try:
        assessment = services.assessment_start(
            author=get_signed_in_person(request.user),
            person=person,
            level=form.cleaned_data["level"],
            role=role,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:list", pk=person.pk)
    return redirect("assessments:detail", pk=assessment.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_detail(request, pk):
    if request.method == "POST":
        # One save of an assessment at a time: a double-click's second request waits for the
        # first and then sees what it did, instead of racing it.
        with transaction.atomic():
            assessment = permissions.get_assessment_for_saving(request.user, pk)
            return _save_detail(request, assessment)
    assessment = permissions.get_visible_assessment(request.user, pk)
    editable = permissions.may_edit_assessment(request.user, assessment)
    confirming = editable and request.GET.get("confirm") == "submit"
    return _render_detail(request, assessment, editable=editable, confirming=confirming)


def _save_detail(request, assessment):
    if not assessment.is_draft:
        # The same form sent twice (a double-click on Submit): the first one won.
        messages.info(request, "This assessment was already submitted; it can no longer change.")
        return redirect("assessments:detail", pk=assessment.pk)
    if "confirm" in request.POST:
        return _confirm_submit(request, assessment)
    form = AssessmentAnswersForm(request.POST, assessment=assessment)
    if not form.is_valid():
        return HttpResponseBadRequest("A rating or evidence id is not a number.")
    typed = form.answers()
    me = get_signed_in_person(request.user)
    try:
        assessment = services.assessment_save(author=me, assessment=assessment, **typed)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        status = 409 if isinstance(error, services.StaleDraft) else 400
        return _render_detail(request, assessment, editable=True, typed=typed, status=status)
    if "submit" in request.POST:
        if missing := services.missing_answers(assessment):
            # The draft is saved; only the submission waits for the missing answers.
            messages.error(
                request,
                f"Draft saved, not submitted. Before submitting, give {' and '.join(missing)}.",
            )
            return redirect("assessments:detail", pk=assessment.pk)
        # Submitting cannot be undone, so the answers, now saved, are shown once more with a
        # second button: the submission itself is the next request.
        return redirect(f"{reverse('assessments:detail', args=[assessment.pk])}?confirm=submit")
    messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}.")
    return redirect("assessments:detail", pk=assessment.pk)


def _confirm_submit(request, assessment):
    """The second step of submitting: the draft as saved, if it is still what was shown."""
    form = ConfirmSubmitForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("The revision is missing or not a number.")
    if form.cleaned_data["revision"] != assessment.revision:
        messages.error(
            request,
            "This draft changed after it was shown to you for submitting (another tab or "
            "window). Look it over again, then submit.",
        )
        return redirect(f"{reverse('assessments:detail', args=[assessment.pk])}?confirm=submit")
    me = get_signed_in_person(request.user)
    try:
        services.assessment_submit(author=me, assessment=assessment)
    except ValidationError as error:
        messages.error(request, "Not submitted. " + " ".join(error.messages))
        return redirect("assessments:detail", pk=assessment.pk)
    messages.success(request, "Submitted. It can no longer change; share it when you are ready.")
    return redirect("assessments:detail", pk=assessment.pk)


def _render_detail(request, assessment, *, editable, confirming=False, typed=None, status=200):
    """The assessment page; `typed` holds answers a refused save keeps in the form, and
    `confirming` shows a draft's saved answers to submit them."""
    evidence = list(Evidence.objects.filter(person=assessment.person).prefetch_related("criteria"))
    by_text: dict[str, list[Evidence]] = {}
    for entry in evidence:
        for criterion in entry.criteria.all():
            by_text.setdefault(criterion.text, []).append(entry)
    own = _self_assessment_beside(request.user, assessment) if editable else None
    # Matched by text and dimension name, as the side-by-side page does: the self-assessment
    # may rest on another version of the ladder.
    own_criteria = {c.criterion.text: c for c in own.criteria.all()} if own else {}
    own_ratings = own.ratings.by_dimension() if own else {}
    version = assessment.level.version
    expected = assessment.level.expected_ratings.by_dimension()
    groups = []
    for section, label in SECTIONS:
        rows = []
        for item in assessment.criteria.all():
            if item.criterion.section != section:
                continue
            answer = typed["criteria"][item.criterion_id] if typed else None
            rows.append(
                {
                    "item": item,
                    "status": answer.status if answer else item.status,
                    "comment": answer.comment if answer else item.comment,
                    "linked": set(answer.evidence_ids)
                    if answer
                    else {e.pk for e in item.evidence.all()},
                    "evidence": by_text.get(item.criterion.text, []),
                    "own": own_criteria.get(item.criterion.text),
                }
            )
        groups.append((section, label, rows))
    ratings = [
        {
            "row": r,
            "value": typed["ratings"].get(r.dimension) if typed else r.rating,
            "expected": expected.get(r.dimension),
            "own": own_ratings.get(r.dimension),
        }
        for r in assessment.ratings.all()
    ]
    context = {
        "assessment": assessment,
        "person": assessment.person,
        "editable": editable and not confirming,
        "confirming": confirming,
        "groups": groups,
        "ratings": ratings,
        "scale": list(range(version.scale_min, version.scale_max + 1)),
        "statuses": Status.choices,
        "summary": typed["summary"] if typed else assessment.summary,
        "may_share": permissions.may_share_assessment(request.user, assessment),
        "missing": services.missing_answers(assessment) if editable else [],
        # Only a manager's draft shows the self-assessment: None there means there is none.
        "beside": editable and assessment.role == Assessment.Role.MANAGER,
        "own": own,
    }
    return render(request, "assessments/detail.html", context, status=status)


def _self_assessment_beside(user, assessment):
    """The person's latest shared self-assessment against the level of a manager's draft, for
    the manager writing it; None for a self-assessment or when there is none."""
    if assessment.role != Assessment.Role.MANAGER:
        return None
    own = latest_shared(assessment.person, assessment.level, Assessment.Role.SELF)
    return own if own and permissions.may_view_assessment(user, own) else None


@login_required
@require_POST
def assessment_share(request, pk):
    assessment = permissions.get_visible_assessment(request.user, pk)
    try:
        services.assessment_share(author=get_signed_in_person(request.user), assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        whom = (
            "your managers" if assessment.role == Assessment.Role.SELF else assessment.person.name
        )
        messages.success(request, f"Shared with {whom}.")
    return redirect("assessments:detail", pk=assessment.pk)


@login_required
@require_safe
def side_by_side(request, pk):
    person = get_visible_person(request.user, pk)
    levels = standing_of(person, timezone.localdate()).assessable_levels()
    level = next((lv for lv in levels if lv.code == request.GET.get("level")), None)
    pairs = []
    for candidate in [level] if level else levels:
        own = latest_shared(person, candidate, Assessment.Role.SELF)
        manager = latest_shared(person, candidate, Assessment.Role.MANAGER)
        if (
            own
            and manager
            and permissions.may_view_assessment(request.user, manager)
            and permissions.may_view_assessment(request.user, own)
        ):
            pairs.append((candidate, own, manager))
    if not pairs:
        return render(request, "assessments/side_by_side.html", {"person": person, "rows": None})
    target, own, manager = pairs[0]
    own_by_text = {c.criterion.text: c for c in own.criteria.all()}
    rows = []
    for item in manager.criteria.all():
        mine = own_by_text.get(item.criterion.text)
        rows.append(
            {
                "criterion": item.criterion,
                "self": mine,
                "manager": item,
                "differs": not mine or mine.status != item.status,
            }
        )
    own_ratings = own.ratings.by_dimension()
    ratings = [
        {
            "dimension": r.dimension,
            "self": own_ratings.get(r.dimension),
            "manager": r.rating,
            "differs": own_ratings.get(r.dimension) != r.rating,
        }
        for r in manager.ratings.all()
    ]
    context = {
        "person": person,
        "target": target,
        "own": own,
        "manager": manager,
        "rows": rows,
        "ratings": ratings,
        "differences": sum(r["differs"] for r in rows) + sum(r["differs"] for r in ratings),
    }
    return render(request, "assessments/side_by_side.html", context)
