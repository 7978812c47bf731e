"""The bundled .NET ladder: every level, its figures, and where each level leads."""

import pytest

from ladder.frameworks.parse import parse_file
from tests.conftest import DOTNET

EXPECTED = [
    # number, code, title, track, ratings, months
    (1, "JR1", "Junior Developer I", "Developer", (2, 1, 1), 12),
    (2, "JR2", "Junior Developer II", "Developer", (3, 1, 1), 12),
    (3, "MD1", "Mid-level Developer I", "Developer", (3, 2, 1), 12),
    (4, "MD2", "Mid-level Developer II", "Developer", (4, 2, 2), 12),
    (5, "SR1", "Senior Developer I", "Developer", (5, 3, 2), 18),
    (6, "SR2", "Senior Developer II", "Developer", (5, 4, 2), 24),
    (6, "TL1", "Tech Lead", "Tech Lead", (4, 4, 3), 12),
    (7, "SP1", "Specialist", "Developer", (5, 5, 2), 24),
    (7, "TL2", "Tech Lead", "Tech Lead", (3, 5, 3), 12),
    (8, "PE1", "Principal Engineer", "Developer", (4, 5, 4), None),
]


@pytest.fixture(scope="module")
def dotnet():
    return parse_file(DOTNET)


def test_the_bundled_ladder_has_every_level_in_order(dotnet):
    actual = [
        (
            level.number,
            level.code,
            level.title,
            level.track,
            tuple(level.ratings[d] for d in dotnet.dimensions),
            level.minimum_experience.months,
        )
        for level in dotnet.levels
    ]
    assert actual == EXPECTED


def test_every_bundled_level_has_all_seven_sections_filled(dotnet):
    for level in dotnet.levels:
        assert len(level.responsibilities) >= 5, level.code
        assert len(level.skills) >= 4, level.code
        assert len(level.soft_skills) >= 3, level.code
        assert level.minimum_experience.text, level.code
        assert len(level.next_actions) >= 3, level.code
        assert len(level.scenario) >= 3, level.code
        assert f"at level {level.number}" in level.scenario[0], level.code


def test_no_two_bundled_levels_share_a_criterion(dotnet):
    texts = [text for level in dotnet.levels for _, text in level.criteria()]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    "code, next_codes",
    [
        ("JR1", ["JR2"]),
        ("MD2", ["SR1"]),
        ("SR1", ["SR2", "TL1"]),
        ("SR2", ["SP1"]),
        ("TL1", ["TL2"]),
        ("SP1", ["PE1"]),
        ("TL2", ["PE1"]),
        ("PE1", []),
    ],
)
def test_next_levels_follow_the_track_branch_and_join(dotnet, code, next_codes):
    level = dotnet.level(code)
    assert [lv.code for lv in dotnet.next_levels(level)] == next_codes


def test_previous_and_lateral_levels_mirror_the_next_levels(dotnet):
    assert [lv.code for lv in dotnet.previous_levels(dotnet.level("PE1"))] == ["SP1", "TL2"]
    assert [lv.code for lv in dotnet.previous_levels(dotnet.level("TL1"))] == ["SR1"]
    assert [lv.code for lv in dotnet.lateral_levels(dotnet.level("TL2"))] == ["SP1"]
    assert dotnet.previous_levels(dotnet.level("JR1")) == []


def test_the_tracks_are_developer_and_tech_lead(dotnet):
    assert dotnet.tracks() == ["Developer", "Tech Lead"]
