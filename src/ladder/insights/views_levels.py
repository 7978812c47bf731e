"""The Levels page: headcount by level and track, and how it changed over the last quarters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import charts
from .csv import csv_response, unknown_table
from .levels import headcount, history
from .pages import csv_wanted, read_request


@login_required
@require_safe
def levels_view(request):
    view = read_request(request, "levels")
    today = timezone.localdate()
    table = csv_wanted(request)
    if table is not None and not view.valid:
        return view.refusal()
    context = view.context
    if view.valid:
        counts = headcount(view)
        past = history(view, today)
        if table is not None:
            return _csv(table, counts, past)
        context.update(
            counts=counts,
            past=past,
            summary=_summary(counts, past),
            chart=charts.stacked_bars(
                id="levels-chart",
                title="People by level and track",
                description="; ".join(
                    f"{row.label}: {row.total}" for row in counts.rows if row.total
                )
                + ".",
                series=counts.tracks,
                rows=[(row.short_label, row.counts) for row in counts.rows],
            ),
            history_chart=charts.stacked_bars(
                id="levels-history-chart",
                title="People with a level at each quarter end and today, by track",
                description="; ".join(f"{row.label}: {row.total}" for row in past.rows) + ".",
                series=past.tracks,
                rows=[(row.label, row.counts) for row in past.rows],
            ),
        )
    return render(request, "insights/levels.html", context)


def _summary(counts, past) -> str:
    people = f"{counts.total} {'person holds' if counts.total == 1 else 'people hold'} a level"
    if counts.without_level:
        people += f" and {counts.without_level} {'has' if counts.without_level == 1 else 'have'}"
        people += " none yet"
    first = past.rows[0]
    change = past.rows[-1].total - first.total
    if change == 0:
        since = f"as many as at the end of {first.label.removeprefix('End of ')}"
    else:
        since = f"{abs(change)} {'more' if change > 0 else 'fewer'} than at the end of "
        since += first.label.removeprefix("End of ")
    return f"{people}; {since}."


def _csv(table: str, counts, past):
    if table in ("", "levels"):
        return csv_response(
            "levels",
            ["level", "levels", *counts.tracks, "total"],
            [[row.number, row.codes, *row.counts, row.total] for row in counts.rows],
        )
    if table == "history":
        return csv_response(
            "levels-history",
            ["day", "when", *past.tracks, "total", "change"],
            [[row.day, row.label, *row.counts, row.total, row.change] for row in past.rows],
        )
    return unknown_table(["levels", "history"])
