"""The ladder file parser: every error it reports, with its line, and the variants it accepts."""

import re
import textwrap

import pytest

from ladder.frameworks.errors import LadderError, ParseError
from ladder.frameworks.experience import months_of
from ladder.frameworks.ladder_data import PromotionRules
from ladder.frameworks.parse import parse
from ladder.frameworks.write import format_ladder

HEADER = "Team Contributor | Technical Leadership | People Management"
DIMENSIONS = f"dimensions: [{HEADER.replace(' | ', ', ')}]"

LEVEL = textwrap.dedent(
    """\
    ## {heading}

    ### Responsibilities:
    - Owns a service.

    ### Skills and Criteria:
    - Knows C# well.

    ### Soft Skills and Collaboration:
    - Explains trade-offs.

    ### Minimum Experience:
    {experience}

    ### Next Actions:
    - Lead a team.

    ### Scenario:
    {scenario}

    ### Competency Ratings:
    | {header} |
    | --- | --- | --- |
    | {row} |
    """
)


def level_text(
    code="SR1",
    title="Senior Developer I",
    number: int | None = 5,
    *,
    heading=None,
    row="3 | 4 | 2",
    header=HEADER,
    experience="- 2 or more years in the role.",
    scenario=None,
    omit=(),
    extra="",
) -> str:
    """One valid level; each keyword changes one thing about it."""
    if scenario is None:
        at = f" at level {number}" if number is not None else ""
        scenario = f"- A developer{at} owns the billing service."
    text = LEVEL.format(
        heading=heading or f"{title} ({code})",
        experience=experience,
        scenario=scenario,
        header=header,
        row=row,
    )
    blocks = [b for b in text.split("\n\n") if not any(b.startswith(f"### {n}:") for n in omit)]
    return "\n\n".join(blocks) + (f"\n{extra}\n" if extra else "")


def ladder_text(*levels: str, front: str = "") -> str:
    head = f"---\n{textwrap.dedent(front).strip()}\n---\n" if front else ""
    return head + "# Demo Ladder\n\n" + "\n".join(levels or [level_text()])


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def errors_of(text: str) -> list[ParseError]:
    with pytest.raises(LadderError) as caught:
        parse(text, path="demo.md")
    return caught.value.errors


def reported(text: str, line: int, fragment: str) -> None:
    """Assert that one of the file's errors sits on `line` and mentions `fragment`."""
    errors = errors_of(text)
    assert any(e.line == line and fragment in e.message for e in errors), "\n".join(
        map(str, errors)
    )


# -- the helper itself ---------------------------------------------------------------------


def test_the_minimal_ladder_text_parses_to_one_level():
    ladder = parse(ladder_text())
    (level,) = ladder.levels
    assert (level.code, level.number, level.track) == ("SR1", 5, "Senior Developer")
    assert level.ratings == {
        "Team Contributor": 3,
        "Technical Leadership": 4,
        "People Management": 2,
    }
    assert level.minimum_experience.months == 24


# -- errors --------------------------------------------------------------------------------


def test_an_error_reads_as_path_line_and_message():
    text = ladder_text(level_text(omit=["Next Actions"]))
    (error,) = errors_of(text)
    assert str(error) == f"demo.md:{error.line}: {error.message}"
    assert error.path == "demo.md"


def test_a_missing_section_is_reported_on_the_level_heading_naming_the_section():
    text = ladder_text(level_text(omit=["Next Actions"]))
    (error,) = errors_of(text)
    assert error.line == line_of(text, "## Senior Developer I (SR1)")
    assert "missing section 'Next Actions'" in error.message


@pytest.mark.parametrize("cell", ["three", "3.5", "0", "6"])
def test_a_rating_that_is_not_an_integer_on_the_scale_is_reported_on_the_data_row(cell):
    text = ladder_text(level_text(row=f"{cell} | 4 | 2"))
    reported(text, line_of(text, f"| {cell} |"), f"rating '{cell}' for Team Contributor")


def test_a_rating_above_a_front_matter_scale_is_reported_on_the_data_row():
    text = ladder_text(level_text(row="5 | 4 | 2"), front="scale: {min: 1, max: 4}")
    reported(
        text,
        line_of(text, "| 5 |"),
        "rating '5' for Team Contributor is not an integer from 1 to 4",
    )


