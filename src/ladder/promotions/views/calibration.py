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
VERDICTS = list(VERDICT_LABELS.items())


class CalibrationFilter(forms.Form):
    """Which people the table shows, and in what order; the choices are those the cycle has.

    A cycle of 10,000 people has some 1,250 managers and as many teams: a value is checked
    against the cycle's own (a set), and each select's options are drawn once for a reading of
    the cycle (see `_options`), not handed to a ChoiceField that would copy them on every
    request."""

    manager = forms.IntegerField(required=False)
    team = forms.CharField(required=False)
    level = forms.CharField(required=False)
    verdict = forms.ChoiceField(required=False, choices=[("", ""), *VERDICTS])

    def __init__(self, *args, result: CycleCalibration, **kwargs):
        super().__init__(*args, **kwargs)
        choices = result.choices
        # Each filter's label for "any", and its choices (kept with the calibration).
        self.offered = {
            "manager": ("All managers", choices.managers),
            "team": ("All teams", choices.teams),
            "level": ("All levels", choices.levels),
            "verdict": ("All verdicts", VERDICTS),
        }
        self.known = {
            name: {value for value, _ in offered} for name, (_, offered) in self.offered.items()
        }

    def _offered(self, name: str):
        value = self.cleaned_data.get(name)
        return value if value in self.known[name] else None

    def clean_manager(self):
        return self._offered("manager")

    def clean_team(self):
        return self._offered("team")

    def clean_level(self):
        return self._offered("level")

    def selects(self) -> list[dict]:
        """Each filter as the page draws it, its options already HTML (a template loop draws
        2,500 options in some 60 ms, a join here in a tenth of that)."""
        self.is_valid()
        chosen = {name: str(self.cleaned_data.get(name) or "") for name in FILTERS}
        return [
            {
                "name": name,
                "label": self.fields[name].label or name.capitalize(),
                "options": _options(*self.offered[name], chosen[name]),
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


def _options(anyone: str, choices: list[tuple], chosen: str) -> str:
    """The options of a select, "any" first, each value and label escaped; the chosen one
    selected."""
    return mark_safe(
        f'<option value=""{"" if chosen else " selected"}>{escape(anyone)}</option>'
        + "".join(
            f'<option value="{value}" selected>{label}</option>' if raw == chosen else html
            for raw, value, label, html in _drawn(choices)
        )
    )


# The options drawn for the last few lists of choices, each kept with its list, so that a
# cycle read again (whose choices are kept with its calibration) draws them once.
_DRAWN: dict[int, tuple[list, list[tuple[str, str, str, str]]]] = {}


def _drawn(choices: list[tuple]) -> list[tuple[str, str, str, str]]:
    kept = _DRAWN.get(id(choices))
    if kept is not None and kept[0] is choices:
        return kept[1]
    drawn = []
    for value, label in choices:
        shown, named = escape(value), escape(label)
        drawn.append((str(value), shown, named, f'<option value="{shown}">{named}</option>'))
    if len(_DRAWN) > 32:
        _DRAWN.clear()
    _DRAWN[id(choices)] = (choices, drawn)
    return drawn


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
