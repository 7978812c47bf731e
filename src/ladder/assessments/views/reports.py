"""A manager's reports and each one's readiness for every next level."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import permissions
from ..selectors import REPORT_SORTS, report_rows

# The sortable columns, in the table's order, as (sort key, heading).
SORTABLE = {"name": "Name", "level": "Level", "time": "Time in level", "verdict": "Readiness"}


@login_required
@require_safe
def reports(request):
    me = permissions.get_manager(request.user)
    asked = request.GET.get("sort", "")
    sort, descending = asked.removeprefix("-"), asked.startswith("-")
    if sort not in REPORT_SORTS:
        sort, descending = "name", False
    page, rows = report_rows(
        me, timezone.localdate(), sort=sort, descending=descending, page=request.GET.get("page")
    )
    context = {
        "rows": rows,
        "page": page,
        "query": f"sort={'-' if descending else ''}{sort}",
        "columns": _columns(sort, descending),
        "stale_months": settings.ASSESSMENT_STALE_MONTHS,
    }
    return render(request, "assessments/reports.html", context)


def _columns(sort: str, descending: bool) -> dict[str, dict]:
    """Each sortable column's link and aria-sort: a click on the sorted column turns it round."""
    columns = {}
    for key, heading in SORTABLE.items():
        active = key == sort
        columns[key] = {
            "heading": heading,
            "href": f"?sort={'-' if active and not descending else ''}{key}",
            "aria_sort": ("descending" if descending else "ascending") if active else "",
        }
    return columns
