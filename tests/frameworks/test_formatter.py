"""The canonical formatter: idempotent, and reading its output gives back the same ladder."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.frameworks.experience import months_of
from ladder.frameworks.ladder_data import Ladder, Level, MinimumExperience, PromotionRules, Scale
from ladder.frameworks.parse import parse
from ladder.frameworks.write import format_ladder

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
word = (
    st.tuples(st.sampled_from(LETTERS), st.text(LETTERS + "0123456789.,;:'/&?!-", max_size=10))
    .map("".join)
    .filter(lambda w: w.lower() not in {"level", "at"})
)
number_word = st.sampled_from(["1", "2+", "18", "six", "one", "3 or more"])
phrase = st.lists(word, min_size=1, max_size=8).map(" ".join)
duration = st.tuples(phrase, number_word, st.sampled_from(["years", "months", "year"])).map(
    " ".join
)
capitalised = st.tuples(
    st.sampled_from(LETTERS[26:]), st.text(LETTERS[:26], min_size=1, max_size=8)
)
name = st.lists(capitalised.map("".join), min_size=1, max_size=3).map(" ".join)
bullets = st.lists(phrase, max_size=4).map(tuple)


@st.composite
def ladders(draw) -> Ladder:
    dimensions = tuple(draw(st.lists(name, min_size=1, max_size=5, unique=True)))
    low = draw(st.integers(-2, 3))
    scale = Scale(low, draw(st.integers(low + 1, low + 9)))
    tracks = draw(st.lists(name, min_size=1, max_size=3, unique=True))
    codes = draw(
        st.lists(
            st.from_regex(r"[A-Z]{2}[0-9]", fullmatch=True), min_size=1, max_size=6, unique=True
        )
    )
    levels, number, used = [], 1, set()
    for code in codes:
        number += draw(st.integers(0, 2))
        track = draw(st.sampled_from(tracks))
        # Along one track the numbers must increase.
        if (track, number) in used or any(t == track and n >= number for t, n in used):
            number = max(n for _, n in used) + 1
        used.add((track, number))
        experience = draw(st.lists(st.one_of(phrase, duration), max_size=3).map(tuple))
        months = next((m for m in map(months_of, experience) if m is not None), None)
        levels.append(
            Level(
                code=code,
                title=draw(name),
                number=number,
                track=track,
                responsibilities=draw(st.lists(phrase, min_size=1, max_size=4).map(tuple)),
                skills=draw(st.lists(phrase, min_size=1, max_size=4).map(tuple)),
                soft_skills=draw(st.lists(phrase, min_size=1, max_size=4).map(tuple)),
                minimum_experience=MinimumExperience(months, experience),
                next_actions=draw(bullets),
                scenario=draw(bullets),
                ratings={d: draw(st.integers(scale.min, scale.max)) for d in dimensions},
            )
        )
    rules = PromotionRules(
        min_criteria_met=draw(st.sampled_from([0.5, 0.75, 0.8, 1.0])),
        max_rating_shortfall=draw(st.integers(0, 2)),
        allow_responsibility_not_yet=draw(st.booleans()),
        require_minimum_experience=draw(st.booleans()),
    )
    return Ladder(draw(name), dimensions, tuple(levels), scale, rules)


@settings(max_examples=100, deadline=None)
@given(ladders())
def test_formatting_then_parsing_gives_back_the_same_ladder(ladder):
    assert parse(format_ladder(ladder)) == ladder


@settings(max_examples=100, deadline=None)
@given(ladders())
def test_formatting_is_idempotent(ladder):
    text = format_ladder(ladder)
    assert format_ladder(parse(text)) == text


@settings(max_examples=100, deadline=None)
@given(
    ladders(),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["- ", "* "]),
    st.booleans(),
    st.integers(1, 3),
)
def test_layouts_people_type_read_as_the_canonical_text(ladder, newline, bullet, colon, blanks):
    lines = []
    for line in format_ladder(ladder).splitlines():
        if line.startswith("- "):
            line = bullet + line[2:]
        if line.startswith("### ") and not colon:
            line = line.rstrip(":")
        if line.startswith("|"):
            line = re.sub(r"\s*\|\s*", "|", line)
        lines.append(line)
        if line == "":
            lines += [""] * (blanks - 1)
    assert parse(newline.join(lines)) == ladder


def test_the_seed_formats_to_a_stable_text_that_reads_the_same(seed_text):
    text = format_ladder(parse(seed_text))

    assert parse(text) == parse(seed_text)
    assert format_ladder(parse(text)) == text
    assert text.startswith(
        "---\ndimensions: [Team Contributor, Technical Leadership, People Management]\n"
    )
    assert "  TL2: {number: 7, track: Tech Lead}\n" in text
    assert "| 3                | 5                    | 3                 |" in text
