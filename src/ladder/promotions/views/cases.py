"""Promotion case pages: the list, opening a case, the packet, its PDF, notes and decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from ladder.assessments.readiness import format_date
from ladder.assessments.selectors import readiness_of, standing_of
from ladder.people.permissions import get_signed_in_person

from .. import cases, permissions
from ..case_forms import CaseFilter, CaseForm, DecideForm, NoteForm
from ..models import CycleMember, PromotionCase, ReviewCycle
from ..packet import packet_of

CASES_PER_PAGE = 50
GET_POST = ["GET", "HEAD", "POST"]


@login_required
@require_safe
def case_list(request):
    visible = permissions.visible_cases(request.user)
    cycles = list(ReviewCycle.objects.filter(pk__in=visible.values("cycle")).order_by("name"))
    form = CaseFilter(request.GET or None, cycles=cycles)
    found = form.apply(visible).select_related(
        "person", "person__team", "cycle", "from_level", "to_level"
    )
    page = Paginator(found.order_by("-created_at", "-pk"), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    chosen = form.chosen_cycle()
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # The committee and admins may download every case of the cycle shown.
        "cycle_pdf": chosen if permissions.may_see_whole_cycle(request.user, chosen) else None,
    }
    return render(request, "promotions/case_list.html", context)


def _show(form, error: ValidationError) -> None:
    """A service's refusal on the form: beside the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _form_context(person, *, data=None, initial=None, with_cycles=True):
    """The case form for `person`: their next levels, each with its readiness verdict."""
    today = timezone.localdate()
    standing = standing_of(person, today)
    readiness = {
        level.pk: readiness_of(person, standing, level, today)[0] for level in standing.next_levels
    }
    cycles = None
    if with_cycles:
        cycles = list(
            ReviewCycle.objects.running()
            .filter(pk__in=CycleMember.objects.filter(person=person).values("cycle"))
            .order_by("-opened_at", "-pk")
        )
    form = CaseForm(
        data, initial=initial, levels=standing.next_levels, readiness=readiness, cycles=cycles
    )
    verdicts = [
        (level, readiness[level.pk], readiness[level.pk].manager_summary)
        for level in standing.next_levels
    ]
    return form, {"standing": standing, "verdicts": verdicts}