def test_a_bad_rating_is_the_only_error_reported():
    (error,) = errors_of(ladder_text(level_text(row="three | 4 | 2")))
    assert "rating 'three'" in error.message


def test_a_ratings_header_unlike_the_front_matter_dimensions_is_reported_on_the_header():
    text = ladder_text(level_text(header="Team | Tech | People"), front=DIMENSIONS)
    reported(
        text, line_of(text, "| Team | Tech | People |"), "does not match the ladder's dimensions"
    )


def test_a_ratings_header_unlike_the_front_matter_dimensions_is_reported_once():
    text = ladder_text(level_text(header="Team | Tech | People"), front=DIMENSIONS)
    assert len(errors_of(text)) == 1


def test_a_second_level_whose_ratings_header_differs_from_the_first_is_reported():
    second = level_text("SR2", "Senior Developer II", 6, header="Team | Tech | People")
    text = ladder_text(level_text(), second)
    (error,) = errors_of(text)
    assert error.line == line_of(text, "| Team | Tech | People |")
    assert "level SR2: ratings header 'Team | Tech | People' does not match" in error.message


def test_a_differing_header_after_a_blank_line_is_reported_on_the_table_header():
    second = level_text("SR2", "Senior Developer II", 6, header="Team | Tech | People")
    text = ladder_text(level_text(), second.replace("Ratings:\n", "Ratings:\n\n"))
    (error,) = errors_of(text)
    assert error.line == line_of(text, "| Team | Tech | People |")


def test_a_duplicate_level_code_is_reported_at_the_second_heading_naming_the_first_line():
    text = ladder_text(level_text(), level_text("SR1", "Senior Developer II", 6))
    (error,) = errors_of(text)
    assert error.line == line_of(text, "## Senior Developer II (SR1)")
    first = line_of(text, "## Senior Developer I (SR1)")
    assert f"duplicate level code SR1 (first at line {first})" in error.message


def test_a_level_number_stated_twice_with_two_values_is_reported_on_the_scenario():
    text = ladder_text(level_text(number=7), front="levels:\n  SR1: {number: 6}")
    (error,) = errors_of(text)
    assert error.line == line_of(text, "at level 7")
    assert "level SR1: level number stated twice with two values (6 and 7)" in error.message


def test_a_second_level_number_after_a_wrapped_scenario_bullet_is_reported_on_its_line():
    scenario = "- A developer at level 5 owns\n  the billing service.\n- Like a peer at level 7."
    text = ladder_text(level_text(scenario=scenario))
    (error,) = errors_of(text)
    assert error.line == line_of(text, "at level 7")


@pytest.mark.parametrize("second_number", [4, 5])
def test_a_track_whose_numbers_do_not_increase_is_reported_at_the_later_level(second_number):
    later = level_text("SR2", "Senior Developer II", second_number)
    text = ladder_text(level_text(), later)
    (error,) = errors_of(text)
    assert error.line == line_of(text, "## Senior Developer II (SR2)")
    assert "track 'Senior Developer' goes from SR1 (level 5) to SR2" in error.message
    assert "numbers must increase along a track" in error.message


def test_a_level_with_no_number_anywhere_is_reported_on_its_heading():
    text = ladder_text(level_text(number=None))
    (error,) = errors_of(text)
    assert error.line == line_of(text, "## Senior Developer I")
    assert "level SR1: no level number" in error.message


def test_a_level_heading_without_a_code_is_reported_on_its_line():
    text = ladder_text(level_text(heading="Senior Developer I"))
    (error,) = errors_of(text)
    assert error.line == line_of(text, "## Senior Developer I")
    assert "must read 'Title (CODE)'" in error.message


def test_an_unknown_section_heading_is_reported_on_its_line():
    text = ladder_text(level_text(extra="### Hobbies:\n- Chess."))
    reported(text, line_of(text, "### Hobbies:"), "unknown section 'Hobbies'")


