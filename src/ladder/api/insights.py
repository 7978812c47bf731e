"""API: the insights pages' summaries, read-only: headcount by level and track, the readiness
funnel, and promotions with the decisions of review cycles.

Each answers what its page shows, for the same scope (insights/scope.py): an admin the whole
organisation, a manager everyone below them, anyone else 404. The filters are the pages'
(team by name, track, manager by email, level by code); one that names nothing in view is a
422 naming it. Mounted under /insights/ by the promotions router."""

import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as SchemaError

from ladder.insights.filters import InsightsFilter
from ladder.insights.levels import headcount, history
from ladder.insights.pages import InsightsRequest
from ladder.insights.promotions import promotions_report
from ladder.insights.readiness import STAGES, by_level, by_team, eligible_months
from ladder.insights.scope import scope_of

router = Router(tags=["insights"])


class InsightsFilters(Schema):
    team: str | None = Field(None, max_length=100, description="A team, by name.")
    track: str | None = Field(None, max_length=100, description="A track of a ladder in use.")
    manager: str | None = Field(
        None, max_length=254, description="Only the people below this manager, by email."
    )
    level: str | None = Field(None, max_length=32, description="A level, by code.")


def _view(request, filters: InsightsFilters) -> InsightsRequest:
    """The scope of the token's owner (404 for one who may not see insights) and the pages'
    filters, checked: a filter naming nothing in view is a 422 naming it."""
    scope = scope_of(request)
    data = {name: value or "" for name, value in filters.dict().items()}
    checked = InsightsFilter(data, scope=scope)
    if not checked.is_valid():
        raise SchemaError(
            [
                {"loc": ("query", field), "msg": " ".join(messages)}
                for field, messages in checked.errors.items()
            ]
        )
    return InsightsRequest(scope=scope, filters=checked, context={})


class InsightsScope(Schema):
    whole: bool = Field(description="True for the whole organisation (an admin's view).")
    label: str = Field(description='Whom the figures count: "the whole organisation", ...')


def _scope(view: InsightsRequest) -> dict:
    return {"whole": view.scope.is_admin, "label": view.scope.label}


# -- levels ---------------------------------------------------------------------------------------


class InsightsLevelName(Schema):
    code: str
    title: str


class InsightsLevelRow(Schema):
    number: int
    levels: list[InsightsLevelName] = Field(description="The levels of that number, by code.")
    people: dict[str, int] = Field(description="People at that number, by track.")
    total: int


class InsightsHistoryRow(Schema):
    day: datetime.date
    label: str
    people: dict[str, int] = Field(description="People with a level on that day, by track.")
    total: int
    change: int | None = Field(description="Against the row before; null for the first.")


class InsightsLevels(Schema):
    scope: InsightsScope
    tracks: list[str]
    levels: list[InsightsLevelRow]
    people: dict[str, int] = Field(description="People with a level, by track.")
    total: int
    without_level: int | None = Field(
        description="People in view with no level yet; null when a level or track filter is used."
    )
    history: list[InsightsHistoryRow] = Field(
        description="Headcount at the end of each of the last four quarters, and today."
    )


def _by_track(tracks, counts) -> dict[str, int]:
    return dict(zip(tracks, counts, strict=True))


@router.get("/levels/", response=InsightsLevels, summary="Headcount by level and track")
def levels(request, filters: Query[InsightsFilters]):
    """The Levels insights page: people by the number of their level and its track, and how
    many held a level at the end of each of the last four quarters."""
    view = _view(request, filters)
    counts, past = headcount(view), history(view, timezone.localdate())
    return {
        "scope": _scope(view),
        "tracks": list(counts.tracks),
        "levels": [
            {
                "number": row.number,
                "levels": [{"code": code, "title": title} for code, title in row.levels],
                "people": _by_track(counts.tracks, row.counts),
                "total": row.total,
            }
            for row in counts.rows
        ],
        "people": _by_track(counts.tracks, counts.track_totals),
        "total": counts.total,
        "without_level": counts.without_level,
        "history": [
            {
                "day": row.day,
                "label": row.label,
                "people": _by_track(past.tracks, row.counts),
                "total": row.total,
                "change": row.change,
            }
            for row in past.rows
        ],
    }


