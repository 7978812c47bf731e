"""The demo organisation: an exact head count, a sound tree with realistic spans, levels and
histories like a real company's, three working logins, what people did (evidence, assessments
with believable verdicts, growth plans), and the `seed-demo` command."""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import RequestFactory
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
from ladder.audit.models import AuditEvent
from ladder.demo.organisation import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    ENGINEER_EMAIL,
    MANAGER_EMAIL,
    PHASES,
    demo_organisation_create,
)
from ladder.demo.phrases import TEAM_NAMES
from ladder.frameworks.models import Ladder
from ladder.frameworks.services import ladder_import
from ladder.people.models import LevelAssignment, Person, Team
from ladder.people.services import assignment_snapshot
from ladder.promotions.models import PromotionCase, ReviewCycle
from tests.conftest import DOTNET

pytestmark = pytest.mark.django_db

N = 200


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The demo hashes its password once; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    return demo_organisation_create(people=N, seed=1)


@pytest.fixture
def development(settings):
    # The command is for development (`make run` sets DEBUG=1); pytest-django turns DEBUG off.
    settings.DEBUG = True


def current_levels() -> dict[int, str]:
    return dict(
        LevelAssignment.objects.filter(end__isnull=True).values_list("person_id", "level__code")
    )


def reports_by_manager() -> dict[int, list[int]]:
    reports = defaultdict(list)
    for pk, manager in Person.objects.values_list("pk", "manager_id"):
        if manager is not None:
            reports[manager].append(pk)
    return reports


def person(email: str) -> Person:
    return Person.objects.select_related("user", "manager").get(email=email)


def promoted() -> set[int]:
    """Those the review round's committee approved: their new level starts next month."""
    return set(PromotionCase.objects.filter(state="approved").values_list("person", flat=True))


def test_the_head_count_is_exact_and_on_the_latest_dotnet_version(demo):
    assert Person.objects.count() == N == demo.people
    assert Team.objects.count() == demo.teams
    assert Ladder.objects.get(slug="dotnet").latest_version() == demo.version
    assert LevelAssignment.objects.exclude(level__version=demo.version).count() == 0
    assert AuditEvent.objects.filter(action="person.created").count() == N
    # One current level each, written by the demo, and one more for each approved promotion.
    assigned = AuditEvent.objects.filter(action="level.assigned").count()
    assert assigned == N - 1 + len(promoted())
    assert AuditEvent.objects.filter(action="role.changed").count() == 1


def test_a_current_level_is_audited_as_person_set_level_records_it(demo):
    events = {
        int(event.target_id): event
        for event in AuditEvent.objects.filter(action="level.assigned").order_by("at", "pk")
    }
    history = defaultdict(list)
    for assignment in LevelAssignment.objects.select_related("level").order_by("start"):
        history[assignment.person_id].append(assignment)
    assert any(len(rows) > 1 for rows in history.values())
    assert promoted() and promoted() <= set(history)
    # The latest event of each, the promotion's for those promoted.
    for rows in history.values():
        event = events[rows[-1].person_id]
        assert event.after == assignment_snapshot(rows[-1])
        # What the level before it was, as the service records a change; none for a hire.
        assert event.before == (assignment_snapshot(rows[-2]) if len(rows) > 1 else None)


def test_a_later_ladder_version_is_the_one_used():
    text = DOTNET.read_text(encoding="utf-8")
    ladder_import(source=text, source_name="ladders/dotnet.md", slug="dotnet")
    changed = text.replace("| 3                | 5 ", "| 4                | 5 ")
    latest = ladder_import(source=changed, source_name="ladders/dotnet.md", slug="dotnet").version

    demo_organisation_create(people=30)

    assert latest.number == 2
    assert set(LevelAssignment.objects.values_list("level__version", flat=True)) == {latest.pk}


