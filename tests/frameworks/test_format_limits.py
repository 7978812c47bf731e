"""The parser knows what the database can hold: a file `ladder check` passes, `ladder import` stores.

These tests run on whichever database DATABASE_URL names; PostgreSQL is the one that enforces
column sizes, integer ranges and refuses NUL, so run them there too.
"""

import itertools

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ladder.frameworks import parse as ladder_parse
from ladder.frameworks.errors import LadderError
from ladder.frameworks.ladder_data import (
    MAX_CODE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    POSITIVE_SMALL_INTEGERS,
    SMALL_INTEGERS,
)
from ladder.frameworks.models import (
    Criterion,
    ExpectedRating,
    Ladder,
    LadderVersion,
    Level,
    SearchLine,
)
from ladder.frameworks.parse import parse
from ladder.frameworks.selectors import version_ladder
from ladder.frameworks.services import ladder_import
from tests.conftest import run_ladder
from tests.frameworks.test_format_errors import DIMENSIONS, ladder_text, level_text, line_of

# -- the limits are the database's ----------------------------------------------------------

CHARACTER_LIMITS = {
    (Ladder, "title"): MAX_TITLE_LENGTH,
    (LadderVersion, "title"): MAX_TITLE_LENGTH,
    (Level, "title"): MAX_TITLE_LENGTH,
    (Level, "code"): MAX_CODE_LENGTH,
    (Level, "track"): MAX_NAME_LENGTH,
    (ExpectedRating, "dimension"): MAX_NAME_LENGTH,
}
INTEGER_LIMITS = {
    (LadderVersion, "scale_min"): SMALL_INTEGERS,
    (LadderVersion, "scale_max"): SMALL_INTEGERS,
    (Level, "number"): SMALL_INTEGERS,
    (ExpectedRating, "rating"): SMALL_INTEGERS,
    (Level, "minimum_experience_months"): POSITIVE_SMALL_INTEGERS,
    (Level, "position"): POSITIVE_SMALL_INTEGERS,
    (Criterion, "position"): POSITIVE_SMALL_INTEGERS,
    (ExpectedRating, "position"): POSITIVE_SMALL_INTEGERS,
}
# Sized columns that an import fills with something other than the file's content.
NOT_FROM_THE_FILE = {
    (Ladder, "slug"),
    (LadderVersion, "number"),
    (LadderVersion, "source_name"),
    (LadderVersion, "content_hash"),
    (Criterion, "section"),
    # A field name from the code, and a bullet's place in its section (a file too large to
    # read would be needed to pass 2**31 bullets).
    (SearchLine, "section"),
    (SearchLine, "position"),
}


def column_ids(columns) -> list[str]:
    return [f"{model.__name__}.{name}" for model, name in columns]


@pytest.mark.parametrize(
    ("column", "limit"), CHARACTER_LIMITS.items(), ids=column_ids(CHARACTER_LIMITS)
)
def test_a_text_column_holds_as_many_characters_as_the_parser_allows(column, limit):
    model, name = column
    assert model._meta.get_field(name).max_length == limit


@pytest.mark.parametrize(
    ("column", "allowed"), INTEGER_LIMITS.items(), ids=column_ids(INTEGER_LIMITS)
)
def test_an_integer_column_holds_the_range_the_parser_allows(column, allowed):
    model, name = column
    kind = model._meta.get_field(name).get_internal_type()
    # The range of the column's type, which PostgreSQL enforces; SQLite holds more.
    assert BaseDatabaseOperations.integer_field_ranges[kind] == (allowed[0], allowed[-1])
    low, high = connection.ops.integer_field_range(kind)
    assert low <= allowed[0] and allowed[-1] <= high


def test_every_sized_column_of_a_ladder_has_a_parser_limit_or_is_not_from_the_file():
    sized = {
        (model, field.name)
        for model in apps.get_app_config("frameworks").get_models()
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and not field.primary_key
        and not field.is_relation
        and (field.max_length is not None or isinstance(field, models.IntegerField))
    }
    unlimited = sized - CHARACTER_LIMITS.keys() - INTEGER_LIMITS.keys() - NOT_FROM_THE_FILE
    assert not unlimited, f"give the parser a limit for {unlimited}"


