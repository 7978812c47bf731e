"""Evidence and growth-plan pages of a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ladder.frameworks.models import Criterion
from ladder.people.permissions import get_signed_in_person, get_visible_person

from .. import permissions, selectors, services
from ..forms import EvidenceForm, GrowthItemForm
from ..models import Evidence, PlanProgress
from ..selectors import plan_of, standing_of


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evidence(request, pk):
    if request.method == "POST":
        person = permissions.get_person_for_adding_evidence(request.user, pk)
    else:
        person = get_visible_person(request.user, pk)
    levels = standing_of(person, timezone.localdate()).assessable_levels()
    criteria = (
        Criterion.objects.filter(level__in=levels)
        .select_related("level")
        .order_by("level__number", "level__position", "position")
    )
    form = EvidenceForm(
        request.POST or None, criteria=criteria, initial={"happened_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(
                added_by=get_signed_in_person(request.user), person=person, **form.cleaned_data
            )
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
    context = {
        "person": person,
        "entries": entries,
        "form": form,
        "may_add": permissions.may_add_evidence(request.user, person),
    }
    return render(request, "assessments/evidence.html", context)


@login_required
@require_safe
def plan(request, pk):
    person = get_visible_person(request.user, pk)
    plan = plan_of(person)
    owners = selectors.plan_owners(person)
    forms = [
        (item, GrowthItemForm(item=item, owners=owners, prefix=f"item-{item.pk}"))
        for item in (plan.items.all() if plan else [])
    ]
    progress = plan.progress() if plan else PlanProgress(done=0, total=0)
    context = {
        "person": person,
        "plan": plan,
        "forms": forms,
        "may_edit": permissions.may_edit_plan(request.user, person),
        "done": progress.done,
        "percent": progress.percent,
    }
    return render(request, "assessments/plan.html", context)


@login_required
@require_POST
def plan_generate(request, pk):
    person = permissions.get_person_for_plan_editing(request.user, pk)
    target = None
    if code := request.POST.get("target"):
        # An unknown code falls back to the first next level, as the person page does.
        target = standing_of(person, timezone.localdate()).next_level(code)
    services.growth_plan_generate(by=request.user, person=person, target=target)
    messages.success(
        request, "Growth plan made from the latest gaps and Next Actions; edited items were kept."
    )
    return redirect("assessments:plan", pk=person.pk)


@login_required
@require_POST
def plan_item(request, pk, item):
    person, item = permissions.get_growth_item_for_editing(request.user, pk, item)
    form = GrowthItemForm(
        request.POST, item=item, owners=selectors.plan_owners(person), prefix=f"item-{item.pk}"
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
