"""The Time in level page: how long people have held their level against its Minimum
Experience, and who has held it twice that long with no promotion case open."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ladder.frameworks.experience import months_between

from . import charts
from .csv import csv_response, unknown_table
from .pages import csv_wanted, query_without, read_request
from .time_in_level import BUCKETS, OVER, possibly_stuck, series, stuck_rows, time_in_level

PER_PAGE = 50


@login_required
@require_safe
def time_view(request):
    view = read_request(request, "time")
    today = timezone.localdate()
    table = csv_wanted(request)
    if table is not None:
        if not view.valid:
            return view.refusal()
        return _csv(table, view, today)
    context = view.context
    context.update(buckets=[label for _, label, _ in BUCKETS])
    if view.valid:
        counts = time_in_level(view, today)
        stuck = Paginator(possibly_stuck(view, today), PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            counts=counts,
            stuck=stuck,
            stuck_rows=stuck_rows(stuck.object_list, today),
            summary=_summary(counts, stuck.paginator.count),
            page_query=query_without(request, "page", "format", "table"),
            chart=charts.stacked_bars(
                id="time-chart",
                title="Time in level against the level's minimum experience",
                description="; ".join(
                    f"{row.label}: "
                    + ", ".join(
                        f"{label.lower()} {count}"
                        for (_, label, _), count in zip(BUCKETS, row.counts, strict=True)
                        if count
                    )
                    for row in counts.rows
                )
                + ".",
                series=series(),
                rows=[(row.label, row.counts) for row in counts.rows],
            ),
        )
    return render(request, "insights/time.html", context)


def _summary(counts, stuck: int) -> str:
    over = counts.count(OVER)
    total = counts.total
    people = "person" if total == 1 else "people"
    verb = "has" if over == 1 else "have"
    line = (
        f"{over} of {total} {people} with a level {verb} held it for twice its minimum "
        "experience or longer"
    )
    if over:
        line += f"; {stuck} of them {'has' if stuck == 1 else 'have'} no open promotion case"
    return line + "."


def _csv(table: str, view, today):
    if table in ("", "levels"):
        counts = time_in_level(view, today)
        return csv_response(
            "time-in-level",
            ["level", "minimum_months", *[label for _, label, _ in BUCKETS], "total"],
            [[row.label, row.minimum, *row.counts, row.total] for row in counts.rows],
        )
    if table == "stuck":
        return csv_response(
            "possibly-stuck",
            [
                "name",
                "email",
                "level",
                "since",
                "months_in_level",
                "minimum_months",
                "team",
                "manager_email",
            ],
            (
                [
                    s.person.name,
                    s.person.email,
                    s.current.code,
                    s.since,
                    months_between(s.since, today),
                    s.months_required,
                    s.person.team.name if s.person.team else "",
                    s.person.manager.email if s.person.manager else "",
                ]
                for s in possibly_stuck(view, today).iterator(chunk_size=2000)
            ),
        )
    return unknown_table(["levels", "stuck"])
