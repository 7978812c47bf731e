"""How an applied people CSV is written: managers before their reports whatever the file's
order, paths whole, teams made in one go, and nothing at all when any row is bad."""

import pytest

from ladder.assessments.models import StoredReadiness
from ladder.audit.models import AuditEvent
from ladder.people.imports import people_import
from ladder.people.models import LevelAssignment, Person, Team
from ladder.people.signals import levels_changed
from ladder.people.tree import rebuild_paths
from tests.conftest import make_person, run_ladder

pytestmark = pytest.mark.django_db

HEADER = "email,name,manager_email,team,level_code,level_since\n"


def run(text, version, progress=None):
    return people_import(
        by=None, text=text, path="people.csv", version=version, apply=True, progress=progress
    )


def chain_file(length: int, *, reverse: bool) -> str:
    """`length` people, each managing the next; with `reverse`, every report before their
    manager in the file."""
    rows = [
        f"p{i}@acme.test,P{i},{f'p{i - 1}@acme.test' if i else ''},Chain,MD1,2023-03-01\n"
        for i in range(length)
    ]
    return HEADER + "".join(reversed(rows) if reverse else rows)


def tree_file(count: int) -> str:
    """`count` people, eight to a manager, every report before their manager in the file."""
    rows = [
        f"p{i}@acme.test,P{i},{f'p{(i - 1) // 8}@acme.test' if i else ''},Team {i // 64},,\n"
        for i in range(count)
    ]
    return HEADER + "".join(reversed(rows))


def assert_paths_whole():
    """Every stored path is the one the manager links give: rebuilding changes none."""
    assert rebuild_paths() == 0


def stored():
    return (
        Person.objects.count(),
        Team.objects.count(),
        LevelAssignment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_deep_chain_listed_reports_first_is_written_with_every_manager_and_path(
    dotnet_version,
):
    plan = run(chain_file(40, reverse=True), dotnet_version)

    assert plan.ok and plan.applied
    deepest = Person.objects.get(email="p39@acme.test")
    assert deepest.depth == 40
    assert [p.email for p in deepest.manager_chain()] == [
        f"p{i}@acme.test" for i in range(38, -1, -1)
    ]
    assert_paths_whole()


def test_a_manager_listed_after_their_report_is_their_manager(dotnet_version):
    text = HEADER + "eve@acme.test,Eve,mia@acme.test,,,\nmia@acme.test,Mia,,,,\n"

    run(text, dotnet_version)

    eve = Person.objects.select_related("manager").get(email="eve@acme.test")
    assert eve.manager.email == "mia@acme.test"
    assert eve.path == f"/{eve.manager.pk}/{eve.pk}/"


def test_new_reports_of_managers_already_stored_get_paths_below_theirs(dotnet_version):
    sam = make_person("Sam", "sam@acme.test", login=False)
    mia = make_person("Mia", "mia@acme.test", manager=sam, login=False)
    rebuild_paths()
    text = (
        HEADER
        + "new2@acme.test,New Two,new1@acme.test,,,\n"
        + "new1@acme.test,New One,mia@acme.test,,,\n"
    )

    run(text, dotnet_version)

    new2 = Person.objects.get(email="new2@acme.test")
    new1 = Person.objects.get(email="new1@acme.test")
    assert new2.path == f"/{sam.pk}/{mia.pk}/{new1.pk}/{new2.pk}/"
    assert_paths_whole()


def test_a_stored_person_moved_under_a_new_manager_gets_the_new_path(dotnet_version):
    eve = make_person("Eve", "eve@acme.test", login=False)
    rebuild_paths()
    text = HEADER + "eve@acme.test,Eve,boss@acme.test,,,\nboss@acme.test,Boss,,,,\n"

    run(text, dotnet_version)

    eve.refresh_from_db()
    assert eve.manager.email == "boss@acme.test"
    assert eve.path == f"/{eve.manager.pk}/{eve.pk}/"
    assert_paths_whole()


def test_new_teams_are_made_once_and_stored_teams_are_reused_whatever_the_case(dotnet_version):
    core = Team.objects.create(name="Core", slug="core")
    text = (
        HEADER
        + "a@acme.test,A,,core,,\n"
        + "b@acme.test,B,,Platform,,\n"
        + "c@acme.test,C,,PLATFORM,,\n"
        + "d@acme.test,D,,Platform!,,\n"
    )

    run(text, dotnet_version)

    assert Person.objects.get(email="a@acme.test").team == core
    teams = dict(Team.objects.values_list("name", "slug"))
    assert teams == {"Core": "core", "Platform": "platform", "Platform!": "platform-2"}
    platform = Team.objects.get(name="Platform")
    assert set(platform.members.values_list("email", flat=True)) == {"b@acme.test", "c@acme.test"}
    assert AuditEvent.objects.filter(action="team.created").count() == 2


def test_a_cycle_among_new_people_stores_nothing(dotnet_version):
    before = stored()
    text = tree_file(50) + "x@acme.test,X,y@acme.test,,,\ny@acme.test,Y,x@acme.test,,,\n"

    plan = run(text, dotnet_version)

    assert plan.errors == [
        "people.csv:52: a cycle in the manager tree: x@acme.test -> y@acme.test -> x@acme.test"
    ]
    assert stored() == before


def test_a_bad_last_row_of_a_long_file_stores_nothing(dotnet_version):
    make_person("Sam", "sam@acme.test", login=False)
    before = stored()
    text = tree_file(500) + "bad@acme.test,Bad,,Chain,ZZ9,2023-01-01\n"

    plan = run(text, dotnet_version)

    assert [e.split(":")[:3] for e in plan.errors] == [
        ["people.csv", "502", " unknown level 'ZZ9'"]
    ]
    assert stored() == before


def test_levels_written_by_a_file_refresh_the_stored_readiness(dotnet_version):
    sent = []

    def receiver(sender, *, person_ids, **kwargs):
        sent.append(list(person_ids))

    levels_changed.connect(receiver)
    try:
        run(chain_file(20, reverse=True), dotnet_version)
    finally:
        levels_changed.disconnect(receiver)

    people = sorted(Person.objects.values_list("pk", flat=True))
    assert sent == [people]
    assert StoredReadiness.objects.filter(person__in=people).count() == 20


def test_progress_goes_forward_through_each_phase_to_the_end(dotnet_version):
    seen = []

    run(tree_file(2500), dotnet_version, progress=lambda *a: seen.append(a))

    phases = list(dict.fromkeys(phase for phase, _, _ in seen))
    assert phases == ["Checking", "Writing", "Recording"]
    for phase in phases:
        done = [d for p, d, total in seen if p == phase]
        assert done == sorted(done) and done[-1] == 2500
        assert {total for p, _, total in seen if p == phase} == {2500}


def test_the_command_shows_no_progress_bar_when_not_on_a_terminal(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    assert run_ladder("import", "ladders/dotnet.md", env=env).returncode == 0
    path = tmp_path / "people.csv"
    path.write_text(chain_file(30, reverse=True))

    result = run_ladder("import-people", str(path), env=env)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "30 people, applied 30 changes" in result.stdout
