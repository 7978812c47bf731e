"""The Readiness page: the funnel from not assessed to ready, by level and by team, when those
eligible later become eligible, and who has not been assessed for a long time."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ladder.assessments.models import RuleVerdict
from ladder.assessments.readiness import MONTH_NAMES

from . import charts
from .csv import csv_response, unknown_table
from .pages import csv_wanted, query_without, read_request
from .readiness import STAGES, by_level, by_team, eligible_months, not_assessed, series

PER_PAGE = 50
TEAMS_PER_PAGE = 20


@login_required
@require_safe
def readiness_view(request):
    view = read_request(request, "readiness")
    today = timezone.localdate()
    months = settings.INSIGHTS_NOT_ASSESSED_MONTHS
    table = csv_wanted(request)
    if table is not None:
        if not view.valid:
            return view.refusal()
        return _csv(table, view, today, months)
    context = view.context
    context.update(months=months, stages=[label for _, label, _ in STAGES])
    if view.valid:
        levels = by_level(view, today)
        teams = by_team(view, today)
        team_page = Paginator(teams.rows, TEAMS_PER_PAGE).get_page(request.GET.get("teams"))
        eligible = eligible_months(view, today)
        unassessed = Paginator(not_assessed(view, today, months), PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(
            levels=levels,
            teams=teams,
            team_page=team_page,
            eligible=eligible,
            unassessed=unassessed,
            summary=_summary(levels, eligible),
            teams_query=query_without(request, "teams", "format", "table"),
            page_query=query_without(request, "page", "format", "table"),
            level_chart=charts.stacked_bars(
                id="readiness-levels-chart",
                title="Readiness for the next level, by current level",
                description=_description(levels),
                series=series(),
                rows=[(row.label, row.counts) for row in levels.rows],
            ),
            team_chart=charts.stacked_bars(
                id="readiness-teams-chart",
                title="Readiness for the next level, by team"
                + (
                    f" (teams {team_page.start_index()}–{team_page.end_index()} of "
                    f"{team_page.paginator.count})"
                    if team_page.has_other_pages()
                    else ""
                ),
                description=_description(teams, rows=team_page.object_list),
                series=series(),
                rows=[(row.label, row.counts) for row in team_page.object_list],
            ),
        )
    return render(request, "insights/readiness.html", context)


def _description(funnel, rows=None) -> str:
    parts = []
    for row in funnel.rows if rows is None else rows:
        counted = ", ".join(
            f"{label.lower()} {count}"
            for (_, label, _), count in zip(STAGES, row.counts, strict=True)
            if count
        )
        parts.append(f"{row.label}: {counted or 'no one'}")
    return "; ".join(parts) + "."


def _summary(levels, eligible) -> str:
    total = levels.total
    ready = levels.count(RuleVerdict.READY.value)
    later = levels.count(RuleVerdict.ELIGIBLE_FROM.value)
    people = "person" if total == 1 else "people"
    verb = "is" if ready == 1 else "are"
    line = f"{ready} of {total} {people} with a level {verb} ready for their next level"
    if later:
        last = eligible[-1].month
        line += f"; {later} more {'is' if later == 1 else 'are'} eligible by {MONTH_NAMES[last.month - 1]} {last.year}"
    return line + "."


def _csv(table: str, view, today, months):
    stages = [label for _, label, _ in STAGES]
    if table in ("", "levels", "teams"):
        funnel = by_team(view, today) if table == "teams" else by_level(view, today)
        heading = "team" if table == "teams" else "level"
        return csv_response(
            f"readiness-by-{heading}",
            [heading, *stages, "total"],
            [[row.label, *row.counts, row.total] for row in funnel.rows],
        )
    if table == "eligible":
        return csv_response(
            "readiness-eligible",
            ["month", "people"],
            [[row.month.strftime("%Y-%m"), row.people] for row in eligible_months(view, today)],
        )
    if table == "not_assessed":
        return csv_response(
            "not-assessed",
            ["name", "email", "level", "team", "manager_email", "last_assessed_on"],
            (
                [
                    standing.person.name,
                    standing.person.email,
                    standing.current.code,
                    standing.person.team.name if standing.person.team else "",
                    standing.person.manager.email if standing.person.manager else "",
                    standing.last_assessed_on,
                ]
                for standing in not_assessed(view, today, months).iterator(chunk_size=2000)
            ),
        )
    return unknown_table(["levels", "teams", "eligible", "not_assessed"])