# -- readiness ------------------------------------------------------------------------------------


class InsightsVerdictCounts(Schema):
    ready: int
    eligible_from: int = Field(description="Eligible later: everything but time in level met.")
    not_yet: int
    not_assessed: int
    no_next: int = Field(description="At the top of their track: no next level.")


class InsightsFunnelRow(Schema):
    label: str
    people: InsightsVerdictCounts
    total: int


class InsightsEligibleMonth(Schema):
    month: str = Field(description="YYYY-MM", pattern=r"^\d{4}-\d{2}$")
    people: int


class InsightsReadiness(Schema):
    scope: InsightsScope
    people: InsightsVerdictCounts = Field(description="Everyone in view with a level.")
    total: int
    by_level: list[InsightsFunnelRow] = Field(description="By current level, lowest first.")
    by_team: list[InsightsFunnelRow] = Field(description="By team, by name; no team last.")
    eligible: list[InsightsEligibleMonth] = Field(
        description="People eligible later, by the month they become eligible."
    )


def _verdicts(counts) -> dict[str, int]:
    return {key: count for (key, _, _), count in zip(STAGES, counts, strict=True)}


def _funnel_rows(funnel) -> list[dict]:
    return [
        {"label": row.label, "people": _verdicts(row.counts), "total": row.total}
        for row in funnel.rows
    ]


@router.get("/readiness/", response=InsightsReadiness, summary="The readiness funnel")
def readiness(request, filters: Query[InsightsFilters]):
    """The Readiness insights page: how many people are ready for their next level, eligible
    later, not yet ready or not assessed, by level and by team, as stored and read today; and
    when those eligible later become eligible."""
    view = _view(request, filters)
    today = timezone.localdate()
    levels_funnel = by_level(view, today)
    return {
        "scope": _scope(view),
        "people": _verdicts(levels_funnel.totals),
        "total": levels_funnel.total,
        "by_level": _funnel_rows(levels_funnel),
        "by_team": _funnel_rows(by_team(view, today)),
        "eligible": [
            {"month": row.month.strftime("%Y-%m"), "people": row.people}
            for row in eligible_months(view, today)
        ],
    }


# -- promotions -----------------------------------------------------------------------------------


class InsightsPromotionCount(Schema):
    label: str
    promotions: int
    timed: int = Field(description="Promotions of people a shared assessment judged ready before.")
    median_months: float | None = Field(description="Median months from first judged ready.")


class InsightsCycleDecisions(Schema):
    cycle: int | None = Field(description="The cycle's id; null for off-cycle cases.")
    name: str
    effective_on: datetime.date | None
    approved: int
    declined: int
    deferred: int
    open: int = Field(description="Cases not decided yet.")
    approved_percent: int | None = Field(description="Approved of those decided, in percent.")


class InsightsPromotions(Schema):
    scope: InsightsScope
    total: InsightsPromotionCount
    by_quarter: list[InsightsPromotionCount] = Field(description="The last four quarters.")
    by_level: list[InsightsPromotionCount] = Field(description="By the level promoted to.")
    by_team: list[InsightsPromotionCount]
    cycles: list[InsightsCycleDecisions] = Field(
        description="The decisions of each cycle taking effect in those quarters."
    )


@router.get("/promotions/", response=InsightsPromotions, summary="Promotions and decisions")
def promotions(request, filters: Query[InsightsFilters]):
    """The Promotions insights page: promotions in the last four quarters by quarter, by the
    level promoted to and by team, with the wait from first being judged ready; and the
    decisions of the review cycles (and off-cycle cases) of those quarters."""
    view = _view(request, filters)
    report = promotions_report(scope=view.scope, filters=view.filters)
    return {
        "scope": _scope(view),
        "total": report.total,
        "by_quarter": report.by_quarter,
        "by_level": report.by_level,
        "by_team": report.by_team,
        "cycles": [
            {
                "cycle": row.cycle_id,
                "name": row.name,
                "effective_on": row.effective_on,
                "approved": row.approved,
                "declined": row.declined,
                "deferred": row.deferred,
                "open": row.open,
                "approved_percent": row.approved_percent,
            }
            for row in report.cycles
        ],
    }
