"""A joiner from SCIM and a joiner from the CSV import are the same rows and the same audit
events: both go through the people services."""

import pytest

from ladder.audit.models import AuditEvent
from ladder.people.imports import people_import
from ladder.people.models import LevelAssignment, Person, Team
from tests.scim.conftest import ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, new_user

pytestmark = pytest.mark.django_db

HEADER = "email,name,manager_email,team,level_code,level_since\n"


def joiner(email):
    """What the database holds about the person with `email`, without keys and times."""
    person = Person.objects.select_related("manager").get(email=email)
    row = Person.objects.filter(pk=person.pk).values(
        "name", "email", "manager__email", "team", "user", "wants_reminders"
    )[0]
    row["depth"] = person.depth
    row["path_below_manager"] = person.path == f"{person.manager.path}{person.pk}/"
    row["levels"] = LevelAssignment.objects.filter(person=person).count()
    events = AuditEvent.objects.filter(target_type="person", target_id=str(person.pk))
    row["events"] = sorted(
        (e.action, e.actor_id, e.actor_label, e.target_label, str(e.before), str(e.after))
        for e in events
    )
    return row


def test_a_scim_joiner_and_a_csv_joiner_are_indistinguishable(scim, org, dotnet_version):
    people_import(
        by=org.admin.user,
        text=HEADER + "cat@example.com,Cat Joiner,mia@example.com,,,\n",
        path="people.csv",
        version=dotnet_version,
        apply=True,
    )
    body = new_user(
        "cat2@example.com",
        name={"formatted": "Cat Joiner"},
        schemas=[USER_SCHEMA, ENTERPRISE],
        **{ENTERPRISE: {"manager": {"value": str(org.manager.pk)}}},
    )
    assert scim.post("Users", body).status_code == 201

    from_csv, from_scim = joiner("cat@example.com"), joiner("cat2@example.com")

    assert (
        from_csv.pop("email") == "cat@example.com" and from_scim.pop("email") == "cat2@example.com"
    )
    for row in (from_csv, from_scim):
        row["events"] = [tuple(str(v).replace("cat2@", "cat@") for v in e) for e in row["events"]]
    assert from_scim == from_csv
    assert from_csv["events"][0][0] == "person.created"


def test_a_team_from_scim_is_recorded_as_one_from_the_csv_import(scim, org, dotnet_version):
    people_import(
        by=org.admin.user,
        text=HEADER + "cat@example.com,Cat Joiner,,Platform,,\n",
        path="people.csv",
        version=dotnet_version,
        apply=True,
    )
    scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Data"})

    events = {
        e.target_label: (e.action, e.actor_id, e.before, e.after)
        for e in AuditEvent.objects.filter(action="team.created")
    }
    assert events["Platform"][:3] == events["Data"][:3]
    assert events["Data"][3] == {"name": "Data", "slug": "data"}
    assert Team.objects.filter(name="Data", slug="data").exists()
