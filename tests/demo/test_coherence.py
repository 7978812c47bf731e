"""The demo's numbers hang together, checked over the whole organisation, every person and row:
nobody is assessed before they joined or before the level assessed against was their next step,
no growth-plan item is due before it can be met, and evidence is tied only to criteria of the
person's current or next level that its phrase speaks to."""

import datetime
import re
from collections import defaultdict

import pytest
from django.utils import timezone

from ladder.assessments.models import (
    Assessment,
    CriterionAssessment,
    Evidence,
    GrowthItem,
    GrowthPlan,
    current_cycle,
)
from ladder.assessments.selectors import readiness_of_many, standings_of
from ladder.demo.organisation import demo_organisation_create
from ladder.demo.phrases import EVIDENCE_TEXTS, evidence_topics, topics
from ladder.frameworks.selectors import version_ladder
from ladder.people.models import LevelAssignment, Person
from ladder.promotions.models import PromotionCase, ReviewCycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=[(1, 200), (8, 90)], ids=["seed 1, 200 people", "seed 8, 90 people"])
def demo(request):
    seed, people = request.param
    return demo_organisation_create(people=people, seed=seed)


class Histories:
    """Everyone's level history, to ask what level someone held on a day."""

    def __init__(self, version):
        self.rows = defaultdict(list)
        for row in LevelAssignment.objects.select_related("level").order_by("start"):
            self.rows[row.person_id].append(row)
        ladder = version_ladder(version)
        self.next_codes = {
            level.code: {following.code for following in ladder.next_levels(level)}
            for level in ladder.levels
        }

    def hired(self, person_id: int) -> datetime.date | None:
        """The first day in the history; None for someone with none (the top)."""
        rows = self.rows[person_id]
        return rows[0].start if rows else None

    def held(self, person_id: int, day: datetime.date) -> LevelAssignment | None:
        for row in self.rows[person_id]:
            if row.start <= day and (row.end is None or day < row.end):
                return row
        return None


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def test_nobody_is_assessed_before_they_or_the_assessor_joined(demo):
    histories = Histories(demo.version)
    now = timezone.now()
    assessments = Assessment.objects.all()
    assert assessments.count() > 50
    for assessment in assessments:
        moments = [assessment.created_at, assessment.submitted_at, assessment.shared_at]
        moments = [moment for moment in moments if moment is not None]
        assert moments == sorted(moments) and moments[-1] <= now, assessment.pk
        assert assessment.created_at <= assessment.updated_at <= now
        for who in (assessment.person_id, assessment.author_id):
            hired = histories.hired(who)
            assert hired is None or hired <= local_day(assessment.created_at), assessment.pk


def test_each_assessment_is_against_a_next_level_of_the_level_held_all_the_while(demo):
    histories = Histories(demo.version)
    for assessment in Assessment.objects.select_related("level"):
        moments = [assessment.created_at, assessment.submitted_at, assessment.shared_at]
        held = {
            histories.held(assessment.person_id, local_day(moment))
            for moment in moments
            if moment is not None
        }
        # One level from beginning to sharing, and the assessment's level one step above it.
        assert len(held) == 1 and None not in held, assessment.pk
        (row,) = held
        assert assessment.level.code in histories.next_codes[row.level.code]
        assert assessment.cycle == current_cycle(local_day(assessment.created_at))


def test_evidence_is_dated_after_joining_and_added_by_someone_already_there(demo):
    histories = Histories(demo.version)
    today = timezone.localdate()
    people = dict(Person.objects.values_list("pk", "manager_id"))
    for entry in Evidence.objects.all():
        hired = histories.hired(entry.person_id)
        assert hired <= entry.happened_on <= local_day(entry.created_at) <= today
        assert entry.added_by_id in (entry.person_id, people[entry.person_id])
        added_by_hired = histories.hired(entry.added_by_id)
        assert added_by_hired is None or added_by_hired <= entry.happened_on


def phrase_of(text: str) -> str:
    """The evidence phrase a text was written from, its slots filled."""
    found = [template for template, pattern in PHRASES if pattern.fullmatch(text)]
    assert len(found) == 1, text
    return found[0]


PHRASES = [
    (template, re.compile(re.sub(r"\\\{\w+\\\}", lambda _: ".+?", re.escape(template))))
    for template in EVIDENCE_TEXTS
]


