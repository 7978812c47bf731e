"""The people directory's team filter: a search box, matching a team's name whatever its case or
accents, or its slug, as links write it; no menu of every team."""

import pytest

from ladder.people.models import Person, Team
from ladder.people.tree import rebuild_paths

pytestmark = pytest.mark.django_db


def names(client, query: str) -> list[str]:
    response = client.get(f"/people/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    return sorted(person.name for person in Person.objects.all() if f">{person.name}</a>" in html)


@pytest.fixture
def teams(org):
    paris = Team.objects.create(name="Équipe Paris", slug="equipe-paris")
    for n in range(3):
        Person.objects.create(
            name=f"Parisian {n}", email=f"p{n}@example.com", team=paris, manager=org.skip
        )
    rebuild_paths()
    return paris


def test_a_team_is_found_whatever_the_case_and_accents_of_its_name(client, org, teams):
    client.force_login(org.admin.user)

    assert names(client, "team=equipe") == ["Parisian 0", "Parisian 1", "Parisian 2"]
    assert names(client, "team=ÉQUIPE+paris") == ["Parisian 0", "Parisian 1", "Parisian 2"]
    assert names(client, "team=OR") == ["Eve Engineer", "Mia Manager", "Pat Peer"]


def test_a_team_slug_from_a_link_still_filters(client, org, teams):
    client.force_login(org.admin.user)

    assert names(client, "team=core") == ["Eve Engineer", "Mia Manager", "Pat Peer"]
    assert names(client, "team=equipe-paris") == ["Parisian 0", "Parisian 1", "Parisian 2"]


def test_a_team_nobody_has_lists_nobody(client, org, teams):
    client.force_login(org.admin.user)

    assert names(client, "team=ghosts") == []
    assert "Nobody matches these filters." in client.get("/people/?team=ghosts").content.decode()


def test_the_filter_is_a_search_box_not_a_menu_of_every_team(client, org, teams):
    client.force_login(org.admin.user)

    html = client.get("/people/?team=core").content.decode()

    assert '<input type="search" name="team" value="core"' in html
    assert "Équipe Paris</option>" not in html


def test_a_manager_filtering_by_team_still_sees_only_their_reports(client, org, teams):
    client.force_login(org.manager.user)

    assert names(client, "team=equipe") == []
    assert names(client, "team=core") == ["Eve Engineer", "Pat Peer"]
