"""The readiness rule: worked examples on the bundled ladder, then properties of any assessment."""

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ladder.assessments.readiness import (
    AssessmentFacts,
    CriterionRating,
    Readiness,
    Status,
    Verdict,
    is_stale,
    judge_readiness,
)
from ladder.frameworks.experience import add_months, months_between
from ladder.frameworks.ladder_data import PromotionRules
from ladder.frameworks.parse import parse_file

DOTNET = parse_file(Path(__file__).resolve().parents[2] / "ladders" / "dotnet.md")
TL2, PE1 = DOTNET.level("TL2"), DOTNET.level("PE1")
SINCE = date(2025, 1, 15)
ELEVEN_MONTHS_LATER = date(2026, 1, 14)
TWELVE_MONTHS_LATER = date(2026, 1, 15)
READINESS_ORDER = [Verdict.NOT_YET, Verdict.ELIGIBLE_FROM, Verdict.READY]
STATUS_ORDER = [Status.NOT_YET, Status.DEVELOPING, Status.MEETS, Status.EXCEEDS]


def facts(target=PE1, ratings=None, statuses=None, default=Status.MEETS) -> AssessmentFacts:
    """An assessment meeting `target` everywhere, except the given ratings and statuses by index."""
    statuses = statuses or {}
    return AssessmentFacts(
        ratings={**target.ratings, **(ratings or {})},
        criteria=tuple(
            CriterionRating(section, text, statuses.get(index, default))
            for index, (section, text) in enumerate(target.criteria())
        ),
    )


def judge(
    assessment, target=PE1, current=TL2, rules=DOTNET.rules, since=SINCE, today=None
) -> Readiness:
    return judge_readiness(
        target=target,
        current=current,
        rules=rules,
        assessment=assessment,
        level_since=since,
        today=today or TWELVE_MONTHS_LATER,
    )


def test_the_bundled_pe1_has_seventeen_criteria_and_default_rules():
    # The figures of the examples below rest on these.
    assert len(PE1.criteria()) == 17
    assert DOTNET.rules == PromotionRules()
    assert TL2.minimum_experience.months == 12


def test_a_tl2_with_eleven_months_in_level_is_eligible_from_the_day_they_reach_twelve():
    readiness = judge(facts(), today=ELEVEN_MONTHS_LATER)
    assert readiness.verdict == Verdict.ELIGIBLE_FROM
    assert readiness.eligible_from == TWELVE_MONTHS_LATER
    assert (readiness.months_in_level, readiness.months_required) == (11, 12)
    assert readiness.summary == "Eligible for PE1 from 15 January 2026: everything else is met."
    [gap] = readiness.gaps
    assert (gap.kind, gap.subject) == ("experience", "time in level")
    assert gap.text == (
        "11 months' time in level in TL2; at least 12 needed, reached on 15 January 2026."
    )


def test_a_month_earlier_they_are_eligible_from_the_same_day():
    readiness = judge(facts(), today=date(2025, 12, 14))
    assert readiness.months_in_level == 10
    assert readiness.verdict == Verdict.ELIGIBLE_FROM
    assert readiness.eligible_from == TWELVE_MONTHS_LATER


def test_a_tl2_meeting_everything_is_ready_on_their_twelve_month_anniversary():
    readiness = judge(facts(), today=TWELVE_MONTHS_LATER)
    assert readiness.verdict == Verdict.READY
    assert readiness.summary == "Ready for PE1."
    assert readiness.gaps == ()
    assert readiness.eligible_from is None
    assert (readiness.criteria_met, readiness.criteria_counted) == (17, 17)


def test_reasons_come_as_dimensions_in_the_targets_order_then_criteria_then_time_in_level():
    readiness = judge(facts(statuses={0: Status.NOT_YET}))
    assert [(r.kind, r.subject) for r in readiness.reasons] == [
        ("dimension", "Team Contributor"),
        ("dimension", "Technical Leadership"),
        ("dimension", "People Management"),
        ("criteria", "criteria met"),
        ("responsibility", PE1.responsibilities[0]),
        ("experience", "time in level"),
    ]


