"""Whether a person is ready for a target level: a pure rule over one assessment and two dates.

No Django here, so the rule reads, tests and runs on its own; callers turn stored rows into
AssessmentFacts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ladder.frameworks.experience import first_day_of, months_between
from ladder.frameworks.ladder_data import CRITERIA_SECTIONS, Level, PromotionRules

# Spelled out rather than strftime("%B") so the text never depends on the process locale.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")  # fmt: skip
TIME_IN_LEVEL = "time in level"
CRITERIA_MET = "criteria met"


class Status(StrEnum):
    NOT_YET = "not_yet"
    DEVELOPING = "developing"
    MEETS = "meets"
    EXCEEDS = "exceeds"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """As pages show it: "Not yet", "Developing"."""
        return self.value.replace("_", " ").capitalize()


# What counts towards the share of criteria met; not yet and developing are both short of it.
MET_STATUSES = (Status.MEETS, Status.EXCEEDS)


class Verdict(StrEnum):
    READY = "ready"
    NOT_YET = "not_yet"
    ELIGIBLE_FROM = "eligible_from"
    NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class CriterionRating:
    section: str  # "responsibilities" | "skills" | "soft_skills"
    text: str
    status: Status


@dataclass(frozen=True)
class AssessmentFacts:
    """What the rule needs of the latest shared manager assessment against the target."""

    ratings: Mapping[str, int | None]
    criteria: tuple[CriterionRating, ...]


@dataclass(frozen=True)
class SectionCriteria:
    section: str  # "responsibilities" | "skills" | "soft_skills"
    heading: str  # the section's heading in the ladder: "Skills and Criteria"
    criteria: tuple[CriterionRating, ...]


@dataclass(frozen=True)
class Reason:
    kind: str  # "dimension" | "criteria" | "responsibility" | "experience"
    subject: str  # the dimension, the criterion's text, "criteria met" or "time in level"
    met: bool
    text: str  # a whole sentence naming the figures
    # On the criteria share, every counted criterion not met (rated not yet or developing), so
    # a page names each one rather than only counting them: the share may clear its bar and
    # still leave some.
    not_met: tuple[CriterionRating, ...] = ()

    def not_met_by_section(self) -> tuple[SectionCriteria, ...]:
        """The criteria not met, grouped by section in the ladder's order; empty sections left out."""
        return tuple(
            SectionCriteria(section, heading, found)
            for section, heading in CRITERIA_SECTIONS.items()
            if (found := tuple(c for c in self.not_met if c.section == section))
        )


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    target_code: str
    reasons: tuple[Reason, ...]
    eligible_from: date | None
    criteria_met: int
    criteria_counted: int
    months_in_level: int | None
    months_required: int | None

    @property
    def gaps(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if not reason.met)

    @property
    def criteria_not_met(self) -> tuple[CriterionRating, ...]:
        """Every counted criterion not met, whether or not the share clears its bar."""
        return tuple(c for reason in self.reasons for c in reason.not_met)

    @property
    def summary(self) -> str:
        code = self.target_code
        if self.verdict == Verdict.READY:
            return f"Ready for {code}."
        if self.verdict == Verdict.ELIGIBLE_FROM:
            day = format_date(self.eligible_from)
            return f"Eligible for {code} from {day}: everything else is met."
        if self.verdict == Verdict.NOT_ASSESSED:
            return (
                f"Not assessed against {code} yet: ask your manager for an assessment "
                f"against {code}, or write a self-assessment first."
            )
        count = len(self.gaps)
        return f"Not yet ready for {code}: {count} {'gap' if count == 1 else 'gaps'}."

    @property
    def manager_summary(self) -> str:
        """The verdict as a manager reads it: `summary` tells the person whom to ask for an
        assessment, which a manager looking at their reports would be telling themself."""
        if self.verdict == Verdict.NOT_ASSESSED:
            return f"Not assessed against {self.target_code} yet."
        return self.summary


def format_date(day: date | None) -> str:
    return "" if day is None else f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def is_stale(assessed_on: date, today: date, months: int) -> bool:
    """Whether a verdict resting on an assessment of `assessed_on` has grown stale: once `months`
    whole months have passed, counted as time in level is."""
    return months_between(assessed_on, today) >= months


