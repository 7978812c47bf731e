"""The people directory: everyone the user may look up, with their level, time in it, readiness
for each next level and last assessment; filtered, sorted and counted in SQL over the stored
readiness, a page at a time, or all of it as CSV.

It lives here rather than in the people app because readiness is this app's: people sits below
assessments and never imports it.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ladder.people import permissions
from ladder.people.csv_rows import neutralised
from ladder.people.forms import new_people

from .. import people_readiness as stored
from ..filters import SORT_WORDS, DirectoryReadinessFilter
from ..readiness import is_stale

PER_PAGE = 50
# The sortable columns, as (sort key, heading).
HEADINGS = {
    "name": "Name",
    "level": "Level",
    "time": "Time in level",
    "verdict": "Readiness",
    "assessed": "Last assessed",
}
CSV_COLUMNS = [
    "name",
    "email",
    "team",
    "level",
    "level_title",
    "time_in_level",
    "months_in_level",
    "readiness",
    "last_assessed",
    "manager",
]


@login_required
@require_safe
def directory(request):
    permissions.require_directory(request.user)
    visible = permissions.visible_people(request.user)
    admin = permissions.is_admin(request.user)
    today = timezone.localdate()
    form = DirectoryReadinessFilter(request.GET or None, people=visible, admin=admin)
    valid = not form.is_bound or form.is_valid()
    if request.GET.get("format") == "csv":
        if not valid:
            return HttpResponse(_errors(form), status=400, content_type="text/plain; charset=utf-8")
        return _csv(form.people(visible, today), today)

    people = form.people(visible, today) if valid else visible.none()
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _shown(list(page.object_list), today)
    sort, descending = form.order()
    query = _query_without(request, "page", "format")
    context = {
        "form": form,
        "page": page,
        "query": query,
        "csv_query": f"{query}&format=csv" if query else "format=csv",
        "total": page.paginator.count,
        "columns": _columns(request, sort, descending),
        "order_words": SORT_WORDS[sort][descending],
        "stale_months": settings.ASSESSMENT_STALE_MONTHS,
    }
    if admin:
        context["new_count"] = new_people(visible).count()
        shown = [person.pk for person in page.object_list]
        context["new_ids"] = set(
            new_people(visible).filter(pk__in=shown).values_list("pk", flat=True)
        )
    return render(request, "assessments/directory.html", context, status=200 if valid else 400)


def _shown(people: list, today) -> list:
    """The page's people, each with `tenure`, `next_verdicts` and `assessed_stale`: one query."""
    months = settings.ASSESSMENT_STALE_MONTHS
    verdicts = stored.next_verdicts(people, today, stale_months=months)
    for person in people:
        person.tenure = stored.time_in_level(person.level_since, today)
        person.next_verdicts = verdicts.get(person.pk, [])
        last = person.last_assessed_on
        person.assessed_stale = last is not None and is_stale(last, today, months)
    return people


def _query_without(request, *params: str) -> str:
    """The request's query string without `params`, for links that keep the filters."""
    query = request.GET.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()


def _columns(request, sort: str, descending: bool) -> dict[str, dict]:
    """Each sortable column's link (the same filters, from the first page; the other direction
    when it is the current order) and its aria-sort."""
    columns = {}
    for key, heading in HEADINGS.items():
        active = key == sort
        query = request.GET.copy()
        for param in ("page", "format", "sort"):
            query.pop(param, None)
        query["sort"] = f"-{key}" if active and not descending else key
        columns[key] = {
            "heading": heading,
            "href": f"?{query.urlencode()}",
            "aria_sort": ("descending" if descending else "ascending") if active else "",
        }
    return columns


def _errors(form) -> str:
    return "\n".join(
        f"{form.fields[field].label if field in form.fields else 'Filters'}: {message}"
        for field, messages in form.errors.items()
        for message in messages
    )


def _csv(people, today) -> HttpResponse:
    """Every person the filters give, in the page's order and with its cells, not one page:
    two queries, whatever their number."""
    verdicts = stored.next_verdicts(people, today, stale_months=settings.ASSESSMENT_STALE_MONTHS)
    out = io.StringIO()
    # CSV's own line ends (RFC 4180), as the people export writes them.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for person in people.iterator(chunk_size=2000):
        tenure = stored.time_in_level(person.level_since, today)
        cells = [
            person.name,
            person.email,
            person.team.name if person.team else "",
            person.level_code or "",
            person.level_title or "",
            tenure.words if tenure else "",
            str(tenure.months) if tenure else "",
            "; ".join(verdict.words for verdict in verdicts.get(person.pk, [])),
            person.last_assessed_on.isoformat() if person.last_assessed_on else "",
            person.manager.name if person.manager else "",
        ]
        # Names and teams are typed by people: a cell a spreadsheet would run is shown as text.
        writer.writerow([neutralised(cell) for cell in cells])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-directory.csv"'
    return response
