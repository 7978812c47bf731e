"""What every insights page does first: whom it may count, which filters apply, and the context
`insights/_base.html` needs to draw the sub-navigation and the filter bar."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpResponse

from ladder.assessments.models import StoredReadiness, StoredStanding
from ladder.people.models import Person

from .csv import csv_refusal, wants_csv
from .filters import FIELDS, InsightsFilter
from .scope import Scope, scope_of

# The pages, in the sub-navigation's order: (url name, label).
PAGES = (
    ("levels", "Levels"),
    ("readiness", "Readiness"),
    ("time", "Time in level"),
    ("promotions", "Promotions"),
    ("gaps", "Gaps"),
)


@dataclass
class InsightsRequest:
    """A request to an insights page, read: its scope, its filters (valid or not), and the
    context the base template draws from."""

    scope: Scope
    filters: InsightsFilter
    context: dict

    @property
    def valid(self) -> bool:
        return self.filters.is_valid()

    def people(self) -> QuerySet[Person]:
        """The people in scope that the filters keep (level and track: their current level)."""
        return Person.objects.filter(self.scope.q(), self.filters.q())

    def standings(self) -> QuerySet[StoredStanding]:
        """The stored standings of the people in view who have a level."""
        return StoredStanding.objects.filter(
            self.scope.q("person__"),
            self.filters.q(person="person__", level="current__"),
            current__isnull=False,
        )

    def readiness(self, today, *, first_only: bool = True) -> QuerySet[StoredReadiness]:
        """The stored readiness of the people in view who have a level, with `verdict_now` as
        of `today`: for the first next level only (position 0) unless `first_only` is False."""
        rows = StoredReadiness.objects.as_of(today).filter(
            self.scope.q("person__"),
            self.filters.q(person="person__"),
            person__stored_standing__current__isnull=False,
        )
        return rows.filter(position=0) if first_only else rows

    def refusal(self) -> HttpResponse:
        """The answer to a CSV asked for with filters that name nothing."""
        return csv_refusal(self.filters.error_text())


def read_request(request, page: str) -> InsightsRequest:
    """Scope (Http404 for one who may not see insights) and filters of `request`, and the base
    template's context for `page` (one of PAGES' url names)."""
    scope = scope_of(request)
    filters = InsightsFilter(request.GET, scope=scope)
    filters.is_valid()
    filter_query = filter_query_of(request)
    context = {
        "scope": scope,
        "filters": filters,
        "filters_used": bool(filter_query),
        "team_suggestions": filters.team_suggestions(),
        "insights_page": page,
        "insights_pages": PAGES,
        # The filters alone, for links to the other pages and to the downloads.
        "filter_query": filter_query,
    }
    return InsightsRequest(scope=scope, filters=filters, context=context)


def filter_query_of(request) -> str:
    """The request's filters as a query string (empty ones left out)."""
    query = request.GET.copy()
    for key in list(query):
        if key not in FIELDS or not query.get(key, "").strip():
            query.pop(key)
    return query.urlencode()


def query_without(request, *params: str) -> str:
    """The request's query string without `params`, for a link to another page of a list."""
    query = request.GET.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()


def csv_wanted(request) -> str | None:
    """The table whose CSV is asked for (`?format=csv&table=...`), "" for the page's first, or
    None when the page itself is."""
    if not wants_csv(request):
        return None
    return request.GET.get("table", "")
