"""Groups are teams: created, renamed, joined and left through SCIM, each change audited."""

import pytest

from ladder.audit.models import AuditEvent
from ladder.people.models import Person, Team
from tests.scim.conftest import GROUP_SCHEMA

pytestmark = pytest.mark.django_db


def test_a_new_group_is_a_team_with_its_members(scim, org):
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Platform",
        "members": [{"value": str(org.engineer.pk)}],
    }

    response = scim.post("Groups", body)

    assert response.status_code == 201, response.content
    team = Team.objects.get(pk=response.json()["id"])
    assert (team.name, team.slug) == ("Platform", "platform")
    assert list(team.members.all()) == [org.engineer]
    created = AuditEvent.objects.get(action="team.created")
    assert created.after == {"name": "Platform", "slug": "platform"}


def test_groups_are_found_by_display_name(scim, org):
    body = scim.get('Groups?filter=displayName eq "core"').json()

    assert [r["displayName"] for r in body["Resources"]] == ["Core"]
    assert {m["value"] for m in body["Resources"][0]["members"]} == {
        str(p.pk) for p in (org.manager, org.engineer, org.peer)
    }


def test_members_are_added_and_removed_as_entra_and_okta_patch_them(scim, org):
    other = Team.objects.get(slug="other")
    operations = [
        {"op": "Add", "path": "members", "value": [{"value": str(org.engineer.pk)}]},
        {"op": "Remove", "path": f'members[value eq "{org.outsider.pk}"]'},
    ]

    response = scim.patch(f"Groups/{other.pk}", operations)

    assert response.status_code == 200, response.content
    assert set(other.members.all()) == {org.engineer, org.other_manager}
    assert Person.objects.get(pk=org.outsider.pk).team is None
    moved = AuditEvent.objects.get(action="person.updated", target_id=str(org.engineer.pk))
    assert (moved.before["team"], moved.after["team"]) == ("Core", "Other")


def test_entra_removes_a_member_named_in_the_value(scim, org):
    core = Team.objects.get(slug="core")
    operation = {"op": "Remove", "path": "members", "value": [{"value": str(org.peer.pk)}]}

    assert scim.patch(f"Groups/{core.pk}", [operation]).status_code == 200
    assert org.peer not in core.members.all()


def test_a_rename_keeps_the_slug_and_is_audited(scim, org):
    core = Team.objects.get(slug="core")

    scim.patch(
        f"Groups/{core.pk}", [{"op": "replace", "path": "displayName", "value": "Core Platform"}]
    )

    core.refresh_from_db()
    assert (core.name, core.slug) == ("Core Platform", "core")
    assert AuditEvent.objects.get(action="team.updated").after == {"name": "Core Platform"}


def test_a_duplicate_team_name_is_a_uniqueness_conflict(scim, org):
    response = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "CORE"})

    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"
    assert Team.objects.count() == 2


def test_deleting_a_group_takes_its_members_off_the_team_and_keeps_them(scim, org):
    other = Team.objects.get(slug="other")

    assert scim.delete(f"Groups/{other.pk}").status_code == 204

    assert not Team.objects.filter(pk=other.pk).exists()
    assert Person.objects.get(pk=org.outsider.pk).team is None
    assert AuditEvent.objects.filter(action="team.deleted").count() == 1