# -- over the limit: refused by the check, on its line, and by the import alike --------------


def table_counts():
    return [m.objects.count() for m in (Ladder, LadderVersion, Level, Criterion, ExpectedRating)]


def long_name(length: int) -> str:
    return ("Team Contributor " * 20)[:length].strip().ljust(length, "x")


HUGE = "9" * 5_000
TWO_DIMENSIONS = "dimensions: [Team Contributor, {}]"
# (file, the text on the line the error is reported on, what the message says)
OVER_THE_LIMIT = {
    "a ladder title": (
        lambda: ladder_text().replace("# Demo Ladder", f"# {'T' * (MAX_TITLE_LENGTH + 1)}"),
        "# TTT",
        f"is {MAX_TITLE_LENGTH + 1} characters long, more than the {MAX_TITLE_LENGTH}",
    ),
    "a level title": (
        lambda: ladder_text(level_text(title="S" * MAX_TITLE_LENGTH + " I")),
        "## SSS",
        "the level title",
    ),
    "a level code": (
        lambda: ladder_text(level_text(code="C" * (MAX_CODE_LENGTH + 1))),
        "## Senior",
        "the level code 'CCC",
    ),
    "a dimension in the front matter": (
        lambda: ladder_text(front=f"dimensions: [{long_name(MAX_NAME_LENGTH + 1)}, b, c]"),
        "dimensions:",
        f"is {MAX_NAME_LENGTH + 1} characters long",
    ),
    "a dimension in a ratings header": (
        lambda: ladder_text(level_text(header=f"{long_name(MAX_NAME_LENGTH + 1)} | b | c")),
        "| Team Contributor Team",
        f"a dimension name has at most {MAX_NAME_LENGTH}",
    ),
    "a track in the front matter": (
        lambda: ladder_text(front=f"levels: {{SR1: {{track: {'T' * (MAX_NAME_LENGTH + 1)}}}}}"),
        "levels:",
        "level SR1: the track 'TTT",
    ),
    "a track from a level title": (
        lambda: ladder_text(level_text(title="S" * (MAX_NAME_LENGTH + 1) + " II")),
        "## SSS",
        "level SR1: the track 'SSS",
    ),
    "a level number in the front matter": (
        lambda: ladder_text(
            level_text(number=None), front=f"levels: {{SR1: {{number: {SMALL_INTEGERS[-1] + 1}}}}}"
        ),
        "levels:",
        f"number must be an integer from {SMALL_INTEGERS[0]} to {SMALL_INTEGERS[-1]}, not 32768",
    ),
    "a negative level number in the front matter": (
        lambda: ladder_text(
            level_text(number=None), front=f"levels: {{SR1: {{number: {SMALL_INTEGERS[0] - 1}}}}}"
        ),
        "levels:",
        "not -32769",
    ),
    "a level number in a scenario": (
        lambda: ladder_text(level_text(number=SMALL_INTEGERS[-1] + 1)),
        "at level",
        "level SR1: level number '32768' is more than 32767",
    ),
    "a 5,000-digit level number in a scenario": (
        lambda: ladder_text(level_text(scenario=f"- A developer at level {HUGE}.")),
        "at level",
        "level SR1: level number '999",
    ),
    "a 5,000-digit level number in the front matter": (
        lambda: ladder_text(level_text(number=None), front=f"levels: {{SR1: {{number: {HUGE}}}}}"),
        "levels:",
        "front matter: the number '999",
    ),
    "a 5,000-digit rating": (
        lambda: ladder_text(level_text(row=f"{HUGE} | 4 | 2")),
        f"| {HUGE} |",
        "level SR1: rating '999",
    ),
    "a 5,000-digit scale": (
        lambda: ladder_text(front=f"scale: {{min: 1, max: {HUGE}}}"),
        "scale:",
        "front matter: the number '999",
    ),
    "a scale past a small integer": (
        lambda: ladder_text(front=f"scale: {{min: 1, max: {SMALL_INTEGERS[-1] + 1}}}"),
        "scale:",
        "each from -32768 to 32767",
    ),
    "a 5,000-digit rule": (
        lambda: ladder_text(front=f"rules: {{max_rating_shortfall: {HUGE}}}"),
        "rules:",
        "front matter: the number '999",
    ),
    "a rule past a small integer": (
        lambda: ladder_text(front="rules: {max_rating_shortfall: 32768}"),
        "rules:",
        "rule max_rating_shortfall must be a whole number from 0 to 32767, not 32768",
    ),
    "99999 or more years": (
        lambda: ladder_text(level_text(experience="- 99999 or more years in the role.")),
        "99999 or more years",
        "level SR1: Minimum Experience '99999 or more years in the role.' is more than 32767",
    ),
    "one month past the longest experience": (
        lambda: ladder_text(level_text(experience="- 2730 years and 8 months.")),
        "2730 years",
        "more than 32767 months",
    ),
    "a 5,000-digit experience": (
        lambda: ladder_text(level_text(experience=f"- {HUGE} years.")),
        f"- {HUGE}",
        "level SR1: Minimum Experience '999",
    ),
    "a NUL in a bullet": (
        lambda: ladder_text(level_text(experience="- 2 years\x00 in the role.")),
        "- 2 years\x00",
        "the character '\\x00' (U+0000) cannot be stored",
    ),
    "a NUL in the title": (
        lambda: ladder_text().replace("# Demo Ladder", "# Demo\x00Ladder"),
        "# Demo\x00",
        "cannot be stored",
    ),
    "a NUL in the front matter": (
        lambda: ladder_text(front=f"{DIMENSIONS}\n# a comment\x00"),
        "# a comment",
        "cannot be stored",
    ),
    "a NUL in a blank line": (
        lambda: ladder_text() + "\n\x00\n",
        "\x00",
        "cannot be stored",
    ),
    "a lone surrogate": (
        lambda: ladder_text(level_text(experience="- 2 years \ud800.")),
        "- 2 years \ud800",
        "the character '\\ud800' (U+D800) cannot be stored",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "needle", "fragment"), OVER_THE_LIMIT.values(), ids=OVER_THE_LIMIT
)
def test_a_value_the_database_would_refuse_is_an_error_on_its_line_and_imports_nothing(
    build, needle, fragment
):
    text = build()
    with pytest.raises(LadderError) as checked:
        parse(text, path="edge.md")
    line = line_of(text, needle)
    assert any(e.line == line and fragment in e.message for e in checked.value.errors), "\n".join(
        map(str, checked.value.errors)
    )
    before = table_counts()

    with pytest.raises(LadderError) as imported:
        ladder_import(source=text, source_name="edge.md", slug="edge")

    assert imported.value.errors == checked.value.errors
    assert table_counts() == before


