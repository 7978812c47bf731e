"""The user's own document, level TL2, read exactly; and its place in the bundled ladder."""

from ladder.frameworks.parse import parse, parse_file
from tests.conftest import DOTNET, SEED


def test_the_seed_loads_without_front_matter(seed_text):
    ladder = parse(seed_text)

    assert ladder.title == ".NET Developer Career Ladder"
    assert ladder.dimensions == ("Team Contributor", "Technical Leadership", "People Management")
    assert (ladder.scale.min, ladder.scale.max) == (1, 5)
    [level] = ladder.levels
    assert (level.code, level.title, level.number, level.track) == (
        "TL2",
        "Tech Lead",
        7,
        "Tech Lead",
    )
    assert level.ratings == {
        "Team Contributor": 3,
        "Technical Leadership": 5,
        "People Management": 3,
    }
    assert level.minimum_experience.months == 12


def test_the_seed_has_eighteen_criteria_in_three_sections(seed_text):
    [level] = parse(seed_text).levels

    assert len(level.responsibilities) == 9
    assert len(level.skills) == 5
    assert len(level.soft_skills) == 4
    assert len(level.criteria()) == 18
    assert level.responsibilities[0] == "Leading multiple teams or sub-teams."
    assert level.soft_skills[-1] == "Drives a culture of continuous improvement and innovation."


def test_the_seed_keeps_its_other_sections_as_written(seed_text):
    [level] = parse(seed_text).levels

    assert level.minimum_experience.text == (
        "Consider a promotion after gaining 1 or more years of practical experience in TL2.",
        "Significant experience leading and influencing organizational-level initiatives.",
    )
    assert len(level.next_actions) == 4
    assert (
        level.next_actions[-1] == "Represent the organization in industry events and discussions."
    )
    assert len(level.scenario) == 4
    assert "at level 7" in level.scenario[0]


def test_the_bundled_ladder_holds_tl2_exactly_as_the_seed():
    [seed_level] = parse_file(SEED).levels
    bundled = parse_file(DOTNET)

    assert bundled.level("TL2") == seed_level
    assert bundled.title == parse_file(SEED).title
