"""The CSV downloads of the insights pages: each the numbers of one table on its page.

Every cell is made safe to open in a spreadsheet as the other exports make it
(`people.csv_rows.neutralised`): a team or person named "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from django.http import HttpResponse
from django.utils.text import slugify

from ladder.people.csv_rows import neutralised


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The rows as CSV text, a header first; None is an empty cell, a date is YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralised(_cell(cell)) for cell in header])
    for row in rows:
        writer.writerow([neutralised(_cell(cell)) for cell in row])
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download named `filename` (made safe for the header; ".csv" added)."""
    name = slugify(filename.removesuffix(".csv")) or "insights"
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def csv_refusal(message: str) -> HttpResponse:
    """A CSV asked for with filters that name nothing: 400, and the reason as plain text."""
    return HttpResponse(
        f"The filters were not understood:\n{message}\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def unknown_table(names) -> HttpResponse:
    """The answer to a CSV of a table the page does not have: 400, naming those it has."""
    return HttpResponse(
        f"There is no such table: choose one of {', '.join(names)}.\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def table_download(prefix: str, tables: Mapping, wanted: str) -> HttpResponse:
    """The CSV of the table named `wanted` (the first when empty) among a page's `tables`, each
    with a `header` and `all_rows`; 400 naming them for one the page does not have."""
    name = wanted or next(iter(tables))
    if name not in tables:
        return unknown_table(tables)
    table = tables[name]
    return csv_response(f"{prefix}-{name}", table.header, table.all_rows)