def test_a_dimension_one_below_expected_is_a_gap_naming_it_and_both_figures():
    readiness = judge(facts(ratings={"Technical Leadership": 4}))
    assert readiness.verdict == Verdict.NOT_YET
    assert readiness.summary == "Not yet ready for PE1: 1 gap."
    [gap] = readiness.gaps
    assert (gap.kind, gap.subject) == ("dimension", "Technical Leadership")
    assert gap.text == "Technical Leadership is rated 4; PE1 expects 5."


def test_a_dimension_above_expected_is_met():
    readiness = judge(facts(ratings={"Team Contributor": 5}))
    assert readiness.verdict == Verdict.READY


def test_an_unrated_dimension_is_a_gap():
    readiness = judge(facts(ratings={"People Management": None}))
    [gap] = readiness.gaps
    assert gap.text == "People Management is not rated; PE1 expects 4."


def test_every_criterion_short_of_meets_is_named_on_the_share_grouped_by_section():
    responsibilities, skills = len(PE1.responsibilities), len(PE1.skills)
    first_skill, first_soft_skill = responsibilities, responsibilities + skills
    statuses = {
        first_soft_skill: Status.DEVELOPING,
        1: Status.DEVELOPING,
        first_skill: Status.NOT_YET,
        first_skill + 1: Status.NOT_APPLICABLE,
        first_skill + 2: Status.EXCEEDS,
    }
    readiness = judge(facts(statuses=statuses))

    share = readiness.reasons[3]
    assert share.text.startswith("13 of 16 criteria met (81%), 1 not applicable left out")
    assert [(c.text, c.status) for c in share.not_met] == [
        (PE1.responsibilities[1], Status.DEVELOPING),
        (PE1.skills[0], Status.NOT_YET),
        (PE1.soft_skills[0], Status.DEVELOPING),
    ]
    assert [
        (group.heading, [c.text for c in group.criteria]) for group in share.not_met_by_section()
    ] == [
        ("Responsibilities", [PE1.responsibilities[1]]),
        ("Skills and Criteria", [PE1.skills[0]]),
        ("Soft Skills and Collaboration", [PE1.soft_skills[0]]),
    ]
    assert readiness.criteria_not_met == share.not_met
    assert [c.status.label for c in share.not_met] == ["Developing", "Not yet", "Developing"]


def test_a_share_that_clears_its_bar_still_names_the_criteria_left_to_meet():
    readiness = judge(facts(statuses={index: Status.DEVELOPING for index in (8, 9, 10)}))

    assert readiness.verdict == Verdict.READY
    assert readiness.reasons[3].met
    assert [c.text for c in readiness.criteria_not_met] == [
        text for _, text in PE1.criteria()[8:11]
    ]
    assert [g.section for g in readiness.reasons[3].not_met_by_section()] == ["skills"]


def test_only_the_criteria_share_names_criteria_and_a_clean_sweep_names_none():
    readiness = judge(facts())
    assert readiness.criteria_not_met == ()
    assert all(reason.not_met == () for reason in readiness.reasons)
    assert judge(None).criteria_not_met == ()


def test_fourteen_of_seventeen_criteria_met_clears_the_eighty_percent_bar():
    developing = {index: Status.DEVELOPING for index in (8, 9, 10)}  # three skills
    readiness = judge(facts(statuses=developing))
    assert readiness.verdict == Verdict.READY
    assert (readiness.criteria_met, readiness.criteria_counted) == (14, 17)
    assert readiness.reasons[3].text == "14 of 17 criteria met (82%); at least 80% needed."


def test_exactly_eighty_percent_of_criteria_met_passes():
    # 12 of 15: two not applicable, three developing.
    statuses = {8: Status.NOT_APPLICABLE, 9: Status.NOT_APPLICABLE}
    statuses |= {index: Status.DEVELOPING for index in (10, 11, 12)}
    readiness = judge(facts(statuses=statuses))
    assert (readiness.criteria_met, readiness.criteria_counted) == (12, 15)
    assert readiness.verdict == Verdict.READY
    assert readiness.reasons[3].text == (
        "12 of 15 criteria met (80%), 2 not applicable left out; at least 80% needed."
    )