def test_the_tree_has_one_top_no_cycles_and_every_path_is_the_chain_of_managers(demo):
    rows = {
        pk: (manager, path)
        for pk, manager, path in Person.objects.values_list("pk", "manager_id", "path")
    }
    assert [pk for pk, (manager, _) in rows.items() if manager is None] == [demo.top.pk]
    for pk, (_, path) in rows.items():
        chain, node = [], pk
        while node is not None:
            assert node not in chain, f"a cycle through {node}"
            chain.append(node)
            node = rows[node][0]
        assert path == "/" + "".join(f"{item}/" for item in reversed(chain))


def test_spans_and_teams_are_realistic(demo):
    reports = reports_by_manager()
    assert max(map(len, reports.values())) <= 10
    managers_of_managers = [m for m, rs in reports.items() if any(r in reports for r in rs)]
    assert len(managers_of_managers) >= 3
    assert demo.managers == len(reports)
    assert demo.depth >= 4
    sizes = Counter(Person.objects.exclude(team=None).values_list("team", flat=True))
    assert len(sizes) == demo.teams
    assert all(4 <= size <= 9 for size in sizes.values()), sizes
    assert len(set(Team.objects.values_list("name", flat=True))) == demo.teams
    assert set(Team.objects.values_list("name", flat=True)) <= set(TEAM_NAMES)


def test_levels_spread_like_a_real_company(demo):
    levels = current_levels()
    by_group = Counter(code[:2] for code in levels.values())
    assert by_group["JR"] + by_group["MD"] > by_group["SR"] > by_group["TL"] > by_group["PE"]
    assert by_group["PE"] <= min(by_group[group] for group in ("JR", "MD", "SR", "TL", "SP"))
    assert len(levels) == N - 1  # the CTO at the top has no level
    assert demo.top.pk not in levels
    # Those who lead a team of engineers are mostly tech leads or senior developers.
    reports = reports_by_manager()
    team_leads = [m for m, rs in reports.items() if not any(r in reports for r in rs)]
    led_by_leads = sum(levels[m] in ("TL1", "TL2", "SR2") for m in team_leads)
    assert led_by_leads >= 0.7 * len(team_leads)


def test_dates_are_in_the_past_spread_over_years_with_real_histories(demo):
    today = timezone.localdate()
    rows = list(LevelAssignment.objects.select_related("level").order_by("person", "start"))
    effective = ReviewCycle.objects.get().effective_on
    # In the past, but for the promotions approved in the round, which take effect next month.
    ahead = [row for row in rows if row.start > today]
    assert ahead and {(row.person_id, row.start, row.reason) for row in ahead} == {
        (pk, effective, "promotion") for pk in promoted()
    }
    assert all(row.end is None or row.end <= effective for row in rows)
    current = [row for row in rows if row.end is None and row.start <= today]
    years = {row.start.year for row in current}
    assert len(years) >= 4
    assert min(row.start for row in current) < today - datetime.timedelta(days=3 * 365)
    histories = defaultdict(list)
    for row in rows:
        histories[row.person_id].append(row)
    longer = [h for h in histories.values() if len(h) > 1]
    assert len(longer) >= 0.25 * len(histories)
    for history in histories.values():
        assert [row.end is None for row in history] == [False] * (len(history) - 1) + [True]
        assert history[0].reason == LevelAssignment.Reason.HIRE
        for before, after in zip(history, history[1:], strict=False):
            assert before.end == after.start > before.start
            # Up the ladder, or across to the other track at the same number (SR2 to TL1).
            assert after.level.number >= before.level.number
            assert after.reason == (
                "track_change" if after.level.track != before.level.track else "promotion"
            )
    assert any(h[-1].reason == "promotion" for h in longer)