def test_an_unknown_front_matter_key_is_reported_on_its_line():
    text = ladder_text(front=f"{DIMENSIONS}\ncolour: blue")
    (error,) = errors_of(text)
    assert error.line == line_of(text, "colour: blue") == 3
    assert "unknown front matter key 'colour'" in error.message


def test_invalid_yaml_in_the_front_matter_is_reported_on_its_line_in_the_file():
    text = ladder_text(front="scale: {min: 1, max: 5}\nlevels: SR1: 5")
    (error,) = errors_of(text)
    assert error.line == line_of(text, "levels: SR1: 5") == 3
    assert "front matter is not valid YAML" in error.message


def test_front_matter_never_closed_is_reported_on_the_first_line():
    text = "---\nscale: {min: 1, max: 5}\n" + ladder_text()
    reported(text, 1, "front matter opened with '---' is never closed")


def test_front_matter_never_closed_is_the_only_error_reported():
    (error,) = errors_of("---\nscale: {min: 1, max: 5}\n" + ladder_text())
    assert "never closed" in error.message


def test_a_missing_title_is_reported_on_the_first_line():
    (error,) = errors_of(ladder_text().replace("# Demo Ladder\n", ""))
    assert error.line == 1
    assert "missing the ladder title" in error.message


def test_every_error_of_a_file_is_reported_at_once_sorted_by_line():
    text = ladder_text(
        level_text("JR1", "Junior Developer I", 1, omit=["Scenario"]),
        level_text("MD1", "Mid-level Developer I", None),
        level_text(heading="Senior Developer I"),
    )
    errors = errors_of(text)
    headings = ["## Junior Developer I", "## Mid-level Developer I", "## Senior Developer I"]
    assert [e.line for e in errors] == [line_of(text, h) for h in headings]
    assert "level JR1: missing section 'Scenario'" in errors[0].message
    assert "level MD1: no level number" in errors[1].message
    assert "heading 'Senior Developer I' must read 'Title (CODE)'" in errors[2].message


# -- accepted variants ---------------------------------------------------------------------

SEED_ROW = "|         3        |          5           |         3         |"
VARIANTS = {
    "crlf line endings": lambda t: t.replace("\n", "\r\n"),
    "a final newline": lambda t: t + "\n",
    "several final newlines": lambda t: t + "\n\n\n\n",
    "extra blank lines between blocks": lambda t: t.replace("\n\n", "\n\n\n\n"),
    "star bullets": lambda t: re.sub(r"(?m)^- ", "* ", t),
    "headings without colon": lambda t: re.sub(r"(?m)^(###.*):$", r"\1", t),
    "table without padding": lambda t: t.replace(SEED_ROW, "|3|5|3|"),
    "table with extra padding": lambda t: t.replace(SEED_ROW, "|      3      |   5   |  3 |"),
    "a wrapped bullet": lambda t: t.replace("teams or sub-teams.", "teams\n  or sub-teams."),
    "a utf-8 bom": lambda t: "\ufeff" + t,
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_variant_of_the_seed_parses_to_the_same_ladder(seed_text, variant):
    text = variant(seed_text)
    assert text != seed_text
    assert parse(text) == parse(seed_text)


def test_no_final_newline_parses_like_one_final_newline(seed_text):
    bare = seed_text.rstrip("\n")
    assert parse(bare) == parse(bare + "\n") == parse(seed_text)


# -- minimum experience --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "months"),
    [
        ("Consider a promotion after gaining 1 or more years of practice.", 12),
        ("2+ years in the role.", 24),
        ("18 months as a Tech Lead.", 18),
        ("At least six months of on-call duty.", 6),
        ("One year of leading a team.", 12),
        ("1.5 years in the role.", 18),
        ("Significant experience leading organizational initiatives.", None),
    ],
)
def test_months_of_reads_the_duration_of_a_minimum_experience_line(line, months):
    assert months_of(line) == months


def test_a_minimum_experience_with_no_duration_parses_with_no_months_and_keeps_its_text():
    experience = "- Shows sound judgement.\n- Has led a cross-team project."
    (level,) = parse(ladder_text(level_text(experience=experience))).levels
    assert level.minimum_experience.months is None
    assert level.minimum_experience.text == (
        "Shows sound judgement.",
        "Has led a cross-team project.",
    )


