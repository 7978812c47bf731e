"""The Django admin goes through the audited services and the permission module."""

import pytest

from ladder.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def person_form(org, person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "manager": person.manager_id or "",
        "team": person.team_id or "",
        "user": person.user_id or "",
        "level_history-TOTAL_FORMS": "0",
        "level_history-INITIAL_FORMS": "0",
        "level_history-MIN_NUM_FORMS": "0",
        "level_history-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_a_manager_change_in_the_admin_is_audited(client, org):
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/people/person/{org.engineer.pk}/change/",
        person_form(org, org.engineer, manager=org.other_manager.pk),
    )

    assert response.status_code == 302
    org.engineer.refresh_from_db()
    assert org.engineer.manager == org.other_manager
    event = AuditEvent.objects.get(action="person.updated")
    assert event.after["manager"] == "oscar@example.com" and event.actor_label == "ada@example.com"


def test_a_cycle_is_refused_on_the_admin_form_and_nothing_changes(client, org):
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/people/person/{org.skip.pk}/change/",
        person_form(org, org.skip, manager=org.engineer.pk),
    )

    assert response.status_code == 200
    assert "would make a cycle" in response.content.decode()
    org.skip.refresh_from_db()
    assert org.skip.manager is None


def test_linking_a_login_in_the_admin_is_audited(client, org, django_user_model):
    login = django_user_model.objects.create_user("new@example.com", "new@example.com", "pw")
    client.force_login(org.admin.user)
    org.outsider.user.delete()
    org.outsider.refresh_from_db()

    client.post(
        f"/admin/people/person/{org.outsider.pk}/change/",
        person_form(org, org.outsider, user=login.pk),
    )

    event = AuditEvent.objects.get(action="login.linked")
    assert (event.before, event.after) == ({"login": None}, {"login": "new@example.com"})


def test_granting_superuser_rights_in_the_user_admin_is_audited(client, org):
    user = org.peer.user
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "email": user.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="role.changed")
    assert event.before["is_superuser"] is False and event.after["is_superuser"] is True


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\u202e", "\u200b"])
def test_a_team_name_with_a_control_character_is_refused_in_the_admin(client, org, char):
    client.force_login(org.admin.user)

    response = client.post(
        f"/admin/people/team/{org.core.pk}/change/", {"name": f"Co{char}re", "slug": "core"}
    )

    assert response.status_code == 200
    assert "a control character: remove it" in response.content.decode()
    org.core.refresh_from_db()
    assert org.core.name == "Core"
