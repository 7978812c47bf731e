"""The calibration statistics: worked examples by hand, and properties over any organisation."""

import doctest
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladder.promotions import calibration
from ladder.promotions.calibration import Flag, PersonRatings, calibrate, differences, offsets

EXPECTED = {"Delivery": 3, "Leadership": 2, "People": 1}


def person(manager, rated=None, self_rated=None, ready=False, expected=EXPECTED):
    return PersonRatings(manager, expected, rated, self_rated, ready)


def test_the_worked_examples_in_the_module_hold():
    failures, tried = doctest.testmod(calibration)
    assert tried > 10 and failures == 0


def test_an_organisation_of_three_managers_worked_by_hand():
    people = [
        # Ann rates high: +1, +1, 0 and +2, +1, +1.
        person("ann", {"Delivery": 4, "Leadership": 3, "People": 1}, ready=True),
        person("ann", {"Delivery": 5, "Leadership": 3, "People": 2}, ready=True),
        # Bob rates at what the levels expect: 0, 0, 0; one report not yet assessed.
        person("bob", {"Delivery": 3, "Leadership": 2, "People": 1}, {"Delivery": 4}),
        person("bob"),
        # Cy rates low: -2, -1, 0, with one dimension left unrated.
        person("cy", {"Delivery": 1, "Leadership": 1, "People": None}, {"Delivery": 1}),
    ]

    result = calibrate(people, threshold=0.5)

    # Offsets +1 +1 0 +2 +1 +1 0 0 0 -2 -1: eleven dimensions summing to 3.
    assert result.org.mean_offset == pytest.approx(3 / 11)
    # At or above: all but Cy's two, 9 of 11.
    assert result.org.share_at_or_above == pytest.approx(9 / 11)
    assert (result.org.people, result.org.assessed) == (5, 4)
    assert result.org.share_ready == 0.5  # two of the four assessed
    # Self minus manager: Bob's report 4 - 3, Cy's 1 - 1.
    assert result.org.mean_self_minus_manager == 0.5
    ann, bob, cy = result.managers
    assert (ann.stats.mean_offset, ann.flag) == (1.0, Flag.LENIENT)
    assert ann.difference == pytest.approx(1 - 3 / 11)
    assert (bob.stats.mean_offset, bob.flag) == (0.0, None)
    assert (bob.stats.people, bob.stats.assessed, bob.stats.share_ready) == (2, 1, 0.0)
    assert (cy.stats.mean_offset, cy.flag) == (-1.5, Flag.SEVERE)
    assert cy.stats.share_at_or_above == 0.0
    assert [m.manager for m in result.flagged] == ["ann", "cy"]


def test_a_difference_of_exactly_the_threshold_is_not_flagged():
    # Org: +1 and 0 -> +0.5; Ann +1 is exactly 0.5 above, Bob 0 exactly 0.5 below.
    people = [person("ann", {"Delivery": 4}), person("bob", {"Delivery": 3})]

    result = calibrate(people, threshold=0.5)

    assert [m.flag for m in result.managers] == [None, None]
    assert [m.flag for m in calibrate(people, threshold=0.49).managers] == [
        Flag.LENIENT,
        Flag.SEVERE,
    ]


def test_a_threshold_is_compared_exactly_not_through_rounding():
    # Ann: 2/3; the organisation: (2 + 0 + 0 - 1) / 6 = 1/6; the difference is exactly 0.5,
    # which floating point alone would put a hair under or over.
    people = [
        person("ann", {"Delivery": 4, "Leadership": 3, "People": 1}),
        person("bob", {"Delivery": 3, "Leadership": 2, "People": 0}),
    ]

    result = calibrate(people, threshold=0.5)

    assert result.managers[0].difference == pytest.approx(0.5)
    assert result.managers[0].flag is None


def test_nobody_assessed_gives_none_rather_than_zero():
    result = calibrate([person("ann"), person("bob")], threshold=0.5)

    assert result.org.mean_offset is None
    assert result.org.share_at_or_above is None
    assert result.org.share_ready is None
    assert result.org.mean_self_minus_manager is None
    assert all(m.flag is None and m.difference is None for m in result.managers)


def test_an_empty_cycle_has_no_managers_and_no_means():
    result = calibrate([], threshold=0.5)

    assert result.managers == ()
    assert (result.org.people, result.org.mean_offset) == (0, None)


def test_an_assessment_with_every_dimension_unrated_counts_as_assessed_but_adds_no_offset():
    result = calibrate([person("ann", {"Delivery": None})], threshold=0.5)

    assert (result.org.assessed, result.org.mean_offset, result.org.share_ready) == (1, None, 0.0)


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        calibrate([], threshold=-0.1)


