"""Assessment, evidence and growth-plan pages: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ladder.frameworks.charts import MIN_DIMENSIONS, Shape, radar_svg
from ladder.frameworks.models import Criterion, Level
from ladder.people import permissions
from ladder.people.models import Person

from . import services
from .forms import EvidenceForm, GrowthItemForm, StartAssessmentForm
from .models import Assessment, Evidence, GrowthItem, GrowthPlan, Status
from .selectors import (
    latest_shared,
    readiness_of,
    readiness_of_many,
    standing_of,
    standings_of,
    with_details,
)


def _me(request) -> Person:
    me = permissions.person_of(request.user)
    if me is None:
        raise Http404("Not found")
    return me


def _target(standing, code: str | None) -> Level | None:
    for level in standing.next_levels:
        if level.code == code:
            return level
    return standing.next_levels[0] if standing.next_levels else None


def person_panel(request, person: Person) -> dict:
    """Readiness, chart and growth plan for the person page."""
    today = timezone.localdate()
    standing = standing_of(person, today)
    target = _target(standing, request.GET.get("target"))
    context = {"standing": standing, "target": target}
    if target is None:
        return context
    readiness, manager = readiness_of(person, standing, target, today)
    own = latest_shared(person, target, Assessment.Role.SELF)
    shapes = [Shape(f"{target.code} expected", _expected(target), "b")]
    if standing.current is not None:
        shapes.insert(
            0,
            Shape(f"{standing.current.code} expected (current)", _expected(standing.current), "a"),
        )
    if own:
        shapes.append(Shape("Self rating", {r.dimension: r.rating for r in own.ratings.all()}, "c"))
    if manager:
        shapes.append(
            Shape("Manager rating", {r.dimension: r.rating for r in manager.ratings.all()}, "d")
        )
    version = target.version
    chart = ""
    if len(version.dimensions) >= MIN_DIMENSIONS:
        chart = radar_svg(
            version.dimensions, shapes, scale_min=version.scale_min, scale_max=version.scale_max,
            title=f"{person.name} against {target.code}",
        )  # fmt: skip
    plan = GrowthPlan.objects.filter(person=person).first()
    items = list(plan.items.select_related("owner")) if plan else []
    done = sum(item.state == GrowthItem.State.DONE for item in items)
    context.update(
        readiness=readiness,
        manager_assessment=manager,
        self_assessment=own,
        chart=chart,
        plan=plan,
        plan_items=items,
        plan_done=done,
        plan_percent=round(100 * done / len(items)) if items else 0,
        may_edit_plan=permissions.may_edit_plan(request.user, person),
    )
    return context


def _expected(level: Level) -> dict[str, int]:
    return {r.dimension: r.rating for r in level.expected_ratings.all()}


# -- assessments -----------------------------------------------------------------------------


@login_required
@require_safe
def assessment_list(request, pk):
    person = permissions.get_visible_person(request.user, pk)
    today = timezone.localdate()
    standing = standing_of(person, today)
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
    person = permissions.get_visible_person(request.user, pk)
    role = request.POST.get("role", "")
    if role not in Assessment.Role.values or not permissions.may_assess(request.user, person, role):
        raise Http404("Not found")
    standing = standing_of(person, timezone.localdate())
    levels = standing.assessable_levels()
    form = StartAssessmentForm(request.POST, levels=levels, prefix=role)
    if not form.is_valid():
        messages.error(request, "Choose a level to assess against.")
        return redirect("assessments:list", pk=person.pk)
    try:
        assessment = services.assessment_start(
            author=_me(request),
            person=person,
            level=form.cleaned_data["level"],
            role=role,
            standing=standing,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:list", pk=person.pk)
    return redirect("assessments:detail", pk=assessment.pk)


SECTIONS = [
    (Criterion.Section.RESPONSIBILITIES, "Responsibilities"),
    (Criterion.Section.SKILLS, "Skills and Criteria"),
    (Criterion.Section.SOFT_SKILLS, "Soft Skills and Collaboration"),
]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_detail(request, pk):
    assessment = permissions.get_visible_assessment(request.user, pk)
    if request.method == "POST":
        # One save of an assessment at a time: a double-click's second request waits for the
        # first and then sees what it did, instead of racing it.
        with transaction.atomic():
            Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
            return _save_detail(request, assessment)
    assessment = with_details(Assessment.objects.filter(pk=assessment.pk)).get()
    return _render_detail(
        request, assessment, editable=permissions.may_edit_assessment(request.user, assessment)
    )


def _save_detail(request, assessment):
    assessment = with_details(Assessment.objects.filter(pk=assessment.pk)).get()
    if not permissions.may_edit_assessment(request.user, assessment):
        me = permissions.person_of(request.user)
        if me is not None and assessment.author_id == me.pk and not assessment.is_draft:
            # The same form sent twice (a double-click on Submit): the first one won.
            messages.info(
                request, "This assessment was already submitted; it can no longer change."
            )
            return redirect("assessments:detail", pk=assessment.pk)
        raise Http404("Not found")
    posted = _posted(request, assessment)
    if posted is None:
        return HttpResponseBadRequest("A rating or evidence id is not a number.")
    me = _me(request)
    try:
        assessment = services.assessment_save(author=me, **posted)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        status = 409 if isinstance(error, services.StaleDraft) else 400
        return _render_detail(request, assessment, editable=True, posted=posted, status=status)
    if "submit" in request.POST:
        try:
            assessment = services.assessment_submit(author=me, assessment=assessment)
        except ValidationError as error:
            # The draft is saved; only the submission waits for the missing answers.
            messages.error(request, "Draft saved, not submitted. " + " ".join(error.messages))
            return redirect("assessments:detail", pk=assessment.pk)
    if assessment.state == Assessment.State.SUBMITTED:
        messages.success(
            request, "Submitted. It can no longer change; share it when you are ready."
        )
    else:
        messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}.")
    return redirect("assessments:detail", pk=assessment.pk)


def _number(value: str | None) -> int | None:
    """An integer typed in a form, or None; raises ValueError on anything else."""
    if value is None or value.strip() == "":
        return None
    if not value.isascii():
        raise ValueError(value)
    return int(value)


def _posted(request, assessment) -> dict | None:
    try:
        return _read_posted(request, assessment)
    except ValueError:
        return None


def _read_posted(request, assessment) -> dict:
    rating = _number

    criteria = {
        item.criterion_id: services.CriterionInput(
            status=request.POST.get(f"status-{item.criterion_id}", ""),
            comment=request.POST.get(f"comment-{item.criterion_id}", ""),
            evidence_ids=[
                _number(v) for v in request.POST.getlist(f"evidence-{item.criterion_id}")
            ],
        )
        for item in assessment.criteria.all()
    }
    return {
        "assessment": assessment,
        "revision": rating(request.POST.get("revision")) or 0,
        "summary": request.POST.get("summary", ""),
        "ratings": {
            r.dimension: rating(request.POST.get(f"rating-{r.position}"))
            for r in assessment.ratings.all()
        },
        "criteria": criteria,
    }


def _render_detail(request, assessment, *, editable, posted=None, status=200):
    evidence = list(Evidence.objects.filter(person=assessment.person).prefetch_related("criteria"))
    by_text: dict[str, list[Evidence]] = {}
    for entry in evidence:
        for criterion in entry.criteria.all():
            by_text.setdefault(criterion.text, []).append(entry)
    version = assessment.level.version
    scale = list(range(version.scale_min, version.scale_max + 1))
    expected = {r.dimension: r.rating for r in assessment.level.expected_ratings.all()}
    groups = []
    for section, label in SECTIONS:
        rows = []
        for item in assessment.criteria.all():
            if item.criterion.section != section:
                continue
            typed = posted["criteria"][item.criterion_id] if posted else None
            rows.append(
                {
                    "item": item,
                    "status": typed.status if typed else item.status,
                    "comment": typed.comment if typed else item.comment,
                    "linked": set(typed.evidence_ids)
                    if typed
                    else {e.pk for e in item.evidence.all()},
                    "evidence": by_text.get(item.criterion.text, []),
                }
            )
        groups.append((section, label, rows))
    ratings = [
        {
            "row": r,
            "value": posted["ratings"].get(r.dimension) if posted else r.rating,
            "expected": expected.get(r.dimension),
        }
        for r in assessment.ratings.all()
    ]
    context = {
        "assessment": assessment,
        "person": assessment.person,
        "editable": editable,
        "groups": groups,
        "ratings": ratings,
        "scale": scale,
        "statuses": Status.choices,
        "summary": posted["summary"] if posted else assessment.summary,
        "may_share": assessment.state == Assessment.State.SUBMITTED
        and assessment.author_id == getattr(permissions.person_of(request.user), "pk", None),
        "missing": services.missing_answers(assessment) if editable else [],
    }
    return render(request, "assessments/detail.html", context, status=status)


@login_required
@require_POST
def assessment_share(request, pk):
    assessment = permissions.get_visible_assessment(request.user, pk)
    try:
        services.assessment_share(author=_me(request), assessment=assessment)
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
    person = permissions.get_visible_person(request.user, pk)
    standing = standing_of(person, timezone.localdate())
    levels = standing.assessable_levels()
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
    own_ratings = {r.dimension: r.rating for r in own.ratings.all()}
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


# -- evidence -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evidence(request, pk):
    person = permissions.get_visible_person(request.user, pk)
    standing = standing_of(person, timezone.localdate())
    levels = standing.assessable_levels()
    criteria = (
        Criterion.objects.filter(level__in=levels)
        .select_related("level")
        .order_by("level__number", "level__position", "position")
    )
    may_add = permissions.may_add_evidence(request.user, person)
    form = EvidenceForm(
        request.POST or None, criteria=criteria, initial={"happened_on": timezone.localdate()}
    )
    if request.method == "POST":
        if not may_add:
            raise Http404("Not found")
        if form.is_valid():
            try:
                services.evidence_add(added_by=_me(request), person=person, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Evidence added.")
                return redirect("assessments:evidence", pk=person.pk)
    entries = (
        Evidence.objects.filter(person=person)
        .select_related("added_by")
        .prefetch_related("criteria__level")
    )
    return render(
        request,
        "assessments/evidence.html",
        {"person": person, "entries": entries, "form": form, "may_add": may_add},
    )


# -- growth plans ---------------------------------------------------------------------------


@login_required
@require_safe
def plan(request, pk):
    person = permissions.get_visible_person(request.user, pk)
    may_edit = permissions.may_edit_plan(request.user, person)
    plan = GrowthPlan.objects.filter(person=person).select_related("target").first()
    items = list(plan.items.select_related("owner")) if plan else []
    owners = _plan_owners(person)
    forms = [
        (item, GrowthItemForm(item=item, owners=owners, prefix=f"item-{item.pk}")) for item in items
    ]
    done = sum(item.state == GrowthItem.State.DONE for item in items)
    context = {
        "person": person, "plan": plan, "forms": forms, "may_edit": may_edit, "done": done,
        "percent": round(100 * done / len(items)) if items else 0,
    }  # fmt: skip
    return render(request, "assessments/plan.html", context)


def _plan_owners(person: Person) -> dict[int, Person]:
    """Who may own an item of a person's plan: the person and their managers."""
    people = Person.objects.filter(Q(pk=person.pk) | Q(pk__in=person.chain_ids())).order_by("name")
    return {p.pk: p for p in people}


