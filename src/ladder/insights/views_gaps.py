"""The gaps page: the criteria and dimensions most often not yet met, per next level and across
the organisation; each table also a CSV download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from . import charts
from .csv import table_download
from .gaps import TOP, GapsReport, LevelGaps, gaps_report
from .pages import csv_wanted, read_request
from .views_promotions import Table


def tables_of(report: GapsReport) -> dict[str, Table]:
    """The page's tables by the name a CSV download asks for, the first the default."""
    return {
        "levels": Table(
            f"The {TOP} most common gaps per next level",
            ("Next level", "Rank", "Gap", "Where", "People", "Assessed", "Share (%)"),
            [
                (level.code, rank, gap.text, gap.where, gap.people, gap.assessed, gap.percent)
                for level in report.levels
                for rank, gap in enumerate(level.gaps, start=1)
            ],
            [],
            text_columns=("Gap", "Where"),
        ),
        "overall": Table(
            f"The {TOP} most common gaps across every level",
            ("Gap", "Where", "Next levels", "People", "Assessed", "Share (%)"),
            [
                (
                    item.gap.text,
                    item.gap.where,
                    " ".join(item.codes),
                    item.gap.people,
                    item.gap.assessed,
                    item.gap.percent,
                )
                for item in report.overall
            ],
            [],
            text_columns=("Where", "Next levels"),
        ),
    }


def chart_of_level(level: LevelGaps) -> charts.BarChart:
    return charts.bars(
        id=f"gaps-{slugify(level.code)}",
        title=f"The most common gaps for {level.code}",
        description=(
            f"Of {level.assessed} people assessed against {level.code}, how many have each gap: "
            + "; ".join(f"{gap.text}: {gap.people}" for gap in level.gaps)
            + "."
        ),
        rows=[(gap.text, gap.people) for gap in level.gaps],
    )


def chart_overall(report: GapsReport) -> charts.BarChart:
    return charts.bars(
        id="gaps-overall",
        title="The most common gaps across every level",
        description=(
            f"Of {report.assessed} people assessed against a next level, how many have each gap: "
            + "; ".join(f"{item.gap.text}: {item.gap.people}" for item in report.overall)
            + "."
        ),
        rows=[(item.gap.text, item.gap.people) for item in report.overall],
    )


@login_required
@require_safe
def gaps_view(request):
    page = read_request(request, "gaps")
    wanted = csv_wanted(request)
    if wanted is not None and not page.valid:
        return page.refusal()
    if not page.valid:
        return render(request, "insights/gaps.html", page.context)
    report = gaps_report(scope=page.scope, filters=page.filters)
    tables = tables_of(report)
    if wanted is not None:
        return table_download("gaps", tables, wanted)
    return render(
        request,
        "insights/gaps.html",
        {
            **page.context,
            "report": report,
            "top": TOP,
            "tables": tables,
            "overall_chart": chart_overall(report),
            "level_charts": [(level, chart_of_level(level)) for level in report.levels],
        },
    )
