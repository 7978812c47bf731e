"""Review cycle pages: the list, creating and editing a cycle, moving it forward, adding a late
joiner, the progress page (and its CSV), and choosing a task's target."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ladder import collector
from ladder.people.csv_rows import neutralised

from .. import permissions
from ..cycle_forms import AddPersonForm, CommitteeForm, CycleForm, ProgressFilter, TargetForm
from ..cycles import (
    NEXT_STAGE,
    cycle_add_person,
    cycle_advance,
    cycle_create,
    cycle_set_committee,
    cycle_update,
    member_set_target,
)
from ..models import ReviewCycle
from ..selectors import CycleProgress, cycle_progress, member_counts, members_of

Stage = ReviewCycle.Stage
ROWS_PER_PAGE = 50

# What moving on does, said beside the button that does it.
ADVANCE = {
    Stage.OPEN: (
        "Open the cycle",
        "Opening fixes who is in it, gives each of them a task against their next level and "
        "emails them. It cannot be undone.",
    ),
    Stage.CALIBRATION: (
        "Start calibration",
        "Calibration fixes every target; the committee compares the assessments and decides "
        "the cases. It cannot be undone.",
    ),
    Stage.CLOSED: (
        "Close the cycle",
        "Closing ends the round: its tasks leave people's pages and no one more can be added. "
        "It cannot be undone.",
    ),
}


def nav_context(request):
    """The "Cycles" link, for those who may see a cycle: two small queries at most."""
    return {"nav_cycles": permissions.may_view_any_cycle(request.user)}


@login_required
@require_safe
def cycle_list(request):
    cycles = (
        permissions.get_visible_cycles(request.user)
        .select_related("ladder")
        .annotate(people=Count("members"))
    )
    may_manage = permissions.may_manage_cycles(request.user)
    return render(
        request, "promotions/cycle_list.html", {"cycles": cycles, "may_manage": may_manage}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cycle_new(request):
    permissions.require_cycle_manager(request.user)
    form = CycleForm(request.POST or None, initial={"scope": ReviewCycle.Scope.EVERYONE})
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{cycle.name} is saved as a draft.")
            return redirect("promotions:cycle", pk=cycle.pk)
    return render(request, "promotions/cycle_form.html", {"form": form, "cycle": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cycle_edit(request, pk):
    cycle = permissions.get_cycle_for_managing(request.user, pk)
    if cycle.stage == Stage.CLOSED:
        messages.error(request, f"{cycle.name} is closed: it can no longer change.")
        return redirect("promotions:cycle", pk=cycle.pk)
    is_draft = cycle.stage == Stage.DRAFT
    form_class = CycleForm if is_draft else CommitteeForm
    form = form_class(request.POST or None, initial=CycleForm.initial_of(cycle))
    if request.method == "POST" and not is_draft and "name" in request.POST:
        # The draft's whole form, sent after someone opened the cycle: nothing of it is saved.
        form = CommitteeForm(initial=CycleForm.initial_of(cycle))
        messages.error(request, f"{cycle.name} opened meanwhile: only its committee can change.")
    elif request.method == "POST" and form.is_valid():
        try:
            if is_draft:
                cycle_update(by=request.user, cycle=cycle, **form.cleaned_data)
            else:
                cycle_set_committee(by=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{cycle.name} is saved.")
            return redirect("promotions:cycle", pk=cycle.pk)
    return render(request, "promotions/cycle_form.html", {"form": form, "cycle": cycle})


@login_required
@require_safe
def cycle_detail(request, pk):
    cycle = permissions.get_visible_cycle(request.user, pk)
    within = permissions.get_cycle_scope(request.user, cycle)
    may_manage = permissions.may_manage_cycles(request.user)
    following = NEXT_STAGE.get(cycle.stage)
    context = {
        "cycle": cycle,
        "counts": member_counts(cycle, within=within),
        "whole": within is None,
        "teams": cycle.teams.all(),
        "may_manage": may_manage,
        "may_calibrate": permissions.may_calibrate(request.user, cycle),
        "next_stage": following if may_manage else None,
        "advance": ADVANCE.get(following) if may_manage else None,
        "add_form": AddPersonForm() if may_manage and cycle.is_running else None,
    }
    return render(request, "promotions/cycle_detail.html", context)


@login_required
@require_POST
def cycle_advance_view(request, pk):
    cycle = permissions.get_cycle_for_managing(request.user, pk)
    try:
        # The page always says which stage it asks for: a form without it moves nothing.
        to_stage = request.POST.get("to", "")
        if not to_stage:
            raise ValidationError("Say which stage the cycle moves to: nothing changed.")
        cycle = cycle_advance(by=request.user, cycle=cycle, to_stage=to_stage)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        said = f"{cycle.name} is now {cycle.get_stage_display().lower()}."
        if cycle.stage == Stage.OPEN:
            count = cycle.members.count()
            said += f" {count} {'person has' if count == 1 else 'people have'} a task."
        messages.success(request, said)
    return redirect("promotions:cycle", pk=cycle.pk)


@login_required
@require_POST
def cycle_add_person_view(request, pk):
    cycle = permissions.get_cycle_for_managing(request.user, pk)
    form = AddPersonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
        return redirect("promotions:cycle", pk=cycle.pk)
    try:
        member = cycle_add_person(by=request.user, cycle=cycle, person=form.cleaned_data["email"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{member.person.name} is in {cycle.name}, against {member.target.code}."
        )
    return redirect("promotions:cycle", pk=cycle.pk)


@login_required
@require_safe
@collector.paused()
def progress(request, pk):
    cycle = permissions.get_visible_cycle(request.user, pk)
    within = permissions.get_cycle_scope(request.user, cycle)
    filters = ProgressFilter(request.GET, within=within)
    members = members_of(cycle, within=within)
    members = filters.apply(members) if filters.is_valid() else members.none()
    today = timezone.localdate()
    result = cycle_progress(cycle, members, today)
    if request.GET.get("format") == "csv":
        return _progress_csv(cycle, result)
    managers = Paginator(result.managers, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    overdue = Paginator(result.overdue, ROWS_PER_PAGE).get_page(request.GET.get("overdue"))
    context = {
        "cycle": cycle,
        "whole": within is None,
        "filters": filters,
        "progress": result,
        "managers": managers,
        "overdue": overdue,
        "query": _query_without(request, "page", "format"),
        "overdue_query": _query_without(request, "overdue", "format"),
        "csv_query": _query_without(request, "page", "overdue", "format"),
    }
    return render(request, "promotions/progress.html", context)


CSV_COLUMNS = [
    "name",
    "email",
    "team",
    "manager",
    "manager_email",
    "target",
    "self_assessment",
    "manager_assessment",
    "overdue",
]


def _progress_csv(cycle: ReviewCycle, result: CycleProgress) -> HttpResponse:
    out = io.StringIO()
    # CSV's own line ends (RFC 4180), as the people export writes them.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.tasks:
        member, person = row.member, row.member.person
        late = [role for role, is_late in (("self", row.self_overdue), ("manager", row.manager_overdue)) if is_late]  # fmt: skip
        cells = [
            person.name,
            person.email,
            person.team_name,
            member.manager.name if member.manager else "",
            member.manager.email if member.manager else "",
            member.target.code if member.target else "",
            row.self_progress.value,
            row.manager_progress.value,
            " and ".join(late),
        ]
        # Names and teams are typed by people: a cell a spreadsheet would run is shown as text.
        writer.writerow([neutralised(cell) for cell in cells])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-progress.csv"'
    return response


def _query_without(request, *params: str) -> str:
    """The request's query string without `params`, for links that keep the filters."""
    query = request.GET.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()


@login_required
@require_POST
def task_target(request, pk, member):
    member = permissions.get_member_for_target(request.user, pk, member)
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the levels offered as the target.")
        return redirect("people:person", pk=member.person_id)
    try:
        member = member_set_target(
            by_user=request.user, member=member, level=form.cleaned_data["level"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{member.person.name} is assessed against {member.target.code} in "
            f"{member.cycle.name}.",
        )  # fmt: skip
    return redirect("people:person", pk=member.person_id)


urlpatterns = [
    path("cycles/", cycle_list, name="cycles"),
    path("cycles/new/", cycle_new, name="cycle-new"),
    path("cycles/<int:pk>/", cycle_detail, name="cycle"),
    path("cycles/<int:pk>/edit/", cycle_edit, name="cycle-edit"),
    path("cycles/<int:pk>/advance/", cycle_advance_view, name="cycle-advance"),
    path("cycles/<int:pk>/people/", cycle_add_person_view, name="cycle-add-person"),
    path("cycles/<int:pk>/progress/", progress, name="progress"),
    path("cycles/<int:pk>/members/<int:member>/target/", task_target, name="task-target"),
]
