"""A manager's reports and each one's readiness for every next level, with the counts of the whole
subtree by verdict; filtered and sorted in SQL over the stored readiness."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ladder.people.models import Person

from .. import permissions
from ..filters import ReportsFilter, parse_sort
from ..selectors import REPORT_SORTS, report_counts, report_rows

PER_PAGE = 50
# The sortable columns, in the table's order, as (sort key, heading).
SORTABLE = {"name": "Name", "level": "Level", "time": "Time in level", "verdict": "Readiness"}


@login_required
@require_safe
def reports(request):
    me = permissions.get_manager(request.user)
    today = timezone.localdate()
    sort, descending = parse_sort(request.GET.get("sort", ""))
    if sort not in REPORT_SORTS:
        sort, descending = "name", False
    form = ReportsFilter(request.GET, reports=Person.objects.reports_of(me))
    valid = form.is_valid()
    if valid:
        page, rows = report_rows(
            me,
            today,
            sort=sort,
            descending=descending,
            filters=form.filters(),
            page=request.GET.get("page"),
            per_page=PER_PAGE,
        )
    else:
        page, rows = Paginator([], PER_PAGE).get_page(1), []
    counts = report_counts(me, today)
    chosen = form.cleaned_data.get("verdict", "") if valid else ""
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "counts": counts,
        "count_links": _count_links(request, counts, chosen),
        "filtered": valid and any(request.GET.get(name) for name in form.fields),
        "sort": f"{'-' if descending else ''}{sort}",
        "query": _query_without(request, "page"),
        "columns": _columns(request, sort, descending),
        "stale_months": settings.ASSESSMENT_STALE_MONTHS,
    }
    return render(request, "assessments/reports.html", context, status=200 if valid else 400)


def _query_without(request, *params: str) -> str:
    """The request's query string without `params`, for links that keep the filters."""
    query = request.GET.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()


def _count_links(request, counts, chosen: str) -> list[dict]:
    """Each verdict's count, linked to the list of those people (in the current order)."""
    links = []
    for one in counts.verdicts:
        query = request.GET.copy()
        for param in ("page", *ReportsFilter.base_fields):
            query.pop(param, None)
        query["verdict"] = one.verdict.value
        links.append(
            {
                "verdict": one.verdict.value,
                "label": one.label,
                "count": one.count,
                "href": f"?{query.urlencode()}",
                "current": one.verdict.value == chosen,
            }
        )
    return links


def _columns(request, sort: str, descending: bool) -> dict[str, dict]:
    """Each sortable column's link (the same filters, from the first page) and aria-sort: a
    click on the sorted column turns it round."""
    columns = {}
    for key, heading in SORTABLE.items():
        active = key == sort
        query = request.GET.copy()
        for param in ("page", "sort"):
            query.pop(param, None)
        query["sort"] = f"-{key}" if active and not descending else key
        columns[key] = {
            "heading": heading,
            "href": f"?{query.urlencode()}",
            "aria_sort": ("descending" if descending else "ascending") if active else "",
        }
    return columns