def judge_readiness(
    *,
    target: Level,
    current: Level | None,
    rules: PromotionRules,
    assessment: AssessmentFacts | None,
    level_since: date | None,
    today: date,
) -> Readiness:
    experience, months, required, eligible_from = _time_in_level(current, rules, level_since, today)
    if assessment is None:
        return Readiness(
            Verdict.NOT_ASSESSED, target.code, (experience,), eligible_from, 0, 0, months, required
        )
    counted = [c for c in assessment.criteria if c.status != Status.NOT_APPLICABLE]
    not_met = tuple(c for c in counted if c.status not in MET_STATUSES)
    met = len(counted) - len(not_met)
    reasons = (
        *_dimensions(target, rules, assessment.ratings),
        _criteria_share(not_met, len(counted), len(assessment.criteria) - len(counted), rules),
        *_responsibilities_not_yet(assessment.criteria, rules),
        experience,
    )
    gaps = [reason for reason in reasons if not reason.met]
    if not gaps:
        verdict = Verdict.READY
    elif eligible_from is not None and all(gap.kind == "experience" for gap in gaps):
        verdict = Verdict.ELIGIBLE_FROM
    else:
        verdict = Verdict.NOT_YET
    return Readiness(
        verdict, target.code, reasons, eligible_from, met, len(counted), months, required
    )


def _dimensions(
    target: Level, rules: PromotionRules, ratings: Mapping[str, int | None]
) -> Iterator[Reason]:
    shortfall = rules.max_rating_shortfall
    for dimension, expected in target.ratings.items():
        rating = ratings.get(dimension)
        expects = f"{target.code} expects {expected}"
        if shortfall:
            expects += f" (at least {expected - shortfall} allowed)"
        if rating is None:
            yield Reason("dimension", dimension, False, f"{dimension} is not rated; {expects}.")
        else:
            met = rating >= expected - shortfall
            yield Reason("dimension", dimension, met, f"{dimension} is rated {rating}; {expects}.")


def _criteria_share(
    not_met: tuple[CriterionRating, ...], counted: int, not_applicable: int, rules: PromotionRules
) -> Reason:
    met = counted - len(not_met)
    needed = f"at least {rules.min_criteria_met:.0%} needed"
    if not counted:
        # Nothing to take a share of: an assessment of only "not applicable" shows nothing met.
        text = f"0 of 0 criteria met: no criterion is rated other than not applicable; {needed}."
        return Reason("criteria", CRITERIA_MET, False, text)
    # Rounded down, so a share under the bar is never shown as reaching it.
    text = f"{met} of {counted} criteria met ({met * 100 // counted}%)"
    if not_applicable:
        text += f", {not_applicable} not applicable left out"
    share_met = met / counted >= rules.min_criteria_met
    return Reason("criteria", CRITERIA_MET, share_met, f"{text}; {needed}.", not_met)


def _responsibilities_not_yet(
    criteria: Sequence[CriterionRating], rules: PromotionRules
) -> Iterator[Reason]:
    if rules.allow_responsibility_not_yet:
        return
    for criterion in criteria:
        if criterion.section == "responsibilities" and criterion.status == Status.NOT_YET:
            text = f"Responsibility rated not yet: {criterion.text}"
            yield Reason("responsibility", criterion.text, False, _sentence(text))


def _time_in_level(
    current: Level | None, rules: PromotionRules, level_since: date | None, today: date
) -> tuple[Reason, int | None, int | None, date | None]:
    """The time-in-level reason, with months in level, months required and eligible-from date."""
    # A start date still ahead counts as no time yet rather than a negative one.
    months = None if level_since is None else max(0, months_between(level_since, today))
    if current is None:
        no_minimum = "There is no current level, so no minimum time in level."
    elif not rules.require_minimum_experience:
        no_minimum = "This ladder's rules ask for no minimum time in level."
    elif current.minimum_experience.months is None:
        no_minimum = f"{current.code} has no minimum time in level."
    else:
        no_minimum = ""
    if no_minimum:
        return Reason("experience", TIME_IN_LEVEL, True, no_minimum), months, None, None
    required = current.minimum_experience.months
    needed = f"at least {required} needed"
    if level_since is None:
        text = (
            f"The date they started in {current.code} is unknown, so their time in level "
            f"cannot be counted; {needed}."
        )
        return Reason("experience", TIME_IN_LEVEL, False, text), None, required, None
    text = f"{_months(months)} time in level in {current.code}; {needed}"
    if months >= required:
        return Reason("experience", TIME_IN_LEVEL, True, f"{text}."), months, required, None
    eligible_from = first_day_of(level_since, required)
    text += f", reached on {format_date(eligible_from)}."
    return Reason("experience", TIME_IN_LEVEL, False, text), months, required, eligible_from


def _months(count: int) -> str:
    return f"{count} month's" if count == 1 else f"{count} months'"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."
