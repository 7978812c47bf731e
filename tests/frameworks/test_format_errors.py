"""The ladder file parser: every error it reports, with its line, and the variants it accepts."""

import re
import textwrap

import pytest

from ladder.frameworks.format import LadderError, ParseError, months_of, parse
from ladder.frameworks.model import PromotionRules

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