@pytest.mark.django_db
def test_a_level_with_more_criteria_than_positions_is_refused_on_the_first_one_too_many():
    count = len(POSITIVE_SMALL_INTEGERS) + 1
    responsibilities = "".join(f"- Duty {i}.\n" for i in range(count - 2))
    text = ladder_text(level_text()).replace("- Owns a service.\n", responsibilities)
    with pytest.raises(LadderError) as checked:
        parse(text, path="edge.md")
    (error,) = checked.value.errors
    # The 32,769th criterion: 32,767 responsibilities, one skill, then the soft skill.
    assert error.line == line_of(text, "- Explains trade-offs.")
    assert "level SR1: a level has at most 32768 criteria" in error.message
    with pytest.raises(LadderError):
        ladder_import(source=text, source_name="edge.md", slug="edge")
    assert not Ladder.objects.exists()


def test_a_ratings_table_with_more_columns_than_positions_is_refused_on_its_header():
    count = len(POSITIVE_SMALL_INTEGERS) + 1
    header = " | ".join(f"D{i}" for i in range(count))
    rule = "|---" * count + "|"
    row = " | ".join(["3"] * count)
    text = ladder_text(level_text(header=header, row=row).replace("| --- | --- | --- |", rule))
    with pytest.raises(LadderError) as checked:
        parse(text, path="edge.md")
    (error,) = checked.value.errors
    assert error.line == line_of(text, "| D0 | D1")
    assert error.message == f"{count} dimensions: a ladder has at most {count - 1}"


