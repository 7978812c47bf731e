"""The calibration page of a cycle, and rating adjustments."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from ladder import collector
from ladder.assessments.adjustments import assessment_adjust
from ladder.assessments.models import Status
from ladder.frameworks.ladder_data import CRITERIA_SECTIONS

from .. import permissions
from ..calibration_rows import (
    VERDICT_LABELS,
    CycleCalibration,
    Sort,
    calibration_csv,
    calibration_of,
    filtered,
    sorted_rows,
)

PER_PAGE = 50
MANAGERS_PER_PAGE = 25
SORT_LABELS = {
    Sort.NAME: "Name",
    Sort.MANAGER: "Manager",
    Sort.LEVEL: "Level",
    Sort.VERDICT: "Verdict",
    Sort.OFFSET: "Mean offset",
}


FILTERS = ("manager", "team", "level", "verdict")


class CalibrationFilter(forms.Form):
    """Which people the table shows, and in what order; the choices are those the cycle has."""

    manager = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    team = forms.ChoiceField(required=False)
    level = forms.ChoiceField(required=False)
    verdict = forms.ChoiceField(required=False)

    def __init__(self, *args, result: CycleCalibration, **kwargs):
        super().__init__(*args, **kwargs)
        choices = result.choices
        self.fields["manager"].choices = [("", "All managers"), *choices.managers]
        self.fields["team"].choices = [("", "All teams"), *choices.teams]
        self.fields["level"].choices = [("", "All levels"), *choices.levels]
        self.fields["verdict"].choices = [("", "All verdicts"), *VERDICT_LABELS.items()]

    def selects(self) -> list[dict]:
        """Each filter as the page draws it, its options already HTML: a cycle of 10,000 people
        has some 1,250 managers and as many teams, whose options a template loop draws in some
        60 ms and one join here in a tenth of that."""
        self.is_valid()
        chosen = {name: str(self.cleaned_data.get(name) or "") for name in FILTERS}
        return [
            {
                "name": name,
                "label": self.fields[name].label or name.capitalize(),
                "options": _options(self.fields[name].choices, chosen[name]),
            }
            for name in FILTERS
        ]

    def choices(self) -> dict:
        """The valid choices; a value that is not one of them is left out, not an error page."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "manager": data.get("manager"),
            "team": data.get("team") or "",
            "level": data.get("level") or "",
            "verdict": data.get("verdict") or "",
        }


def _options(choices, chosen: str) -> str:
    """The options of a select, each value and label escaped."""
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


@login_required
@require_safe
@collector.paused()
def calibration_page(request, pk):
    cycle = permissions.get_cycle_for_calibration(request.user, pk)
    result = calibration_of(cycle, today=timezone.localdate())
    form = CalibrationFilter(request.GET, result=result)
    sort = _sort(request)
    rows = sorted_rows(filtered(result.rows, **form.choices()), sort)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            calibration_csv(result, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="calibration-{cycle.pk}.csv"'
        return response
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    managers = Paginator(result.managers, MANAGERS_PER_PAGE).get_page(request.GET.get("managers"))
    context = {
        "cycle": cycle,
        "result": result,
        "selects": form.selects(),
        "sort": sort,
        "page": page,
        "rows": page.object_list,
        "total": len(rows),
        "managers": managers,
        "query": _query_without(request, "page", "format"),
        "managers_query": _query_without(request, "managers", "format"),
        "sorts": _sort_links(request, sort),
        "may_adjust": permissions.may_adjust_ratings(request.user, cycle),
    }
    return render(request, "promotions/calibration.html", context)


def _query_without(request, *params: str) -> str:
    query = request.GET.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()


def _sort(request) -> str:
    """The order asked for, or by name when none (or an unknown one) is."""
    sort = request.GET.get("sort", "")
    known = {key.value for key in Sort}
    return sort if sort.removeprefix("-") in known else Sort.NAME.value


def _sort_links(request, current: str) -> dict[str, dict]:
    """Each sortable column's link (the same filters; the other direction when it is the
    current order) and its aria-sort state."""
    links = {}
    for key in Sort:
        query = request.GET.copy()
        for param in ("page", "format"):
            query.pop(param, None)
        ascending, descending = current == key.value, current == f"-{key}"
        query["sort"] = f"-{key}" if ascending else key.value
        links[key.value] = {
            "label": SORT_LABELS[key],
            "query": query.urlencode(),
            "state": "ascending" if ascending else "descending" if descending else "",
        }
    return links


# -- adjusting a manager assessment ----------------------------------------------------------


class AdjustForm(forms.Form):
    """The ratings and statuses of a shared manager assessment, as they stand, and why they
    change."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "aria-describedby": "reason-help"}),
        help_text="Required: what the committee saw that the ratings did not show.",
    )

    def __init__(self, *args, assessment, expected: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        version = assessment.level.version
        scale = [
            (str(value), str(value)) for value in range(version.scale_min, version.scale_max + 1)
        ]
        self.dimensions = []
        for row in assessment.ratings.all():
            name = f"rating-{row.position}"
            self.fields[name] = forms.ChoiceField(
                label=row.dimension,
                choices=scale if row.rating is not None else [("", "Not rated"), *scale],
                initial="" if row.rating is None else str(row.rating),
                required=row.rating is not None,
            )
            self.dimensions.append((name, row, expected.get(row.dimension)))
        self.criteria = []
        for item in assessment.criteria.all():
            name = f"status-{item.criterion_id}"
            self.fields[name] = forms.ChoiceField(
                label=item.criterion.text,
                choices=([] if item.status else [("", "Not rated")]) + list(Status.choices),
                initial=item.status,
                required=bool(item.status),
            )
            self.criteria.append((name, item))

    def rating_fields(self):
        return [(self[name], row, expected) for name, row, expected in self.dimensions]

    def sections(self):
        """The criteria fields by section, in the ladder's order."""
        return [
            (
                heading,
                [
                    (self[name], item)
                    for name, item in self.criteria
                    if item.criterion.section == section
                ],
            )
            for section, heading in CRITERIA_SECTIONS.items()
        ]

    def changes(self) -> tuple[dict[str, int], dict[int, str]]:
        data = self.cleaned_data
        ratings = {
            row.dimension: int(data[name]) for name, row, _ in self.dimensions if data.get(name)
        }
        statuses = {item.criterion_id: data[name] for name, item in self.criteria if data.get(name)}
        return ratings, statuses


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def adjust(request, pk, assessment):
    cycle, assessment = permissions.get_assessment_for_adjusting(request.user, pk, assessment)
    expected = assessment.level.expected_ratings.by_dimension()
    form = AdjustForm(request.POST or None, assessment=assessment, expected=expected)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ratings, statuses = form.changes()
            try:
                adjusted = assessment_adjust(
                    by=request.user,
                    assessment=assessment,
                    ratings=ratings,
                    statuses=statuses,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"{assessment.person.name}'s ratings against {assessment.level.code} are "
                    f"adjusted; readiness now reads the adjusted assessment (#{adjusted.pk}).",
                )
                return redirect("promotions:calibration", pk=cycle.pk)
        status = 400
    context = {"cycle": cycle, "assessment": assessment, "form": form}
    return render(request, "promotions/adjust.html", context, status=status)


urlpatterns = [
    path("cycles/<int:pk>/calibration/", calibration_page, name="calibration"),
    path(
        "cycles/<int:pk>/calibration/assessments/<int:assessment>/adjust/",
        adjust,
        name="adjust",
    ),
]