@login_required
@require_http_methods(GET_POST)
def case_new(request, pk):
    person = permissions.get_person_for_case(request.user, pk)
    open_case = PromotionCase.objects.open().filter(person=person).first()
    form, context = _form_context(person, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.case_open(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            messages.success(request, "Case opened as a draft. Submit it when it is ready.")
            return redirect("promotions:case", pk=case.pk)
    if request.method == "POST":
        status = 400
    context.update({"person": person, "form": form, "open_case": open_case})
    return render(request, "promotions/case_form.html", context, status=status)


@login_required
@require_safe
def case_detail(request, pk):
    case = permissions.get_visible_case(request.user, pk)
    readable = permissions.may_read_case(request.user, case)
    context = {
        "case": case,
        "packet": packet_of(case) if readable else None,
        "may_edit": permissions.may_edit_case(request.user, case),
        "may_note": permissions.may_note_case(request.user, case),
        "may_decide": permissions.may_decide_case(request.user, case),
        "note_form": NoteForm(),
    }
    return render(request, "promotions/case.html", context)


@login_required
@require_http_methods(GET_POST)
def case_edit(request, pk):
    case = permissions.get_case_for_editing(request.user, pk)
    if case.state != PromotionCase.State.DRAFT:
        messages.info(
            request, f"This case is {case.get_state_display().lower()}: it can no longer change."
        )
        return redirect("promotions:case", pk=case.pk)
    initial = {
        "to_level": str(case.to_level_id),
        "recommendation": case.recommendation,
        "justification": case.justification,
    }
    data = request.POST if request.method == "POST" else None
    form, context = _form_context(case.person, data=data, initial=initial, with_cycles=False)
    if request.method == "POST" and form.is_valid():
        try:
            cases.case_update(by=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("promotions:case", pk=case.pk)
    context.update({"person": case.person, "form": form, "case": case})
    status = 400 if request.method == "POST" else 200
    return render(request, "promotions/case_form.html", context, status=status)


@login_required
@require_http_methods(GET_POST)
def case_submit(request, pk):
    case = permissions.get_case_for_editing(request.user, pk)
    if request.method == "POST":
        try:
            cases.case_submit(by=request.user, case=case)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Submitted for decision. It can no longer be edited.")
        return redirect("promotions:case", pk=case.pk)
    if case.state != PromotionCase.State.DRAFT:
        messages.info(request, f"This case is already {case.get_state_display().lower()}.")
        return redirect("promotions:case", pk=case.pk)
    return render(request, "promotions/case_submit.html", {"case": case})


@login_required
@require_http_methods(GET_POST)
def case_note(request, pk):
    case = permissions.get_case_for_noting(request.user, pk)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cases.case_note_add(
                by_person=get_signed_in_person(request.user), case=case, **form.cleaned_data
            )
        except ValidationError as error:
            _show(form, error)
        else:
            noted = "Endorsement" if form.cleaned_data["kind"] == "endorsement" else "Comment"
            messages.success(request, f"{noted} added to the case.")
            return redirect("promotions:case", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "case": case,
        "form": form,
        "may_note": permissions.may_note_case(request.user, case),
    }
    return render(request, "promotions/case_note.html", context, status=status)


@login_required
@require_http_methods(GET_POST)
def case_decide(request, pk):
    case = permissions.get_case_for_deciding(request.user, pk)
    if case.is_decided:
        messages.info(request, cases.decided_message(case))
        return redirect("promotions:case", pk=case.pk)
    if case.state == PromotionCase.State.DRAFT:
        messages.info(request, "This case is still a draft: it is decided once submitted.")
        return redirect("promotions:case", pk=case.pk)
    form = DecideForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.case_decide(by=request.user, case=case, **form.cleaned_data)
        except cases.CaseAlreadyDecided as error:
            # Decided in another tab or by someone else meanwhile: say so, change nothing.
            messages.info(request, " ".join(error.messages))
            return redirect("promotions:case", pk=case.pk)
        except ValidationError as error:
            _show(form, error)
        else:
            messages.success(request, _decided(case))
            return redirect("promotions:case", pk=case.pk)
    context = {"case": case, "form": form, "packet": packet_of(case)}
    status = 400 if request.method == "POST" else 200
    return render(request, "promotions/case_decide.html", context, status=status)


def _decided(case: PromotionCase) -> str:
    if case.state == PromotionCase.State.APPROVED:
        return (
            f"Approved: {case.person.name} is {case.to_level.code} from "
            f"{format_date(case.effective_on)}. They and their manager are told."
        )
    return f"{case.get_state_display()}. {case.person.name} and their manager are told."


def packets_pdf(packets, *, title: str) -> bytes:
    # WeasyPrint takes about two seconds to import: only a request for a PDF pays for it, not
    # every process that loads the URLs.
    from ..pdf import packets_pdf as render

    return render(packets, title=title)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_safe
def case_pdf(request, pk):
    case = permissions.get_readable_case(request.user, pk)
    title = f"Promotion case of {case.person.name}, {case.from_level.code} to {case.to_level.code}"
    content = packets_pdf([packet_of(case)], title=title)
    return _pdf_response(content, f"case-{case.pk}-{slugify(case.person.name) or 'person'}.pdf")


@login_required
@require_safe
def cycle_cases_pdf(request, pk):
    cycle = permissions.get_cycle_for_case_packets(request.user, pk)
    found = (
        permissions.readable_cases_of_cycle(request.user, cycle)
        .select_related(
            "person", "person__manager", "person__team", "cycle", "from_level", "to_level"
        )
        .order_by("person__name", "pk")
    )
    content = packets_pdf(
        [packet_of(case) for case in found], title=f"Promotion cases, {cycle.name}"
    )
    return _pdf_response(content, f"cases-{slugify(cycle.name) or cycle.pk}.pdf")


urlpatterns = [
    path("cases/", case_list, name="cases"),
    path("people/<int:pk>/cases/new/", case_new, name="case-new"),
    path("cases/<int:pk>/", case_detail, name="case"),
    path("cases/<int:pk>/edit/", case_edit, name="case-edit"),
    path("cases/<int:pk>/submit/", case_submit, name="case-submit"),
    path("cases/<int:pk>/note/", case_note, name="case-note"),
    path("cases/<int:pk>/decide/", case_decide, name="case-decide"),
    path("cases/<int:pk>/packet.pdf", case_pdf, name="case-pdf"),
    path("cycles/<int:pk>/cases.pdf", cycle_cases_pdf, name="cycle-cases-pdf"),
]