def test_a_ladder_with_more_levels_than_positions_is_refused_on_the_first_one_too_many(
    monkeypatch,
):
    # 32,769 levels make an eight-megabyte file; the count is the same rule with fewer positions.
    monkeypatch.setattr(ladder_parse, "POSITIVE_SMALL_INTEGERS", range(0, 3))
    levels = [
        level_text(f"L{n}", f"Developer {n}", n, experience="- Shows sound judgement.")
        for n in (1, 2, 3, 4)
    ]
    text = ladder_text(*levels)
    with pytest.raises(LadderError) as checked:
        parse(text, path="edge.md")
    (error,) = checked.value.errors
    assert error.line == line_of(text, "(L4)")
    assert error.message == "level L4: a ladder has at most 3 levels"


# -- at the limit: accepted, and stored as read -----------------------------------------------


@pytest.mark.django_db
def test_values_at_every_limit_are_accepted_and_stored_exactly_as_read():
    track = "T" * MAX_NAME_LENGTH
    dimensions = [long_name(MAX_NAME_LENGTH - 1) + str(i) for i in range(3)]
    low, high = SMALL_INTEGERS[0], SMALL_INTEGERS[-1]
    code = "C" * MAX_CODE_LENGTH
    front = f"""
        dimensions: [{", ".join(dimensions)}]
        scale: {{min: {low}, max: {high}}}
        levels:
          {code}: {{number: {low}, track: {track}}}
        rules: {{max_rating_shortfall: {POSITIVE_SMALL_INTEGERS[-1]}}}
    """
    first = level_text(
        code,
        "L" * MAX_TITLE_LENGTH,
        None,
        header=" | ".join(dimensions),
        row=f"{low} | {high} | 0",
        experience=f"- {POSITIVE_SMALL_INTEGERS[-1]} months, or 2730 years and 7 months.",
    )
    top = level_text(
        "TOP",
        "Principal",
        high,
        header=" | ".join(dimensions),
        row=f"{high} | {high} | {low}",
        experience="- Unicode is stored as it is: é 漢 🙂.",
    )
    text = ladder_text(first, top, front=front).replace(
        "# Demo Ladder", f"# {'D' * MAX_TITLE_LENGTH}"
    )
    parsed = parse(text, path="edge.md")
    assert parsed.levels[0].minimum_experience.months == POSITIVE_SMALL_INTEGERS[-1]

    result = ladder_import(source=text, source_name="edge.md", slug="edge")

    assert version_ladder(result.version) == parsed
    assert result.version.ladder.title == "D" * MAX_TITLE_LENGTH


# -- the command line -------------------------------------------------------------------------


def huge_numbers_file(tmp_path):
    path = tmp_path / "huge.md"
    text = ladder_text(
        level_text(scenario=f"- A developer at level {HUGE}.", row=f"{HUGE} | 4 | 2"),
        front=f"rules: {{max_rating_shortfall: {HUGE}}}",
    )
    path.write_text(text, encoding="utf-8")
    return path, text


def test_check_reports_5000_digit_numbers_as_file_and_line_errors_not_a_traceback(tmp_path):
    path, text = huge_numbers_file(tmp_path)

    result = run_ladder("check", str(path))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "3 errors in 1 file"
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [
        f"{path}:{line_of(text, 'rules:')}",
        f"{path}:{line_of(text, 'at level')}",
        f"{path}:{line_of(text, f'| {HUGE}')}",
    ]
    assert all(len(line) < 300 for line in lines)