def test_the_three_logins_have_their_roles_and_sign_in():
    demo_organisation_create(people=N)
    User = get_user_model()
    admin, manager, engineer = (
        person(email) for email in (ADMIN_EMAIL, MANAGER_EMAIL, ENGINEER_EMAIL)
    )

    for who in (admin, manager, engineer):
        user = authenticate(
            request=RequestFactory().post("/"), username=who.email, password=DEMO_PASSWORD
        )
        assert user == who.user and user.username == who.email.lower()
    assert admin.user.is_superuser and admin.user.is_staff
    assert not (manager.user.is_superuser or manager.user.is_staff)
    assert not (engineer.user.is_superuser or engineer.user.is_staff)
    assert User.objects.count() == 3
    assert admin.manager is None  # leadership, at the top
    assert engineer.manager == manager
    assert not engineer.reports.exists()
    assert engineer.team_id is not None and engineer.team_id == manager.team_id
    reports = list(manager.reports.all())
    assert len(reports) >= 4
    assert any(report.reports.exists() for report in reports)  # a skip level
    assert Person.objects.reports_of(manager).count() > len(reports)
    assert current_levels()[manager.pk] == "TL2"


def test_the_same_seed_builds_the_same_names_and_a_second_run_adds_people():
    first = demo_organisation_create(people=60, seed=5)
    second = demo_organisation_create(people=60, seed=5)
    names = list(Person.objects.order_by("pk").values_list("name", flat=True))

    assert names[:60] == names[60:]
    assert len(set(names[:60])) > 50
    assert Person.objects.count() == 120
    emails = [email.lower() for email in Person.objects.values_list("email", flat=True)]
    assert len(set(emails)) == 120
    assert all(email.endswith("@example.com") for email in emails)
    assert second.logins == [] and len(first.logins) == 3
    assert second.top.manager == first.top  # the new organisation reports to the demo admin
    assert get_user_model().objects.count() == 3

    demo_organisation_create(people=60, seed=6)
    other = list(Person.objects.order_by("pk").values_list("name", flat=True))[120:]
    assert other != names[:60]


def test_progress_is_reported_phase_by_phase_up_to_everyone():
    seen = []
    demo_organisation_create(people=50, progress=lambda phase, done: seen.append((phase, done)))

    assert [phase for phase, _ in seen] == sorted((phase for phase, _ in seen), key=PHASES.index)
    assert list(dict.fromkeys(phase for phase, _ in seen)) == list(PHASES)
    for phase in PHASES:
        done = [count for name, count in seen if name == phase]
        assert done == sorted(done) and done[-1] == 50


def test_the_command_builds_and_prints_the_summary_and_logins(development):
    out = io.StringIO()
    call_command("seed-demo", "--people", "120", "--seed", "2", stdout=out)

    text = out.getvalue()
    assert Person.objects.count() == 120
    assert "Built a demo organisation of 120 people in " in text
    assert "Levels: JR1 " in text and "no level 1" in text
    assert f"Evidence: {Evidence.objects.count()} entries for " in text
    written = Assessment.objects.filter(adjusts=None).count()  # not the round's adjustment
    assert f"Assessments: {written} of " in text
    assert f"; {GrowthPlan.objects.count()} growth plans with " in text
    assert "Readiness for the next level: ready " in text and ", eligible from a date " in text
    assert (
        "Sign in as admin@example.com, manager@example.com or engineer@example.com with the "
        "password ladder-demo" in text
    )
    assert "\r" not in text  # no progress bar when stdout is not a terminal


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_command_shows_a_bar_for_each_phase(development):
    out = Terminal()
    call_command("seed-demo", "--people", "30", stdout=out)

    text = out.getvalue()
    for phase in PHASES:
        assert f"{phase.capitalize()}: 100%" in text, text
    assert "Built a demo organisation of 30 people" in text