def test_just_under_eighty_percent_of_criteria_met_is_a_gap():
    # Two more skills make 19 criteria, of which 15 met is 78.9%, shown rounded down.
    target = replace(PE1, skills=PE1.skills + ("Writes RFCs.", "Reviews RFCs."))
    developing = {index: Status.DEVELOPING for index in (8, 9, 10, 11)}
    readiness = judge(facts(target, statuses=developing), target=target)
    assert (readiness.criteria_met, readiness.criteria_counted) == (15, 19)
    assert readiness.verdict == Verdict.NOT_YET
    [gap] = readiness.gaps
    assert (gap.kind, gap.subject) == ("criteria", "criteria met")
    assert gap.text == "15 of 19 criteria met (78%); at least 80% needed."


def test_not_applicable_criteria_are_left_out_of_both_counts():
    # 13 of 17 met would be 76%; with the four others not applicable it is 13 of 13.
    not_applicable = {index: Status.NOT_APPLICABLE for index in (8, 9, 10, 11)}
    readiness = judge(facts(statuses=not_applicable))
    assert (readiness.criteria_met, readiness.criteria_counted) == (13, 13)
    assert readiness.verdict == Verdict.READY


def test_an_assessment_of_only_not_applicable_criteria_does_not_meet_the_share():
    readiness = judge(facts(default=Status.NOT_APPLICABLE))
    [gap] = readiness.gaps
    assert gap.kind == "criteria"
    assert "no criterion is rated other than not applicable" in gap.text
    assert readiness.verdict == Verdict.NOT_YET


def test_exceeds_counts_as_met():
    readiness = judge(facts(default=Status.EXCEEDS))
    assert readiness.criteria_met == 17
    assert readiness.verdict == Verdict.READY


def test_a_responsibility_not_yet_blocks_even_with_most_criteria_met():
    # 16 of 17 (94%) met, one responsibility not yet; then 19 of 20 (95%) on a longer target.
    readiness = judge(facts(statuses={2: Status.NOT_YET}))
    [gap] = readiness.gaps
    assert (gap.kind, gap.subject) == ("responsibility", PE1.responsibilities[2])
    assert gap.text == f"Responsibility rated not yet: {PE1.responsibilities[2]}"
    target = replace(PE1, skills=PE1.skills + ("Writes RFCs.", "Reviews RFCs.", "Runs RFCs."))
    readiness = judge(facts(target, statuses={0: Status.NOT_YET}), target=target)
    assert (readiness.criteria_met, readiness.criteria_counted) == (19, 20)
    assert readiness.verdict == Verdict.NOT_YET
    assert [gap.kind for gap in readiness.gaps] == ["responsibility"]


def test_each_responsibility_not_yet_is_a_gap_of_its_own():
    readiness = judge(facts(statuses={0: Status.NOT_YET, 1: Status.NOT_YET}))
    assert [gap.subject for gap in readiness.gaps] == list(PE1.responsibilities[:2])
    assert readiness.summary == "Not yet ready for PE1: 2 gaps."


def test_a_skill_not_yet_counts_only_towards_the_share():
    readiness = judge(facts(statuses={8: Status.NOT_YET}))
    assert readiness.verdict == Verdict.READY


def test_a_shortfall_of_one_allowed_lets_a_dimension_one_below_pass_but_not_two():
    rules = PromotionRules(max_rating_shortfall=1)
    one_below = judge(facts(ratings={"Technical Leadership": 4}), rules=rules)
    assert one_below.verdict == Verdict.READY
    assert one_below.reasons[1].text == (
        "Technical Leadership is rated 4; PE1 expects 5 (at least 4 allowed)."
    )
    two_below = judge(facts(ratings={"Technical Leadership": 3}), rules=rules)
    assert two_below.verdict == Verdict.NOT_YET