@pytest.mark.django_db
def test_import_reports_the_same_errors_as_check_and_imports_nothing(tmp_path, capsys):
    path, _ = huge_numbers_file(tmp_path)
    checked = run_ladder("check", str(path)).stderr.splitlines()[:-1]

    with pytest.raises(SystemExit) as exit:
        call_command("import", str(path))

    assert exit.value.code == 1
    assert capsys.readouterr().err.splitlines() == [*checked, "3 errors; nothing was imported"]
    assert not Ladder.objects.exists()


# -- whatever the parser accepts, the database stores ------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéü漢字🙂"
slugs = (f"edge-{n}" for n in itertools.count())


def around(limit: int, over: bool) -> st.SearchStrategy[int]:
    """A length or number at the limit or just inside it, or just past it."""
    return st.integers(limit + 1, limit + 3) if over else st.integers(max(1, limit - 3), limit)


def name_of(length: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    return length.flatmap(lambda n: st.text(LETTERS, min_size=n, max_size=n))


SLOTS = [
    "title",
    "code",
    "level title",
    "track",
    "dimension",
    "number",
    "months",
    "scale",
    "rule",
    "nul",
]


@st.composite
def edge_ladders(draw) -> str:
    """A one-level ladder with every value at a limit, and at most one of them past it."""
    over = draw(st.one_of(st.none(), st.sampled_from(SLOTS)))
    title = draw(name_of(around(MAX_TITLE_LENGTH, over == "title")))
    code = "C" + draw(
        name_of(around(MAX_CODE_LENGTH - 1, over == "code")).map(
            lambda s: "".join(c if c.isascii() else "x" for c in s)
        )
    )
    level_title = draw(name_of(around(MAX_TITLE_LENGTH, over == "level title")))
    track = draw(name_of(around(MAX_NAME_LENGTH, over == "track")))
    dimension = draw(name_of(around(MAX_NAME_LENGTH, over == "dimension")))
    number = draw(
        st.sampled_from([SMALL_INTEGERS[0] - 1, SMALL_INTEGERS[-1] + 1])
        if over == "number"
        else st.sampled_from([SMALL_INTEGERS[0], 0, SMALL_INTEGERS[-1]])
    )
    months = draw(around(POSITIVE_SMALL_INTEGERS[-1], over == "months"))
    experience = draw(
        st.sampled_from(
            [f"- {months} months.", f"- {months // 12} years and {months % 12} months."]
        )
    )
    low = draw(st.sampled_from([SMALL_INTEGERS[0], 1]))
    high = draw(around(SMALL_INTEGERS[-1], over == "scale"))
    rating = draw(st.sampled_from([low, high]))
    shortfall = draw(around(POSITIVE_SMALL_INTEGERS[-1], over == "rule"))
    # A level number is written in the front matter or, when it can be, "at level N".
    in_scenario = number >= 0 and draw(st.booleans())
    spec = f'track: "{track}"' if in_scenario else f'number: {number}, track: "{track}"'
    front = f"""
        dimensions: ["{dimension}"]
        scale: {{min: {low}, max: {high}}}
        levels:
          "{code}": {{{spec}}}
        rules: {{max_rating_shortfall: {shortfall}}}
    """
    level = level_text(
        code,
        level_title,
        number if in_scenario else None,
        header=dimension,
        row=str(rating),
        experience=experience,
    ).replace("| --- | --- | --- |", "| --- |")
    text = ladder_text(level, front=front).replace("# Demo Ladder", f"# {title}")
    if over == "nul":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]
    return text


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=edge_ladders())
def test_whatever_the_parser_accepts_an_import_stores_exactly_and_the_rest_it_refuses_alike(
    text,
):
    try:
        parsed = parse(text, path="edge.md")
    except LadderError as checked:
        before = table_counts()
        with pytest.raises(LadderError) as imported:
            ladder_import(source=text, source_name="edge.md", slug=next(slugs))
        assert imported.value.errors == checked.errors
        assert table_counts() == before
        event("refused")
        return
    result = ladder_import(source=text, source_name="edge.md", slug=next(slugs))
    event("accepted")
    assert version_ladder(result.version) == parsed