def test_dimensions_the_level_does_not_rate_or_one_side_left_empty_are_left_out():
    assert offsets(EXPECTED, {"Delivery": 5, "Elsewhere": 1, "People": None}) == {"Delivery": 2}
    assert differences({"Delivery": 5, "People": 1}, {"Delivery": 3, "People": None}) == {
        "Delivery": 2
    }


def test_the_explanation_names_the_manager_and_both_means():
    result = calibrate(
        [person(7, {"Delivery": 5})] + [person(8, {"Delivery": r}) for r in (3, 3, 4, 4)],
        threshold=0.5,
    )

    lenient = result.managers[0]
    assert lenient.explanation(result.org, "Mia Manager") == (
        "Lenient: Mia Manager's ratings are on average +2.00 against what the levels expect, "
        "1.20 above the organisation's +0.80 (flagged beyond 0.5)."
    )
    assert result.managers[1].explanation(result.org) == ""


# -- properties over any organisation ----------------------------------------------------------

DIMENSIONS = ["Delivery", "Leadership", "People"]
ratings = st.fixed_dictionaries({d: st.one_of(st.none(), st.integers(1, 5)) for d in DIMENSIONS})
people_strategy = st.lists(
    st.builds(
        PersonRatings,
        manager=st.sampled_from(["ann", "bob", "cy", None]),
        expected=st.fixed_dictionaries({d: st.integers(1, 5) for d in DIMENSIONS}),
        manager_rated=st.one_of(st.none(), ratings),
        self_rated=st.one_of(st.none(), ratings),
        ready=st.booleans(),
    ),
    max_size=30,
)
thresholds = st.sampled_from([0, 0.25, 0.5, 1, 2])


@given(people_strategy, thresholds)
def test_every_share_lies_between_nothing_and_everything(people, threshold):
    result = calibrate(people, threshold=threshold)

    for stats in [result.org, *(m.stats for m in result.managers)]:
        assert stats.assessed <= stats.people
        for share in (stats.share_at_or_above, stats.share_ready):
            assert share is None or 0 <= share <= 1


@given(people_strategy, thresholds)
def test_the_groups_add_up_to_the_organisation(people, threshold):
    result = calibrate(people, threshold=threshold)

    assert sum(m.stats.people for m in result.managers) == result.org.people == len(people)
    assert sum(m.stats.assessed for m in result.managers) == result.org.assessed
    # The organisation's mean offset is the managers' weighted by their rated dimensions.
    weighted = [
        (Fraction(m.stats.mean_offset), _rated(people, m.manager))
        for m in result.managers
        if m.stats.mean_offset is not None
    ]
    if weighted:
        total = sum(mean * count for mean, count in weighted) / sum(c for _, c in weighted)
        assert result.org.mean_offset == pytest.approx(float(total))
    else:
        assert result.org.mean_offset is None


@given(people_strategy, thresholds)
def test_a_flag_means_beyond_the_threshold_on_its_side(people, threshold):
    result = calibrate(people, threshold=threshold)

    for m in result.managers:
        if m.flag == Flag.LENIENT:
            assert m.difference > threshold - 1e-9
        elif m.flag == Flag.SEVERE:
            assert m.difference < -threshold + 1e-9
        elif m.difference is not None:
            assert abs(m.difference) <= threshold + 1e-9


@given(people_strategy)
def test_one_manager_alone_is_never_flagged(people):
    alone = [
        PersonRatings("ann", p.expected, p.manager_rated, p.self_rated, p.ready) for p in people
    ]

    assert calibrate(alone, threshold=0).flagged == ()


@given(people_strategy, st.integers(-2, 2))
def test_raising_every_rating_moves_every_mean_offset_by_as_much(people, step):
    raised = [
        PersonRatings(
            p.manager,
            p.expected,
            None
            if p.manager_rated is None
            else {d: None if r is None else r + step for d, r in p.manager_rated.items()},
            p.self_rated,
            p.ready,
        )
        for p in people
    ]

    before, after = calibrate(people, threshold=0.5), calibrate(raised, threshold=0.5)

    if before.org.mean_offset is None:
        assert after.org.mean_offset is None
    else:
        assert after.org.mean_offset == pytest.approx(before.org.mean_offset + step)
    # Every manager moves together, so no flag changes.
    assert [m.flag for m in before.managers] == [m.flag for m in after.managers]


def _rated(people, manager) -> int:
    return sum(
        len(offsets(p.expected, p.manager_rated))
        for p in people
        if p.manager == manager and p.manager_rated is not None
    )