def test_a_lower_criteria_bar_lets_half_the_criteria_through():
    developing = {index: Status.DEVELOPING for index in range(9, 17)}  # 9 of 17 met
    assert judge(facts(statuses=developing)).verdict == Verdict.NOT_YET
    rules = PromotionRules(min_criteria_met=0.5)
    readiness = judge(facts(statuses=developing), rules=rules)
    assert readiness.verdict == Verdict.READY
    assert readiness.reasons[3].text == "9 of 17 criteria met (52%); at least 50% needed."


def test_allowing_responsibilities_not_yet_removes_those_gaps():
    rules = PromotionRules(allow_responsibility_not_yet=True)
    readiness = judge(facts(statuses={0: Status.NOT_YET}), rules=rules)
    assert readiness.verdict == Verdict.READY
    assert all(reason.kind != "responsibility" for reason in readiness.reasons)


def test_without_a_minimum_experience_rule_eleven_months_is_enough():
    rules = PromotionRules(require_minimum_experience=False)
    readiness = judge(facts(), rules=rules, today=ELEVEN_MONTHS_LATER)
    assert readiness.verdict == Verdict.READY
    assert (readiness.months_in_level, readiness.months_required) == (11, None)
    assert readiness.reasons[-1].text == "This ladder's rules ask for no minimum time in level."


def test_with_other_gaps_the_time_in_level_is_one_more_gap_and_the_date_is_still_given():
    readiness = judge(facts(ratings={"Team Contributor": 3}), today=ELEVEN_MONTHS_LATER)
    assert readiness.verdict == Verdict.NOT_YET
    assert [gap.kind for gap in readiness.gaps] == ["dimension", "experience"]
    assert readiness.eligible_from == TWELVE_MONTHS_LATER
    assert readiness.summary == "Not yet ready for PE1: 2 gaps."


def test_without_an_assessment_the_person_is_not_assessed_and_told_what_to_do():
    readiness = judge(None, today=ELEVEN_MONTHS_LATER)
    assert readiness.verdict == Verdict.NOT_ASSESSED
    assert readiness.summary == (
        "Not assessed against PE1 yet: ask your manager for an assessment against PE1, "
        "or write a self-assessment first."
    )
    assert [reason.kind for reason in readiness.reasons] == ["experience"]
    assert (readiness.criteria_met, readiness.criteria_counted) == (0, 0)


def test_a_manager_is_told_a_report_is_not_assessed_rather_than_to_ask_themself():
    assert judge(None).manager_summary == "Not assessed against PE1 yet."
    for readiness in (judge(facts()), judge(facts(ratings={"People Management": 1}))):
        assert readiness.manager_summary == readiness.summary


@pytest.mark.parametrize(
    ("assessed_on", "today", "stale"),
    [
        (date(2026, 1, 15), date(2026, 7, 14), False),  # a day short of six whole months
        (date(2026, 1, 15), date(2026, 7, 15), True),
        (date(2025, 8, 31), date(2026, 2, 28), False),  # no 31 February: months end on the 31st
        (date(2025, 8, 31), date(2026, 3, 31), True),
        (date(2026, 1, 15), date(2026, 1, 15), False),
    ],
)
def test_a_verdict_grows_stale_once_its_assessment_is_six_whole_months_old(
    assessed_on, today, stale
):
    assert is_stale(assessed_on, today, 6) == stale


def test_a_pe1_has_no_time_in_level_to_serve():
    beyond = replace(PE1, code="DE1", title="Distinguished Engineer", number=9)
    readiness = judge(facts(beyond), target=beyond, current=PE1, today=SINCE)
    assert readiness.verdict == Verdict.READY
    assert (readiness.months_in_level, readiness.months_required) == (0, None)
    assert readiness.reasons[-1].text == "PE1 has no minimum time in level."


def test_someone_without_a_current_level_has_no_time_in_level_to_serve():
    readiness = judge(facts(), current=None, since=None)
    assert readiness.verdict == Verdict.READY
    assert readiness.months_in_level is None
    assert readiness.reasons[-1].text == ("There is no current level, so no minimum time in level.")


