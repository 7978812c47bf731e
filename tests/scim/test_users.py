"""Users through SCIM: created, found, changed and deactivated the way Entra ID and Okta do it."""

import pytest
from django.contrib.auth import get_user_model

from ladder.accounts.services import invitations_send
from ladder.audit.models import AuditEvent
from ladder.people.models import Person
from ladder.scim.models import ScimUser
from tests.scim.conftest import ENTERPRISE, USER_SCHEMA, new_user

pytestmark = pytest.mark.django_db


def test_a_new_user_becomes_a_person_with_a_canonical_email_and_a_name(scim):
    response = scim.post("Users", new_user("Nia.New@Example.COM"))

    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.email, person.name, person.user) == ("nia.new@example.com", "Nia New", None)
    assert response["Location"].endswith(f"/scim/v2/Users/{person.pk}")
    assert response["ETag"] == response.json()["meta"]["version"]


def test_a_name_comes_from_formatted_then_given_and_family_then_display_name(scim):
    body = new_user(name={"formatted": "Dr Nia New"}, displayName="Nia")
    assert scim.post("Users", body).json()["name"]["formatted"] == "Dr Nia New"
    only_display = new_user("dee@example.com", displayName="Dee Display")
    del only_display["name"]
    assert (
        Person.objects.get(pk=scim.post("Users", only_display).json()["id"]).name == "Dee Display"
    )


def test_the_enterprise_manager_sets_the_persons_manager(scim, org):
    body = new_user(
        schemas=[USER_SCHEMA, ENTERPRISE],
        **{ENTERPRISE: {"manager": {"value": str(org.manager.pk)}}},
    )

    person = Person.objects.get(pk=scim.post("Users", body).json()["id"])

    assert person.manager == org.manager
    assert person.path == f"{org.manager.path}{person.pk}/"


def test_people_from_before_scim_are_found_by_their_email_as_user_name(scim, org):
    response = scim.get('Users?filter=userName eq "EVE@example.com"')

    body = response.json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == str(org.engineer.pk)
    assert body["Resources"][0][ENTERPRISE]["manager"]["value"] == str(org.manager.pk)


@pytest.mark.parametrize(
    "query, expected",
    [
        ('emails.value eq "pat@example.com"', ["pat@example.com"]),
        ('emails[value eq "pat@example.com"]', ["pat@example.com"]),
        ('externalId eq "okta-42"', ["nia@example.com"]),
        ('userName sw "o" and not (userName eq "olga@example.com")', ["oscar@example.com"]),
    ],
)
def test_filters_find_exactly_the_matching_people(scim, org, query, expected):
    scim.post("Users", new_user(externalId="okta-42"))

    body = scim.get("Users", **{"QUERY_STRING": f"filter={query}"}).json()

    assert sorted(r["userName"] for r in body["Resources"]) == expected


def test_pages_follow_start_index_and_count_with_the_total(scim, org):
    first = scim.get("Users?startIndex=1&count=3").json()
    rest = scim.get("Users?startIndex=4&count=100").json()

    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (7, 3, 1)
    assert rest["itemsPerPage"] == 4
    ids = [r["id"] for r in first["Resources"] + rest["Resources"]]
    assert sorted(ids, key=int) == sorted(str(p.pk) for p in Person.objects.all())


def test_entra_deactivates_with_a_capitalised_op_and_a_string_boolean(scim, org):
    response = scim.patch(
        f"Users/{org.engineer.pk}", [{"op": "Replace", "path": "active", "value": "False"}]
    )

    assert response.status_code == 200 and response.json()["active"] is False
    org.engineer.user.refresh_from_db()
    assert org.engineer.user.is_active is False
    assert Person.objects.filter(pk=org.engineer.pk).exists()  # nothing is deleted
    event = AuditEvent.objects.get(action="person.deactivated")
    assert (event.target_id, event.actor) == (str(org.engineer.pk), org.admin.user)


def test_a_deactivated_login_loses_its_session(scim, org, client):
    client.force_login(org.engineer.user)
    assert (
        client.get("/me/").status_code == 302
        and client.get(f"/people/{org.engineer.pk}/").status_code == 200
    )

    scim.patch(f"Users/{org.engineer.pk}", [{"op": "replace", "value": {"active": False}}])

    assert client.get(f"/people/{org.engineer.pk}/").status_code == 302  # to sign in


