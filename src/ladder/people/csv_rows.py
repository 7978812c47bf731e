"""The people CSV on its own: its columns, its cells, and reading its rows into checked values.

Nothing here looks at the organisation: a row's manager, level history and place in the tree are
checked in imports.py. Every problem is a `ParseError` (file, line, message), as the ladder
parser reports them, and is written as text only where it is shown.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from ladder.frameworks.errors import ParseError, Problems
from ladder.frameworks.models import LadderVersion, Level

from .emails import canonical_email
from .models import Person, Team
from .validation import check_text

COLUMNS = ["email", "name", "manager_email", "team", "level_code", "level_since"]
# The longest values the database keeps, per column (a manager is named by an email).
_LIMITS = {
    "email": Person._meta.get_field("email").max_length,
    "name": Person._meta.get_field("name").max_length,
    "manager_email": Person._meta.get_field("email").max_length,
    "team": Team._meta.get_field("name").max_length,
    "level_code": Level._meta.get_field("code").max_length,
}
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection"):
# the export puts a ' before it, which shows the cell as text, and the import takes it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    name: str
    manager_email: str
    team: str
    level_code: str
    level_since: datetime.date | None


def decode_csv(data: bytes, path: str) -> str:
    """The text of an uploaded or read file, or a ValidationError naming the line that is not
    UTF-8 (the page and the command line say the same)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        hint = " (it is UTF-16)" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        message = (
            f"not UTF-8 text{hint}: byte 0x{data[error.start]:02x} cannot be read; save the "
            "file as CSV UTF-8"
        )
        raise ValidationError(str(ParseError(path, line, message))) from None


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text. A cell that already starts with ' before such a
    character gets one more, so the import gives back exactly what was exported."""
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def _restored(cell: str) -> str:
    """A cell without the ' that `neutralised` put before a formula's first character."""
    return (
        cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell
    )


def _unreadable(error: csv.Error) -> str:
    reason = str(error)
    if reason.startswith("field larger than field limit"):
        reason = f"a cell is longer than {csv.field_size_limit():,} characters"
    return f"not readable as CSV: {reason}"


def shown(value: str, limit: int = 80) -> str:
    """A value from the file quoted for a message: escaped, and cut when long."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


def _cell_problems(values: dict[str, str]) -> dict[str, str]:
    """What a row holds that the database would refuse or a name must not: per column."""
    problems = {}
    for column in COLUMNS:
        value = values[column]
        try:
            check_text(value, column)
        except ValidationError as error:
            problems[column] = error.messages[0].rstrip(".")
            continue
        limit = _LIMITS.get(column)
        if limit is not None and len(value) > limit:
            problems[column] = f"{column} is longer than {limit} characters"
    return problems


def read_rows(text: str, version: LadderVersion, problems: Problems) -> list[Row]:
    """The rows of a people CSV; every problem a row has on its own is added to `problems`."""
    error = problems.add
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as unreadable:
        error(1, _unreadable(unreadable))
        return []
    if sorted(header) != sorted(COLUMNS):
        found = shown(",".join(header)) if header else "nothing"
        error(1, f"the header must name the columns {','.join(COLUMNS)}; found {found}")
        return []
    codes = set(version.levels.values_list("code", flat=True))
    rows, first_line = [], {}
    today = timezone.localdate()
    while True:
        # A row is named by the line it starts on: a quoted cell may go on over several.
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as unreadable:
            error(line, _unreadable(unreadable))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            error(line, f"expected {len(header)} columns, found {len(cells)}")
            continue
        values = {name: _restored(cell.strip()) for name, cell in zip(header, cells, strict=True)}
        email = values["email"]
        # Checked, compared and stored in its canonical spelling; messages quote the file's own.
        address = values["email"] = canonical_email(email)
        values["manager_email"] = canonical_email(values["manager_email"])
        refused = _cell_problems(values)
        for problem in refused.values():
            error(line, problem)
        if "email" in refused or "manager_email" in refused:
            continue
        try:
            validate_email(address)
        except ValidationError:
            error(line, f"{shown(email)} is not an email address")
            continue
        if address in first_line:
            error(line, f"duplicate email {email} (first on line {first_line[address]})")
            continue
        first_line[address] = line
        if not values["name"]:
            error(line, f"{email} has no name")
        code, since = values["level_code"], None
        if code and code not in codes:
            error(
                line,
                f"unknown level {shown(code)}: {version.ladder.slug} v{version.number} has "
                f"{', '.join(sorted(codes))}",
            )
        if code or values["level_since"]:
            try:
                since = datetime.date.fromisoformat(values["level_since"])
            except ValueError:
                error(
                    line,
                    f"bad date {shown(values['level_since'])} for level_since: use YYYY-MM-DD",
                )
            else:
                if since > today:
                    error(line, f"level_since {since} is in the future")
            if not code:
                error(line, "level_since is given but level_code is empty")
        rows.append(
            Row(line, address, values["name"], values["manager_email"], values["team"], code, since)
        )
    return rows
