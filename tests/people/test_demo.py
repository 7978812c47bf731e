"""The demo organisation: an exact head count, a sound tree with realistic spans, levels and
histories like a real company's, three working logins, and the `seed-demo` command."""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from ladder.audit.models import AuditEvent
from ladder.frameworks.models import Ladder
from ladder.frameworks.services import ladder_import
from ladder.people.demo import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    ENGINEER_EMAIL,
    MANAGER_EMAIL,
    demo_organisation_create,
)
from ladder.people.models import LevelAssignment, Person, Team
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


def test_the_head_count_is_exact_and_on_the_latest_dotnet_version(demo):
    assert Person.objects.count() == N == demo.people
    assert Team.objects.count() == demo.teams
    assert Ladder.objects.get(slug="dotnet").latest_version() == demo.version
    assert LevelAssignment.objects.exclude(level__version=demo.version).count() == 0
    assert AuditEvent.objects.filter(action="person.created").count() == N
    assert AuditEvent.objects.filter(action="level.assigned").count() == N - 1
    assert AuditEvent.objects.filter(action="role.changed").count() == 1


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
    assert Team.objects.filter(name="Payments").exists()


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
    assert all(row.start <= today and (row.end is None or row.end <= today) for row in rows)
    current = [row for row in rows if row.end is None]
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


def test_progress_is_reported_up_to_everyone():
    seen = []
    demo_organisation_create(people=50, progress=seen.append)

    assert seen == sorted(seen) and seen[-1] == 50


def test_the_command_builds_and_prints_the_summary_and_logins():
    out = io.StringIO()
    call_command("seed-demo", "--people", "120", "--seed", "2", stdout=out)

    text = out.getvalue()
    assert Person.objects.count() == 120
    assert "Built a demo organisation of 120 people in " in text
    assert "Levels: JR1 " in text and "no level 1" in text
    assert (
        "Sign in as admin@example.com, manager@example.com or engineer@example.com with the "
        "password ladder-demo" in text
    )
    assert "\r" not in text  # no progress bar when stdout is not a terminal


def test_if_empty_does_nothing_the_second_time():
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


def test_the_command_refuses_too_small_an_organisation():
    with pytest.raises(CommandError, match="at least 10"):
        call_command("seed-demo", "--people", "3", stdout=io.StringIO())
    assert not Person.objects.exists()