# -- promotion rules -----------------------------------------------------------------------


def test_front_matter_rules_override_the_promotion_thresholds():
    ladder = parse(ladder_text(front="rules: {min_criteria_met: 0.9}"))
    assert ladder.rules == PromotionRules(min_criteria_met=0.9)
    assert parse(ladder_text()).rules == PromotionRules()


def test_a_rule_value_out_of_range_is_reported_on_its_line():
    text = ladder_text(front=f"{DIMENSIONS}\nrules: {{min_criteria_met: 2}}")
    (error,) = errors_of(text)
    assert error.line == line_of(text, "min_criteria_met: 2") == 3
    assert "rule min_criteria_met must be a share from 0 to 1, not 2" in error.message


def test_a_rule_value_out_of_range_in_a_block_mapping_is_reported_on_its_own_line():
    text = ladder_text(front="rules:\n  max_rating_shortfall: 1\n  min_criteria_met: 2")
    (error,) = errors_of(text)
    assert error.line == line_of(text, "min_criteria_met: 2") == 4


def test_a_ratings_header_with_a_repeated_or_empty_name_is_an_error(seed_text):
    repeated = seed_text.replace("| People Management |", "| Team Contributor |")
    empty = seed_text.replace("| People Management |", "|  |")

    with pytest.raises(LadderError) as caught:
        parse(repeated, path="x.md")
    assert (
        "x.md:46: level TL2: dimension 'Team Contributor' appears twice in the ratings header"
        in str(caught.value)
    )
    with pytest.raises(LadderError) as caught:
        parse(empty, path="x.md")
    assert "x.md:46: level TL2: column 3 of the ratings header has no dimension name" in str(
        caught.value
    )


@pytest.mark.parametrize(
    "text, months",
    [
        ("2-3 years in the role", 24),
        ("6 to 12 months", 6),
        ("1 year and 6 months", 18),
        ("1 year, 6 months", 18),
        ("an 18-month stint", 18),
        ("two years and a bit", 24),
    ],
)
def test_ranges_count_from_their_lower_end_and_parts_of_a_duration_add_up(text, months):
    assert months_of(text) == months


# -- input built to make the parser slow or its messages huge ------------------------------
# Sized so that a quadratic pattern would take many seconds and a cubic one hours: a
# regression shows as a test run that does not finish, without timing anything here.

SPACES = " " * 100_000


@pytest.mark.parametrize(
    ("line", "months"),
    [
        (f"1{SPACES}x", None),
        (f"1{SPACES}years", 12),
        (f"2{SPACES}-{SPACES}3{SPACES}or more{SPACES}-{SPACES}years", 24),
        (f"1 year{SPACES},{SPACES}and{SPACES}6 months", 18),
        (f"1 year{SPACES}and{SPACES}x", 12),
    ],
)
def test_months_of_reads_a_line_with_long_runs_of_spaces_in_linear_time(line, months):
    assert months_of(line) == months


def test_parts_of_a_duration_joined_by_a_comma_and_and_add_up():
    assert months_of("1 year, and 6 months") == 18


def test_a_level_heading_with_a_long_run_of_spaces_is_read_in_linear_time():
    text = ladder_text(level_text(heading=f"Senior{SPACES}Developer{SPACES}I{SPACES}(SR1)"))
    line = line_of(text, "(SR1)")
    reported(text, line, "the level title 'Senior ")
    reported(text, line, "level SR1: the track 'Senior ")


def test_a_level_heading_of_spaces_and_a_word_is_refused_in_linear_time():
    text = ladder_text(level_text(heading=f"a{SPACES}b"))
    reported(text, line_of(text, "## a "), "must read 'Title (CODE)'")


def test_a_level_heading_title_keeps_its_spaces_but_not_those_before_the_code():
    (level,) = parse(ladder_text(level_text(heading="Senior  Developer I   (  SR1 )"))).levels
    assert (level.title, level.code, level.track) == (
        "Senior  Developer I",
        "SR1",
        "Senior  Developer",
    )


ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
)