def test_if_empty_does_nothing_the_second_time(development):
    call_command("seed-demo", "--people", "40", "--if-empty", stdout=io.StringIO())
    before = (Person.objects.count(), LevelAssignment.objects.count(), AuditEvent.objects.count())
    out = io.StringIO()

    call_command("seed-demo", "--people", "40", "--if-empty", stdout=out)

    assert before[0] == 40
    assert (
        Person.objects.count(),
        LevelAssignment.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    assert out.getvalue() == "There are people already (40); --if-empty added nobody.\n"


def test_the_command_refuses_too_small_an_organisation(development):
    with pytest.raises(CommandError, match="at least 10"):
        call_command("seed-demo", "--people", "3", stdout=io.StringIO())
    assert not Person.objects.exists()


def test_the_command_refuses_a_production_database_and_writes_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off") as refused:
        call_command("seed-demo", "--people", "40", stdout=io.StringIO())

    assert f"superuser {ADMIN_EMAIL}" in str(refused.value)
    assert "--allow-production" in str(refused.value)
    assert not Person.objects.exists()
    assert not get_user_model().objects.exists()
    assert not Ladder.objects.exists()
    assert not AuditEvent.objects.exists()


def test_allow_production_builds_the_demo_with_debug_off(settings):
    settings.DEBUG = False

    call_command("seed-demo", "--people", "40", "--allow-production", stdout=io.StringIO())

    assert Person.objects.count() == 40
    assert get_user_model().objects.filter(email=ADMIN_EMAIL, is_superuser=True).exists()


# -- what people did: evidence, assessments and growth plans


def non_draft_assessments():
    return Assessment.objects.exclude(state="draft").select_related("level")


def test_evidence_assessments_and_plans_come_in_believable_numbers(demo):
    entries = Counter(Evidence.objects.values_list("person", flat=True))
    assert 0.45 * N <= len(entries) <= 0.75 * N
    assert set(entries.values()) <= {1, 2, 3, 4} and len(set(entries.values())) == 4
    assert (demo.evidence, demo.people_with_evidence) == (sum(entries.values()), len(entries))

    assessed = set(Assessment.objects.values_list("person", flat=True))
    assert 0.6 * N <= len(assessed) <= 0.9 * N and demo.people_assessed == len(assessed)
    roles = Counter(Assessment.objects.values_list("role", flat=True))
    # Everyone assessed wrote a self-assessment; a few managers have not begun theirs yet.
    assert roles["self"] == len(assessed)
    assert 0.8 * len(assessed) <= roles["manager"] < len(assessed)
    # Those the demo wrote; the committee's adjustment in calibration is the service's.
    states = Counter(Assessment.objects.filter(adjusts=None).values_list("state", flat=True))
    assert states == demo.assessments
    assert states["shared"] >= 0.75 * sum(states.values())
    assert 1 <= states["draft"] <= 0.1 * sum(states.values())
    assert 1 <= states["submitted"] <= 0.1 * sum(states.values())
    cycles = set(Assessment.objects.values_list("cycle", flat=True))
    assert current_cycle() in cycles

    shared_by_managers = set(
        Assessment.objects.filter(role="manager", state="shared").values_list("person", flat=True)
    )
    assert set(GrowthPlan.objects.values_list("person", flat=True)) == shared_by_managers
    items = GrowthItem.objects.all()
    assert 3 * len(shared_by_managers) <= items.count() <= 25 * len(shared_by_managers)
    # As the demo wrote them; the round's decisions made some plans anew since.
    assert demo.plans == len(shared_by_managers) and demo.plan_items >= 3 * demo.plans
    item_states = Counter(items.values_list("state", flat=True))
    assert item_states["open"] > item_states["in_progress"] > 0 and item_states["done"] > 0
    assert not items.exclude(owner=F("plan__person")).exists()
    today = timezone.localdate()
    # Due in one to four months, but time in level on the day it is reached.
    workable = items.exclude(kind="experience")
    assert not workable.filter(due__lt=today + datetime.timedelta(days=30)).exists()
    assert not workable.filter(due__gt=today + datetime.timedelta(days=120)).exists()

    answers = CriterionAssessment.objects.all()
    assert 0.05 * answers.count() <= answers.exclude(comment="").count() <= 0.3 * answers.count()
    assert CriterionAssessment.evidence.through.objects.exists()


def test_evidence_is_dated_in_level_tied_to_current_or_next_criteria_and_added_by_them_or_their_manager(
    demo,
):
    people = {person.pk: person for person in Person.objects.all()}
    standings = standings_of(list(people.values()), timezone.localdate())
    moved_on = promoted()
    for entry in Evidence.objects.exclude(person__in=moved_on).prefetch_related("criteria"):
        standing = standings[entry.person_id]
        assert standing.since <= entry.happened_on <= timezone.localdate()
        levels = {standing.current.pk, *(level.pk for level in standing.next_levels[:1])}
        criteria = list(entry.criteria.all())
        assert 1 <= len(criteria) <= 2
        assert {criterion.level_id for criterion in criteria} <= levels
        assert entry.added_by_id in (entry.person_id, people[entry.person_id].manager_id)
        assert entry.text.strip()
    texts = set(Evidence.objects.values_list("text", flat=True))
    assert len(texts) > 0.9 * Evidence.objects.count()  # varied, not a handful repeated
    assert sum(".NET" in text for text in texts) >= 3
    # Evidence pointed to from an answer is the person's own, of a criterion it is tied to.
    links = CriterionAssessment.evidence.through.objects.select_related(
        "criterionassessment__assessment"
    )
    for link in links:
        answer = link.criterionassessment
        assert link.evidence.person_id == answer.assessment.person_id
        assert link.evidence.criteria.filter(pk=answer.criterion_id).exists()


def test_submitted_and_shared_assessments_are_complete_and_against_the_first_next_level(demo):
    people = {person.pk: person for person in Person.objects.all()}
    standings = standings_of(list(people.values()), timezone.localdate())
    assessments = Assessment.objects.exclude(person__in=promoted())
    for assessment in assessments.select_related("level").prefetch_related("criteria", "ratings"):
        assert assessment.level == standings[assessment.person_id].next_levels[0]
        if assessment.role == "self":
            assert assessment.author_id == assessment.person_id
        else:
            assert assessment.author_id == people[assessment.person_id].manager_id
            assert assessment.author_id != assessment.person_id
        assert assessment.criteria.count() == assessment.level.criteria.count()
        assert len(assessment.ratings.all()) == assessment.level.expected_ratings.count()
        if assessment.state == "draft":
            assert assessment.submitted_at is None and assessment.shared_at is None
            continue
        assert all(answer.status for answer in assessment.criteria.all())
        assert all(rating.rating is not None for rating in assessment.ratings.all())
        assert assessment.created_at <= assessment.submitted_at <= timezone.now()
        if assessment.state == "shared":
            assert assessment.submitted_at <= assessment.shared_at <= timezone.now()
        else:
            assert assessment.shared_at is None
    # Each submitted and shared as the services record it; the adjustment has its own event.
    submitted = non_draft_assessments().filter(adjusts=None).count()
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == submitted
    shared = Assessment.objects.filter(state="shared", adjusts=None).count()
    assert AuditEvent.objects.filter(action="assessment.shared").count() == shared
    assert AuditEvent.objects.filter(action="assessment.adjusted").count() == 1


def test_self_ratings_are_usually_the_managers_or_one_higher(demo):
    ratings = defaultdict(dict)
    for person, role, dimension, rating in (
        Assessment.objects.filter(state="shared")
        .values_list("person", "role", "ratings__dimension", "ratings__rating")
        .iterator()
    ):
        ratings[(person, dimension)][role] = rating
    steps = Counter(r["self"] - r["manager"] for r in ratings.values() if len(r) == 2)
    total = sum(steps.values())
    assert steps[0] > steps[1] > steps[-1]
    assert steps[0] + steps[1] >= 0.85 * total
    assert set(steps) <= {-1, 0, 1}


def test_readiness_verdicts_spread_believably(demo):
    people = list(Person.objects.all())
    today = timezone.localdate()
    verdicts = readiness_of_many(people, standings_of(people, today), today)
    assessed = Counter(
        readiness.verdict for _, readiness in verdicts.values() if readiness is not None
    )
    assert dict(assessed) == {verdict: count for verdict, count in demo.verdicts.items() if count}
    judged = assessed["ready"] + assessed["eligible_from"] + assessed["not_yet"]
    assert assessed["not_yet"] >= 0.55 * judged
    assert assessed["ready"] >= 0.05 * judged and assessed["eligible_from"] >= 0.03 * judged
    gaps = [
        len(readiness.gaps)
        for _, readiness in verdicts.values()
        if readiness is not None and readiness.verdict == "not_yet"
    ]
    assert sum(1 <= count <= 4 for count in gaps) >= 0.9 * len(gaps)  # mostly a few gaps


@pytest.mark.parametrize("seed, people", [(1, N), (2, 10), (3, 60), (4, 400)])
def test_the_demo_engineer_is_not_yet_ready_with_a_few_gaps_and_has_a_plan(seed, people):
    demo_organisation_create(people=people, seed=seed)
    engineer, manager = person(ENGINEER_EMAIL), person(MANAGER_EMAIL)
    today = timezone.localdate()
    standings = standings_of([engineer], today)
    target, readiness = readiness_of_many([engineer], standings, today)[engineer.pk]

    assert readiness.verdict == "not_yet" and 2 <= len(readiness.gaps) <= 4
    shared = Assessment.objects.filter(person=engineer, level=target, state="shared")
    assert shared.get(role="self").author == engineer
    assert shared.get(role="manager").author == manager
    assert Evidence.objects.filter(person=engineer).count() >= 3
    plan = GrowthPlan.objects.get(person=engineer)
    assert plan.target == target
    kinds = set(plan.items.values_list("kind", flat=True))
    assert "next_action" in kinds and len(kinds) >= 2
    assert {"in_progress", "done"} <= set(plan.items.values_list("state", flat=True))


@pytest.mark.parametrize("seed, people", [(1, N), (2, 10), (3, 60), (4, 400)])
def test_the_demo_manager_has_a_ready_and_an_eligible_report(seed, people):
    demo_organisation_create(people=people, seed=seed)
    manager = person(MANAGER_EMAIL)
    reports = list(manager.reports.all())
    today = timezone.localdate()

    verdicts = readiness_of_many(reports, standings_of(reports, today), today)

    found = {readiness.verdict for _, readiness in verdicts.values() if readiness}
    assert {"ready", "eligible_from", "not_yet"} <= found


def activity() -> list:
    """What each person did, in the order they were made, without ids or moments of saving."""
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    evidence, assessments, plans = defaultdict(list), defaultdict(list), defaultdict(list)
    for entry in Evidence.objects.order_by("pk").prefetch_related("criteria"):
        evidence[entry.person_id].append(
            (
                entry.happened_on,
                entry.text,
                entry.link,
                entry.added_by_id == entry.person_id,
                sorted(c.text for c in entry.criteria.all()),
            )
        )
    for assessment in (
        Assessment.objects.order_by("pk")
        .select_related("level")
        .prefetch_related("criteria", "ratings")
    ):
        assessments[assessment.person_id].append(
            (
                assessment.role,
                assessment.state,
                assessment.level.code,
                assessment.cycle,
                assessment.summary,
                [(a.status, a.comment, a.evidence.count()) for a in assessment.criteria.all()],
                [r.rating for r in assessment.ratings.all()],
            )
        )
    for item in GrowthItem.objects.order_by("plan__person", "position", "kind", "closes"):
        plans[item.plan.person_id].append((item.kind, item.title, item.state, item.due))
    return [(evidence[pk], assessments[pk], plans[pk]) for pk in people]


class Undone(Exception):
    pass


def built_then_undone(seed: int, read):
    """What `read()` finds in a fresh demo of 60 people, which is then rolled back."""
    try:
        with transaction.atomic():
            demo_organisation_create(people=60, seed=seed)
            found = read()
            raise Undone
    except Undone:
        return found


def test_the_same_seed_gives_the_same_activity_and_another_seed_another():
    first = built_then_undone(5, activity)
    again = built_then_undone(5, activity)
    other = built_then_undone(6, activity)

    assert again == first
    assert any(evidence or assessments for evidence, assessments, _ in first)
    assert other != first
