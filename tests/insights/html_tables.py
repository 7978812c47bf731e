"""Reading the numbers of an insights page back: a table's cells by its id, a CSV's rows."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser


class _Table(HTMLParser):
    def __init__(self, table_id: str):
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # > 0 inside the table asked for
        self.section = ""
        self.rows: list[tuple[str, list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (self.depth or attrs.get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.rows.append((self.section, []))
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1][1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str, section: str | None = None) -> list[list[str]]:
    """The rows of the table with `table_id` (each a list of cell texts), of one section
    ("thead", "tbody", "tfoot") or all; an AssertionError when there is no such table."""
    parser = _Table(table_id)
    parser.feed(html)
    assert parser.rows, f"no table {table_id!r} in the page"
    return [cells for part, cells in parser.rows if section is None or part == section]


def body(html: str, table_id: str) -> list[list[str]]:
    return table(html, table_id, "tbody")


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