def test_a_yaml_alias_bomb_used_as_a_rule_is_refused_on_its_first_anchor():
    text = ladder_text(front=f"{ALIAS_BOMB}\nrules: {{min_criteria_met: *a8}}")
    (error,) = errors_of(text)
    assert error.line == line_of(text, "a0: &a0") == 2
    assert error.message == "front matter: anchors and aliases (&name, *name) are not allowed"


def test_a_yaml_alias_is_refused_on_its_line_even_without_an_anchor():
    text = ladder_text(front=f"{DIMENSIONS}\nrules: {{min_criteria_met: *share}}")
    reported(text, line_of(text, "*share"), "anchors and aliases")


def test_front_matter_nested_too_deep_is_refused_on_its_line():
    text = ladder_text(front="scale: " + "[" * 50_000)
    (error,) = errors_of(text)
    assert error.line == 2
    assert error.message == "front matter: values nested more than 20 deep"


def test_a_front_matter_value_yaml_cannot_build_is_refused_on_its_line():
    text = ladder_text(front=f"{DIMENSIONS}\nscale: 2024-13-45")
    (error,) = errors_of(text)
    assert error.line == 3
    assert error.message.startswith("front matter: cannot read '2024-13-45'")


def test_a_control_character_in_the_front_matter_is_reported_on_its_line():
    text = ladder_text(front=f"{DIMENSIONS}\nscale: {{min: 1, max: 5}} \x01")
    (error,) = errors_of(text)
    assert error.line == 3
    assert "front matter is not valid YAML: the character '\\x01' is not allowed" in error.message


def test_front_matter_naming_a_level_many_times_over_reports_each_on_its_own_line():
    # Lines come from the YAML itself: searching the text for each key was quadratic.
    codes = [f"L{i}" for i in range(20_000)]
    front = "levels:\n" + "\n".join(f"  {code}: {{number: 1}}" for code in codes)
    errors = errors_of(ladder_text(front=front))
    assert [e.line for e in errors] == list(range(3, 3 + len(codes)))
    assert errors[-1].message == "front matter names level L19999, which the file does not have"


def test_a_ratings_table_of_many_columns_reports_a_repeated_name_once():
    # A lookup per column was quadratic in the width of the table.
    names = [f"D{i}" for i in range(20_000)] + ["D0"]
    header = " | ".join(names)
    row = " | ".join(["3"] * len(names))
    text = ladder_text(
        level_text(header=header, row=row).replace("| --- | --- | --- |", "|---" * len(names) + "|")
    )
    (error,) = errors_of(text)
    assert "level SR1: dimension 'D0' appears twice in the ratings header" in error.message


HUGE = "x" * 1_000_000
# Every kind of message that quotes the file, with a megabyte where it quotes.
QUOTING = {
    "a level heading": lambda: ladder_text(level_text(heading=HUGE)),
    "a second title": lambda: ladder_text() + f"\n# {HUGE}\n",
    "a paragraph": lambda: ladder_text(level_text(experience=HUGE)),
    "an unknown section": lambda: ladder_text(level_text(extra=f"### {HUGE}\n- a")),
    "a section before any level": lambda: f"# Demo\n\n### {HUGE}\n\n" + level_text(),
    "an unexpected heading": lambda: ladder_text(level_text(extra=f"#### {HUGE}")),
    "a rating": lambda: ladder_text(level_text(row=f"{HUGE} | 4 | 2")),
    "a rating for a long dimension": lambda: ladder_text(
        level_text(header=f"{HUGE} | b | c", row="x | 4 | 2")
    ),
    "a ratings header": lambda: ladder_text(level_text(header=f"{HUGE} | b | c"), front=DIMENSIONS),
    "a repeated dimension": lambda: ladder_text(level_text(header=f"{HUGE} | {HUGE} | c")),
    "a title": lambda: ladder_text().replace("# Demo Ladder", f"# {HUGE}"),
    "a level code": lambda: ladder_text(level_text(code="X" * 100_000)),
    # YAML refuses a key of over 1,024 characters by itself.
    "a front matter key": lambda: ladder_text(front=f'"{HUGE[:1000]}": 1'),
    "a rule value": lambda: ladder_text(front=f"rules: {{min_criteria_met: '{HUGE}'}}"),
    "a rule value as a list": lambda: ladder_text(
        front="rules: {min_criteria_met: [" + ", ".join([f"'{'x' * 1000}'"] * 1000) + "]}"
    ),
    "a level number": lambda: ladder_text(front=f"levels: {{SR1: {{number: '{HUGE}'}}}}"),
    "a front matter level code": lambda: ladder_text(
        front=f'levels: {{"{HUGE[:1000]}": {{number: 1}}}}'
    ),
    "a front matter level code with a bad value": lambda: ladder_text(
        front=f'levels: {{"{HUGE[:1000]}": 1}}'
    ),
    "a long number": lambda: ladder_text(front="scale: {min: 1, max: " + "9" * 100_000 + "}"),
    "a scenario number": lambda: ladder_text(level_text(scenario=f"- at level {'9' * 100_000}")),
    "a minimum experience": lambda: ladder_text(level_text(experience=f"- {'9' * 100_000} years")),
}