def test_an_unknown_start_date_leaves_the_time_in_level_unmet_with_no_date():
    readiness = judge(facts(), since=None)
    assert readiness.verdict == Verdict.NOT_YET
    assert readiness.eligible_from is None
    [gap] = readiness.gaps
    assert gap.kind == "experience"
    assert "unknown" in gap.text


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 8, 31), 18, date(2027, 2, 28)),
        (date(2025, 1, 15), 12, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_or_clamps_it_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2025, 1, 15), date(2026, 1, 14), 11),
        (date(2025, 1, 15), date(2026, 1, 15), 12),
        (date(2025, 1, 31), date(2025, 2, 28), 0),
        (date(2025, 1, 31), date(2025, 3, 1), 1),
        (date(2025, 5, 1), date(2025, 5, 1), 0),
    ],
)
def test_months_between_counts_whole_calendar_months(start, end, expected):
    assert months_between(start, end) == expected


def test_someone_who_started_on_a_leap_day_is_eligible_once_the_whole_months_are_served():
    # 29 February + 12 months clamps to 28 February, still 11 whole months; 1 March is 12.
    readiness = judge(facts(), since=date(2024, 2, 29), today=date(2025, 2, 1))
    assert readiness.eligible_from == date(2025, 3, 1)
    assert judge(facts(), since=date(2024, 2, 29), today=date(2025, 2, 28)).verdict == (
        Verdict.ELIGIBLE_FROM
    )
    assert judge(facts(), since=date(2024, 2, 29), today=date(2025, 3, 1)).verdict == (
        Verdict.READY
    )


# Properties: any assessment against any target the bundled ladder promotes to.

PROMOTIONS = [
    (current, target) for current in DOTNET.levels for target in DOTNET.next_levels(current)
]
SCALE = DOTNET.scale
days = st.dates(date(2020, 1, 1), date(2030, 12, 31))
# Month ends often, where adding months clamps (31 August + 18 months is 28 February).
month_ends = days.map(lambda day: add_months(day.replace(day=1), 1) - timedelta(days=1))


# Mostly-met statuses, so that ready and eligible cases come up often, not by rare luck.
MOSTLY_MET = [Status.MEETS] * 8 + [Status.EXCEEDS] * 4 + STATUS_ORDER[:2] + [Status.NOT_APPLICABLE]


@st.composite
def cases(draw) -> dict:
    current, target = draw(st.sampled_from(PROMOTIONS))
    close = draw(st.booleans())
    status = st.sampled_from(MOSTLY_MET if close else list(Status))

    def rating(expected: int):
        if close:
            return st.integers(max(SCALE.min, expected - 1), SCALE.max)
        return st.one_of(st.none(), st.integers(SCALE.min, SCALE.max))

    assessment = AssessmentFacts(
        ratings={
            dimension: draw(rating(expected)) for dimension, expected in target.ratings.items()
        },
        criteria=tuple(
            CriterionRating(section, text, draw(status)) for section, text in target.criteria()
        ),
    )
    since = draw(st.one_of(days, month_ends))
    return {
        "target": target,
        "current": draw(st.sampled_from([current, current, current, None])),
        "rules": draw(
            st.builds(
                PromotionRules,
                min_criteria_met=st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0]),
                max_rating_shortfall=st.integers(0, 2),
                allow_responsibility_not_yet=st.booleans(),
                require_minimum_experience=st.booleans(),
            )
        ),
        "assessment": assessment,
        "level_since": draw(st.sampled_from([since, since, since, since, None])),
        "today": since + timedelta(days=draw(st.integers(0, 1200))),
    }


def rank(readiness: Readiness) -> int:
    return READINESS_ORDER.index(readiness.verdict)


@settings(max_examples=300)
@given(cases(), st.data())
def test_raising_any_single_rating_never_makes_a_person_less_ready(case, data):
    ratings = case["assessment"].ratings
    dimension = data.draw(st.sampled_from(list(ratings)))
    low = SCALE.min if ratings[dimension] is None else ratings[dimension] + 1
    assume(low <= SCALE.max)
    raised = {**ratings, dimension: data.draw(st.integers(low, SCALE.max))}
    before = judge_readiness(**case)
    after = judge_readiness(**{**case, "assessment": replace(case["assessment"], ratings=raised)})
    assert rank(after) >= rank(before)


