"""The progress page of a cycle: per manager, who is where, who is late; filters, the CSV, and
a number of queries that does not grow with the cycle."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.people.models import LevelAssignment, Person
from ladder.people.tree import rebuild_paths
from tests.conftest import make_person
from tests.promotions.test_cycles import TODAY, assessed, dates, make_cycle

pytestmark = pytest.mark.django_db

PAST = TODAY - datetime.timedelta(days=70)


@pytest.fixture
def round_(org):
    """An open cycle of four whose due dates have passed: Eve has a self-assessment draft and
    her manager's submitted; Pat is done; Mia has begun nothing; Olga's manager has shared."""
    cycle = make_cycle(org, **dates(PAST))
    levels = org.levels
    assessed(org.engineer, org.engineer, levels["MD2"], "self", "draft")
    assessed(org.engineer, org.manager, levels["MD2"], "manager", "submitted")
    assessed(org.peer, org.peer, levels["SR1"], "self", "shared")
    assessed(org.peer, org.manager, levels["SR1"], "manager", "shared")
    assessed(org.outsider, org.other_manager, levels["MD1"], "manager", "shared")
    return cycle


def progress_of(client, user, cycle, query=""):
    client.force_login(user)
    response = client.get(f"/cycles/{cycle.pk}/progress/{query}")
    assert response.status_code == 200
    return response


def rows(response) -> dict[str, tuple]:
    """Each manager's row as (people, self counts, manager counts, overdue)."""

    def counts(c):
        return (c.not_started, c.draft, c.submitted, c.shared)

    return {
        (row.manager.name if row.manager else None): (
            row.tally.people,
            counts(row.tally.self_assessments),
            counts(row.tally.manager_assessments),
            row.tally.overdue,
        )
        for row in response.context["progress"].managers
    }


def people_in(response) -> set[str]:
    return {task.member.person.email for task in response.context["progress"].tasks}


def test_an_admin_sees_every_manager_with_their_peoples_states_and_who_is_late(client, org, round_):
    response = progress_of(client, org.admin.user, round_)

    assert rows(response) == {
        "Mia Manager": (2, (0, 1, 0, 1), (0, 0, 1, 1), 1),
        "Oscar Other": (1, (1, 0, 0, 0), (0, 0, 0, 1), 1),
        "Sam Skip": (1, (1, 0, 0, 0), (1, 0, 0, 0), 1),
    }
    overdue = [task.member.person.name for task in response.context["progress"].overdue]
    assert overdue == ["Eve Engineer", "Mia Manager", "Olga Outside"]
    page = response.content.decode()
    assert '<th scope="colgroup" colspan="4">Self-assessments</th>' in page
    assert 'Overdue <span class="muted">(3)</span>' in page


def test_a_manager_sees_only_the_people_below_them(client, org, round_):
    assert people_in(progress_of(client, org.manager.user, round_)) == {
        "eve@example.com",
        "pat@example.com",
    }
    assert people_in(progress_of(client, org.other_manager.user, round_)) == {"olga@example.com"}
    assert len(people_in(progress_of(client, org.skip.user, round_))) == 4


def test_the_committee_sees_the_whole_cycle(client, org):
    committee = make_person("Cora Committee", "cora@example.com")
    cycle = make_cycle(org, committee=[committee])

    assert len(people_in(progress_of(client, committee.user, cycle))) == 4


def test_filters_by_team_and_by_manager_keep_what_they_name(client, org, round_):
    by_team = progress_of(client, org.admin.user, round_, "?team=other")
    by_manager = progress_of(client, org.admin.user, round_, "?manager=MIA@example.com")
    by_skip = progress_of(client, org.admin.user, round_, "?manager=sam@example.com")
    both = progress_of(client, org.admin.user, round_, "?team=Core&manager=sam@example.com")

    assert people_in(by_team) == {"olga@example.com"}
    assert people_in(by_manager) == {"eve@example.com", "pat@example.com"}
    assert len(people_in(by_skip)) == 4
    assert people_in(both) == {"eve@example.com", "pat@example.com", "mia@example.com"}


def test_a_manager_finds_no_one_outside_their_organisation_by_filtering(client, org, round_):
    outside = progress_of(client, org.manager.user, round_, "?manager=oscar@example.com")
    other_team = progress_of(client, org.manager.user, round_, "?team=Other")
    themself = progress_of(client, org.manager.user, round_, "?manager=mia@example.com&team=core")

    # Told as for an address or team that does not exist: the filter reveals nothing outside.
    assert "No one has the email oscar@example.com." in outside.content.decode()
    assert "No team is named Other." in other_team.content.decode()
    assert people_in(outside) == people_in(other_team) == set()
    assert people_in(themself) == {"eve@example.com", "pat@example.com"}


def test_an_unknown_team_or_manager_is_named_and_nothing_is_shown(client, org, round_):
    response = progress_of(client, org.admin.user, round_, "?team=Ghosts&manager=who@example.com")

    page = response.content.decode()
    assert "No team is named Ghosts." in page and "No one has the email who@example.com." in page
    assert people_in(response) == set()