@pytest.mark.parametrize("build", QUOTING.values(), ids=QUOTING.keys())
def test_an_error_message_quoting_the_file_stays_short_however_long_the_input(build):
    errors = errors_of(build())
    assert errors
    assert all(len(e.message) < 300 for e in errors), [len(e.message) for e in errors]


# -- nesting -------------------------------------------------------------------------------


def test_lists_nested_past_markdown_its_limit_are_refused_instead_of_dropping_the_rest():
    nested = "".join("  " * i + "- Owns a service.\n" for i in range(30))
    text = ladder_text(level_text(), level_text("SR2", "Senior Developer II", 6, extra="")).replace(
        "### Responsibilities:\n- Owns a service.\n", f"### Responsibilities:\n{nested}", 1
    )
    (error,) = errors_of(text)
    assert "nested 20 deep" in error.message
    assert "nothing after this line can be read" in error.message
    assert error.line > line_of(text, "### Responsibilities:")


def test_quotes_nested_past_the_limit_inside_a_bullet_are_refused():
    text = ladder_text(level_text(experience="- " + "> " * 30 + "2 years"))
    reported(text, line_of(text, "- > >"), "nested 20 deep")


@pytest.mark.parametrize(
    ("inside", "kind"),
    [("> 2 years in the role.", "blockquote"), ("# 2 years", "heading"), ("***", "hr")],
)
def test_a_bullet_holding_anything_but_text_is_refused_instead_of_losing_it(inside, kind):
    text = ladder_text(level_text(experience=f"- {inside}"))
    reported(text, line_of(text, f"- {inside}"), f"a bullet holds text only, not a {kind}")


def test_a_bullet_holding_an_indented_code_block_is_refused():
    text = ladder_text(level_text(experience="- 2 years.\n\n        in the role"))
    reported(text, line_of(text, "in the role"), "a bullet holds text only, not a code_block")


# -- integers that are not -----------------------------------------------------------------


@pytest.mark.parametrize(
    "scale", ["{min: false, max: true}", "{min: 0, max: true}", "{min: false, max: 5}"]
)
def test_a_scale_of_true_or_false_is_refused_though_python_counts_them_as_integers(scale):
    text = ladder_text(front=f"scale: {scale}")
    (error,) = errors_of(text)
    assert error.line == 2
    assert "scale must be {min: INTEGER, max: INTEGER}" in error.message


@pytest.mark.parametrize("value", ["true", "false"])
def test_a_whole_number_rule_or_level_number_of_true_or_false_is_refused(value):
    rules = ladder_text(front=f"rules: {{max_rating_shortfall: {value}}}")
    reported(
        rules,
        2,
        f"rule max_rating_shortfall must be a whole number from 0 to 32767, not {value.title()}",
    )
    number = ladder_text(level_text(number=None), front=f"levels: {{SR1: {{number: {value}}}}}")
    reported(
        number, 2, f"level SR1: number must be an integer from -32768 to 32767, not {value.title()}"
    )


# -- writing -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["yes", "on", "1", "1.5", "0x1", "null", "2024-01-01"])
def test_the_canonical_form_of_a_code_yaml_would_read_as_another_value_reads_back(code):
    ladder = parse(ladder_text(level_text(code=code)))
    assert parse(format_ladder(ladder)) == ladder