def test_entra_names_the_manager_by_a_bare_id(scim, org):
    path = f"{ENTERPRISE}:manager"

    response = scim.patch(
        f"Users/{org.engineer.pk}", [{"op": "Add", "path": path, "value": str(org.skip.pk)}]
    )

    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=org.engineer.pk).manager == org.skip


def test_a_person_without_a_login_is_marked_inactive_and_can_be_reactivated(scim):
    pk = scim.post("Users", new_user()).json()["id"]

    scim.patch(f"Users/{pk}", [{"op": "replace", "value": {"active": False}}])
    assert ScimUser.objects.get(person=pk).active is False
    assert scim.get(f"Users/{pk}").json()["active"] is False
    # Every way in now finds a login that may not sign in: no invitation, reset or single
    # sign-on makes a new one.
    user = Person.objects.get(pk=pk).user
    assert not user.is_active and not user.has_usable_password()
    assert invitations_send(by=None, people=[Person.objects.get(pk=pk)]).invited == []

    scim.patch(f"Users/{pk}", [{"op": "replace", "path": "active", "value": "True"}])
    assert ScimUser.objects.get(person=pk).active is True
    assert Person.objects.get(pk=pk).user.is_active
    actions = list(AuditEvent.objects.filter(target_id=pk).values_list("action", flat=True))
    assert {"person.deactivated", "person.reactivated"} <= set(actions)


def test_patch_paths_entra_and_okta_send_change_the_person(scim, org):
    pk = org.engineer.pk
    operations = [
        {"op": "Replace", "path": "name.givenName", "value": "Evelyn"},
        {"op": "Replace", "path": "name.familyName", "value": "Engineer"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "Evelyn@Example.com"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": {"value": str(org.skip.pk)}},
    ]

    response = scim.patch(f"Users/{pk}", operations)

    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=pk)
    assert (person.name, person.email, person.manager) == (
        "Evelyn Engineer",
        "evelyn@example.com",
        org.skip,
    )
    event = AuditEvent.objects.get(action="person.updated", target_id=str(pk))
    assert event.after["manager"] == "sam@example.com"


def test_removing_the_manager_puts_the_person_at_the_top(scim, org):
    scim.patch(f"Users/{org.engineer.pk}", [{"op": "remove", "path": f"{ENTERPRISE}:manager"}])

    org.engineer.refresh_from_db()
    assert org.engineer.manager is None and org.engineer.path == f"/{org.engineer.pk}/"


def test_a_replacement_changes_the_person_and_keeps_an_unmentioned_manager(scim, org):
    body = new_user("eve@example.com", name={"formatted": "Eve Renamed"})

    response = scim.put(f"Users/{org.engineer.pk}", body)

    assert response.status_code == 200, response.content
    org.engineer.refresh_from_db()
    assert (org.engineer.name, org.engineer.manager) == ("Eve Renamed", org.manager)


def test_delete_deactivates_and_hides_the_person_but_keeps_them_and_their_history(scim, org):
    response = scim.delete(f"Users/{org.engineer.pk}")

    assert response.status_code == 204
    assert scim.get(f"Users/{org.engineer.pk}").status_code == 404
    assert Person.objects.get(pk=org.engineer.pk).level_history.exists()
    assert get_user_model().objects.get(pk=org.engineer.user.pk).is_active is False


def test_creating_a_deleted_person_again_brings_them_back(scim, org):
    scim.delete(f"Users/{org.engineer.pk}")

    response = scim.post("Users", new_user("eve@example.com"))

    assert response.status_code == 201 and response.json()["id"] == str(org.engineer.pk)
    org.engineer.user.refresh_from_db()
    assert org.engineer.user.is_active is True


def test_switching_off_someone_whose_address_is_too_long_for_a_login_is_refused_whole(scim):
    address = "n" * 190 + "@example.com"
    pk = scim.post("Users", new_user(address)).json()["id"]

    response = scim.patch(f"Users/{pk}", [{"op": "replace", "value": {"active": False}}])

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert "too long to name a login" in response.json()["detail"]
    assert ScimUser.objects.get(person=pk).active is True
    assert Person.objects.get(pk=pk).user is None