def test_a_managers_name_links_to_their_part(client, org, round_):
    page = progress_of(client, org.admin.user, round_).content.decode()

    assert '<a href="?manager=mia%40example.com">Mia Manager</a>' in page


def csv_rows(client, user, cycle, query="") -> list[dict]:
    client.force_login(user)
    response = client.get(f"/cycles/{cycle.pk}/progress/?format=csv{query}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_a_row_per_person_with_their_states(client, org, round_):
    rows_ = csv_rows(client, org.admin.user, round_)

    assert list(rows_[0]) == [
        "name", "email", "team", "manager", "manager_email", "target", "self_assessment",
        "manager_assessment", "overdue",
    ]  # fmt: skip
    eve = next(row for row in rows_ if row["email"] == "eve@example.com")
    assert eve == {
        "name": "Eve Engineer",
        "email": "eve@example.com",
        "team": "Core",
        "manager": "Mia Manager",
        "manager_email": "mia@example.com",
        "target": "MD2",
        "self_assessment": "draft",
        "manager_assessment": "submitted",
        "overdue": "self",
    }
    mia = next(row for row in rows_ if row["email"] == "mia@example.com")
    assert mia["overdue"] == "self and manager" and mia["team"] == "Core"
    assert len(rows_) == 4


def test_the_csv_keeps_the_filters_and_the_managers_scope(client, org, round_):
    assert [r["email"] for r in csv_rows(client, org.admin.user, round_, "&team=Other")] == [
        "olga@example.com"
    ]
    assert {r["email"] for r in csv_rows(client, org.manager.user, round_)} == {
        "eve@example.com",
        "pat@example.com",
    }


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(client, org, start):
    Person.objects.filter(pk=org.engineer.pk).update(name=f'{start}HYPERLINK("x")')
    org.core.name = f"{start}SUM(1)"
    org.core.save()
    cycle = make_cycle(org)

    eve = next(
        r for r in csv_rows(client, org.admin.user, cycle) if r["email"] == "eve@example.com"
    )

    assert eve["name"] == f'\'{start}HYPERLINK("x")'
    assert eve["team"] == f"'{start}SUM(1)"


def test_the_page_and_csv_make_as_many_queries_for_a_big_cycle_as_for_a_small_one(client, org):
    def queries(user, url) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def measure(size: int) -> list[int]:
        Person.objects.bulk_create(
            Person(name=f"Report {size}-{n}", email=f"r{size}-{n}@example.com", manager=org.manager)
            for n in range(size)
        )
        rebuild_paths()
        added = list(Person.objects.filter(email__startswith=f"r{size}-"))
        LevelAssignment.objects.bulk_create(
            LevelAssignment(
                person=p, level=org.levels["JR2"], start=datetime.date(2024, 1, 1), reason="hire"
            )
            for p in added
        )
        cycle = make_cycle(org, name=f"Round {size}", **dates(PAST))
        for person in added[::2]:
            assessed(person, person, org.levels["MD1"], "self", "shared")
        url = f"/cycles/{cycle.pk}/progress/"
        counts = [
            queries(org.admin.user, url),
            queries(org.admin.user, url + "?format=csv"),
            queries(org.admin.user, url + "?team=Core&manager=mia@example.com"),
            queries(org.manager.user, url),
            queries(org.manager.user, url + "?format=csv&overdue=2"),
        ]
        assert cycle.members.count() > size
        return counts

    assert measure(5) == measure(120)


# -- the last reading, given again while nothing it was made of changed ------------------------


def _share_eves_self_assessment(org, cycle):
    from django.utils import timezone

    from ladder.assessments.models import Assessment

    Assessment.objects.filter(person=org.engineer, role="self").update(
        state="submitted", submitted_at=timezone.now()
    )


def _rename_mia(org, cycle):
    Person.objects.filter(pk=org.manager.pk).update(name="Mia Renamed")


def _move_the_due_date(org, cycle):
    for field, value in dates(TODAY).items():  # every due date ahead: nobody is late
        setattr(cycle, field, value)
    cycle.save()


PROGRESS_CHANGES = {
    "an assessment's state": (
        _share_eves_self_assessment,
        lambda response: rows(response)["Mia Manager"][1] == (0, 0, 1, 1),
    ),
    "a manager's name": (_rename_mia, lambda response: "Mia Renamed" in rows(response)),
    "a due date": (
        _move_the_due_date,
        lambda response: rows(response)["Mia Manager"][3] == 0,
    ),
}


@pytest.mark.parametrize("change", PROGRESS_CHANGES)
def test_a_reading_is_given_again_only_while_nothing_it_is_made_of_changed(
    client, org, round_, change
):
    make_change, shows = PROGRESS_CHANGES[change]
    first = progress_of(client, org.admin.user, round_).context["progress"]
    assert progress_of(client, org.admin.user, round_).context["progress"] is first
    # Another query of members (a manager's part) is another reading.
    assert progress_of(client, org.manager.user, round_).context["progress"] is not first

    make_change(org, round_)
    response = progress_of(client, org.admin.user, round_)

    assert response.context["progress"] is not first
    assert shows(response)