@settings(max_examples=300)
@given(cases(), st.data())
def test_raising_a_criterions_status_never_makes_a_person_less_ready(case, data):
    criteria = case["assessment"].criteria
    index = data.draw(st.integers(0, len(criteria) - 1))
    assume(criteria[index].status in STATUS_ORDER[:-1])
    higher = STATUS_ORDER[STATUS_ORDER.index(criteria[index].status) + 1 :]
    raised = replace(criteria[index], status=data.draw(st.sampled_from(higher)))
    criteria = criteria[:index] + (raised,) + criteria[index + 1 :]
    before = judge_readiness(**case)
    after = judge_readiness(
        **{**case, "assessment": replace(case["assessment"], criteria=criteria)}
    )
    assert rank(after) >= rank(before)


@settings(max_examples=300)
@given(cases(), st.integers(1, 800))
def test_more_time_in_level_never_makes_a_person_less_ready(case, days_later):
    before = judge_readiness(**case)
    after = judge_readiness(**{**case, "today": case["today"] + timedelta(days=days_later)})
    assert rank(after) >= rank(before)


@settings(max_examples=300)
@given(cases())
def test_an_eligible_from_date_lies_ahead_and_brings_readiness_on_that_very_day(case):
    readiness = judge_readiness(**case)
    if readiness.eligible_from is None:
        assert readiness.verdict != Verdict.ELIGIBLE_FROM
        return
    assert readiness.eligible_from > case["today"]
    if readiness.verdict == Verdict.ELIGIBLE_FROM:
        day_before = readiness.eligible_from - timedelta(days=1)
        assert judge_readiness(**{**case, "today": day_before}).verdict == Verdict.ELIGIBLE_FROM
        on_the_day = judge_readiness(**{**case, "today": readiness.eligible_from})
        assert on_the_day.verdict == Verdict.READY


@settings(max_examples=300)
@given(cases())
def test_every_gap_is_named_in_its_own_sentence(case):
    readiness = judge_readiness(**case)
    for gap in readiness.gaps:
        assert gap.subject
        assert gap.subject in gap.text
        assert gap.text.endswith(".")
    assert readiness.summary.startswith(
        {
            Verdict.READY: "Ready for",
            Verdict.ELIGIBLE_FROM: "Eligible for",
            Verdict.NOT_YET: "Not yet ready for",
        }[readiness.verdict]
    )
    if readiness.verdict == Verdict.NOT_YET:
        assert str(len(readiness.gaps)) in readiness.summary


@settings(max_examples=100)
@given(cases())
def test_without_an_assessment_the_verdict_is_always_not_assessed(case):
    readiness = judge_readiness(**{**case, "assessment": None})
    assert readiness.verdict == Verdict.NOT_ASSESSED
    assert [reason.kind for reason in readiness.reasons] == ["experience"]


@settings(max_examples=200)
@given(cases())
def test_the_criteria_named_as_not_met_are_exactly_those_counted_and_short_of_meets(case):
    readiness = judge_readiness(**case)
    short = [
        c for c in case["assessment"].criteria if c.status in (Status.NOT_YET, Status.DEVELOPING)
    ]
    assert list(readiness.criteria_not_met) == short
    assert readiness.criteria_counted - readiness.criteria_met == len(short)
    # The ladder lists criteria section by section, so grouping keeps them as they were.
    grouped = [c for r in readiness.reasons for g in r.not_met_by_section() for c in g.criteria]
    assert grouped == short


@given(
    start=st.dates(min_value=date(9990, 1, 1)) | st.dates(max_value=date(1, 12, 31)),
    months=st.integers(min_value=-600, max_value=600),
)
def test_months_past_either_end_of_the_calendar_stop_at_that_end(start, months):
    day = add_months(start, months)

    assert date.min <= day <= date.max
    if months >= 0:
        assert day >= start
    else:
        assert day <= start


def test_a_level_begun_at_the_end_of_the_calendar_is_never_served_out_not_a_crash():
    from ladder.frameworks.experience import first_day_of

    assert first_day_of(date(9999, 12, 1), 12) == date.max