@login_required
@require_POST
def plan_generate(request, pk):
    person = permissions.get_visible_person(request.user, pk)
    if not permissions.may_edit_plan(request.user, person):
        raise Http404("Not found")
    today = timezone.localdate()
    standing = standing_of(person, today)
    target = _target(standing, request.POST.get("target"))
    readiness, assessment = (
        readiness_of(person, standing, target, today) if target else (None, None)
    )
    services.growth_plan_generate(
        by=request.user,
        person=person,
        standing=standing,
        target=target,
        readiness=readiness,
        assessment=assessment,
    )
    messages.success(
        request, "Growth plan made from the latest gaps and Next Actions; edited items were kept."
    )
    return redirect("assessments:plan", pk=person.pk)


@login_required
@require_POST
def plan_item(request, pk, item):
    person = permissions.get_visible_person(request.user, pk)
    if not permissions.may_edit_plan(request.user, person):
        raise Http404("Not found")
    item = get_object_or_404(GrowthItem, pk=item, plan__person=person)
    form = GrowthItemForm(
        request.POST, item=item, owners=_plan_owners(person), prefix=f"item-{item.pk}"
    )
    if form.is_valid():
        services.growth_item_update(item=item, **form.cleaned_data)
        messages.success(request, f"Updated “{item.title[:60]}”.")
    else:
        messages.error(
            request,
            "That item could not be saved: "
            + "; ".join(e for errs in form.errors.values() for e in errs),
        )
    return redirect("assessments:plan", pk=person.pk)


# -- a manager's reports ---------------------------------------------------------------------


@login_required
@require_safe
def reports(request):
    me = _me(request)
    today = timezone.localdate()
    reports = Person.objects.reports_of(me).select_related("team").order_by("name", "pk")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    people = list(page.object_list)
    if not people:
        raise Http404("Not found")
    # Only this page's people are judged, so a large organisation costs no more per page.
    standings = standings_of(people, today)
    verdicts = readiness_of_many(people, standings, today)
    rows = [
        {
            "person": person,
            "standing": standings[person.pk],
            "target": verdicts[person.pk][0],
            "readiness": verdicts[person.pk][1],
            "direct": person.manager_id == me.pk,
        }
        for person in people
    ]
    return render(request, "assessments/reports.html", {"rows": rows, "page": page, "query": ""})
