"""The promotions page: promotions per quarter, by level and team, per review cycle, and the wait
from first being judged ready; each table also a CSV download."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import charts
from .csv import table_download
from .pages import csv_wanted, read_request
from .promotions import CountRow, PromotionsReport, promotions_report


@dataclass(frozen=True)
class Cell:
    value: object
    numeric: bool


@dataclass(frozen=True)
class Table:
    """A table of the page as its cells, the same in the page and in its CSV download."""

    caption: str
    header: tuple[str, ...]
    rows: list[tuple]
    foot: list[tuple]
    # Columns of words rather than numbers, beside the first (which heads each row).
    text_columns: tuple[str, ...] = ()

    @property
    def all_rows(self) -> list[tuple]:
        return [*self.rows, *self.foot]

    def _cells(self, rows: list[tuple]) -> list[tuple[object, list[Cell]]]:
        numeric = [heading not in self.text_columns for heading in self.header[1:]]
        return [
            (row[0], [Cell(value, n) for value, n in zip(row[1:], numeric, strict=True)])
            for row in rows
        ]

    @cached_property
    def head(self) -> list[Cell]:
        return [Cell(self.header[0], False), *self._cells([self.header])[0][1]]

    @cached_property
    def body(self) -> list[tuple[object, list[Cell]]]:
        """Each row as its heading and its other cells, each marked a number or words."""
        return self._cells(self.rows)

    @cached_property
    def footer(self) -> list[tuple[object, list[Cell]]]:
        return self._cells(self.foot)


WAIT_COLUMNS = ("Promotions", "Judged ready before", "Median months from first ready")


def months(value: float | None) -> str | None:
    """A median of whole months: 3, or 3.5 between two."""
    if value is None:
        return None
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _counts(row: CountRow) -> tuple:
    return (row.label, row.promotions, row.timed, months(row.median_months))


def tables_of(report: PromotionsReport) -> dict[str, Table]:
    """The page's tables by the name a CSV download asks for, the first the default."""
    total = _counts(report.total)
    return {
        "quarters": Table(
            "Promotions per quarter",
            ("Quarter", *WAIT_COLUMNS),
            [_counts(row) for row in report.by_quarter],
            [total],
        ),
        "levels": Table(
            "Promotions by level",
            ("Level promoted to", *WAIT_COLUMNS),
            [_counts(row) for row in report.by_level],
            [total] if report.by_level else [],
        ),
        "teams": Table(
            "Promotions by team",
            ("Team", *WAIT_COLUMNS),
            [_counts(row) for row in report.by_team],
            [total] if report.by_team else [],
        ),
        "cycles": Table(
            "Decisions per review cycle",
            (
                "Cycle",
                "Decisions effective",
                "Approved",
                "Declined",
                "Deferred",
                "Still open",
                "Approved of decided (%)",
            ),
            [
                (
                    row.name,
                    row.effective_on.isoformat() if row.effective_on else None,
                    row.approved,
                    row.declined,
                    row.deferred,
                    row.open,
                    row.approved_percent,
                )
                for row in report.cycles
            ],
            [],
            text_columns=("Decisions effective",),
        ),
    }


def chart_of(report: PromotionsReport) -> charts.BarChart:
    return charts.stacked_bars(
        id="promotions-per-quarter",
        title="Promotions per quarter",
        description=(
            f"Promotions that took effect in each of the last {len(report.quarters)} quarters, "
            "split by whether a shared manager assessment had judged the person ready before."
        ),
        series=[
            charts.Series("Judged ready before", charts.GOOD),
            charts.Series("No ready assessment", charts.NEUTRAL),
        ],
        rows=[(row.label, [row.timed, row.promotions - row.timed]) for row in report.by_quarter],
        unit="promotions",
    )


@login_required
@require_safe
def promotions_view(request):
    page = read_request(request, "promotions")
    wanted = csv_wanted(request)
    if wanted is not None and not page.valid:
        return page.refusal()
    if not page.valid:
        return render(request, "insights/promotions.html", page.context)
    report = promotions_report(scope=page.scope, filters=page.filters)
    tables = tables_of(report)
    if wanted is not None:
        return table_download("promotions", tables, wanted)
    return render(
        request,
        "insights/promotions.html",
        {**page.context, "report": report, "tables": tables, "chart": chart_of(report)},
    )