def test_evidence_is_tied_only_to_criteria_of_the_current_or_next_level_that_it_speaks_to(demo):
    histories = Histories(demo.version)
    entries = Evidence.objects.prefetch_related("criteria__level")
    assert entries.count() > 50
    tied = 0
    for entry in entries:
        row = histories.held(entry.person_id, entry.happened_on)
        levels = {row.level.code} | histories.next_codes[row.level.code]
        spoken = evidence_topics(phrase_of(entry.text))
        for criterion in entry.criteria.all():
            assert criterion.level.code in levels, entry.pk
            shared = topics(criterion.text) & spoken
            assert shared, f"{entry.text!r} says nothing of {criterion.text!r}"
            tied += 1
    assert tied >= Evidence.objects.count()


def test_every_phrase_speaks_to_some_criterion_and_every_level_has_phrases_for_it(demo):
    ladder = version_ladder(demo.version)
    named = {
        topic for level in ladder.levels for _, text in level.criteria() for topic in topics(text)
    }
    for template in EVIDENCE_TEXTS:
        assert evidence_topics(template) & named, template
    for level in ladder.levels:
        spoken = [
            t
            for t in EVIDENCE_TEXTS
            if any(evidence_topics(t) & topics(c) for _, c in level.criteria())
        ]
        assert len(spoken) >= 10, level.code


def test_answers_point_only_to_evidence_written_before_they_were_saved(demo):
    links = CriterionAssessment.evidence.through.objects.select_related(
        "criterionassessment__assessment", "evidence"
    )
    assert links.count() > 20
    for link in links:
        assessment = link.criterionassessment.assessment
        saved = assessment.submitted_at or assessment.updated_at
        assert link.evidence.created_at <= saved, link.pk
        assert link.evidence.person_id == assessment.person_id


def check_plan_items(items) -> int:
    """Every item due after its plan was made, and a time-in-level item no sooner than the day
    the time is reached (and open until then); how many time-in-level items there were."""
    today = timezone.localdate()
    people = list(Person.objects.all())
    verdicts = readiness_of_many(people, standings_of(people, today), today)
    experience = 0
    for item in items.select_related("plan"):
        plan = item.plan
        # An item from a decision's feedback has no due date until someone gives it one.
        assert item.due is None or item.due > local_day(plan.generated_at), item.pk
        if item.kind == GrowthItem.Kind.EXPERIENCE:
            experience += 1
            _, readiness = verdicts[plan.person_id]
            reached = readiness.eligible_from
            assert reached is not None and item.due >= reached, (
                f"{item.title!r} is due {item.due}, before the time in level is reached"
            )
            assert item.state == GrowthItem.State.OPEN
    return experience


def test_no_item_of_the_plans_the_demo_made_is_due_before_it_can_be_met(demo):
    decided = PromotionCase.objects.decided().values("person")
    plans = GrowthPlan.objects.exclude(person__in=decided)
    # Each made from the manager's shared assessment (not a later adjustment), after it.
    shared = {}
    made = Assessment.objects.filter(role="manager", state="shared", adjusts=None)
    for assessment in made.order_by("shared_at"):
        shared[assessment.person_id] = assessment
    for plan in plans:
        assert plan.generated_at >= shared[plan.person_id].shared_at
    assert check_plan_items(GrowthItem.objects.filter(plan__in=plans)) >= 3


def test_no_item_of_the_plans_a_decision_moved_on_is_due_before_it_can_be_met(demo):
    decided = PromotionCase.objects.decided().values("person")
    items = GrowthItem.objects.filter(plan__person__in=decided)
    assert items.exists()
    check_plan_items(items)


def test_nobody_started_a_level_since_the_round_opened_but_by_its_promotions(demo):
    # The people in the round, and the levels it assesses them against, are those of when it
    # opened: no level begins after that, but those the round's approved cases take effect on.
    cycle = ReviewCycle.objects.get()
    latest = timezone.localdate(cycle.opened_at) - datetime.timedelta(days=14)
    later = LevelAssignment.objects.filter(start__gt=latest)
    approved = PromotionCase.objects.filter(cycle=cycle, state="approved")
    assert approved.exists()
    assert set(later.values_list("person", "start", "reason", "level")) == {
        (case.person_id, cycle.effective_on, "promotion", case.to_level_id) for case in approved
    }
