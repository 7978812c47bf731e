"""Every refused request gets its SCIM status and scimType, as application/scim+json, and
changes nothing."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from ladder.audit.models import AuditEvent
from ladder.people.models import Person, Team
from ladder.scim.tokens import scim_token_revoke
from tests.scim.conftest import ENTERPRISE, USER_SCHEMA, new_user

pytestmark = pytest.mark.django_db


def rows():
    return (
        sorted(Person.objects.values_list("pk", "name", "email", "manager", "team", "path")),
        Team.objects.count(),
        AuditEvent.objects.exclude(action="scim.request").count(),
    )


def assert_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type


def test_a_bad_token_is_refused_with_401(scim, org):
    before = rows()

    response = scim.post("Users", new_user(), token="ladder_scim_not-a-token")

    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert rows() == before


def test_a_revoked_token_is_refused_with_401(scim, scim_token, org):
    scim_token_revoke(by=org.admin.user, token=scim_token[0])

    assert_error(scim.get("Users"), 401)


def test_a_signed_in_admin_without_a_token_is_refused(client, org):
    client.force_login(org.admin.user)

    assert_error(client.get("/scim/v2/Users"), 401)


def test_an_unknown_attribute_is_invalid_syntax(scim, org):
    before = rows()

    assert_error(scim.post("Users", new_user(shoeSize=44)), 400, "invalidSyntax")
    assert rows() == before


def test_a_patch_of_an_unknown_path_is_invalid_path(scim, org):
    before = rows()

    response = scim.patch(
        f"Users/{org.engineer.pk}", [{"op": "replace", "path": "shoeSize", "value": 44}]
    )

    assert_error(response, 400, "invalidPath")
    assert rows() == before


@pytest.mark.parametrize(
    "query", ["userName eq", 'userName zz "x"', 'shoeSize eq "44"', '(userName eq "a"']
)
def test_an_invalid_filter_is_invalid_filter(scim, org, query):
    assert_error(scim.get("Users", QUERY_STRING=f"filter={query}"), 400, "invalidFilter")


def test_a_manager_that_would_make_a_cycle_is_invalid_value_and_changes_nothing(scim, org):
    before = rows()
    operations = [
        {"op": "replace", "path": "name.givenName", "value": "Changed"},
        {
            "op": "replace",
            "path": f"{ENTERPRISE}:manager",
            "value": {"value": str(org.engineer.pk)},
        },
    ]

    response = scim.patch(f"Users/{org.skip.pk}", operations)

    assert_error(response, 400, "invalidValue")
    assert "cycle" in response.json()["detail"]
    assert rows() == before


def test_an_unknown_manager_is_invalid_value(scim, org):
    body = new_user(
        schemas=[USER_SCHEMA, ENTERPRISE], **{ENTERPRISE: {"manager": {"value": "999999"}}}
    )

    assert_error(scim.post("Users", body), 400, "invalidValue")
    assert not Person.objects.filter(email="nia@example.com").exists()


def test_a_duplicate_user_name_is_a_uniqueness_conflict(scim, org):
    before = rows()

    assert_error(scim.post("Users", new_user("EVE@example.com")), 409, "uniqueness")
    assert rows() == before


def test_a_user_name_that_is_no_address_without_emails_is_invalid_value(scim, org):
    body = new_user("not-an-address")
    del body["emails"]

    assert_error(scim.post("Users", body), 400, "invalidValue")


def test_a_ten_megabyte_body_is_refused_before_it_is_read(scim, org):
    before = rows()
    huge = b'{"schemas": ["' + b"x" * (10 * 1024 * 1024) + b'"]}'

    response = scim.post("Users", huge)

    assert_error(response, 413)
    assert rows() == before


def test_a_body_that_is_not_json_is_invalid_syntax(scim, org):
    assert_error(scim.post("Users", b"{not json"), 400, "invalidSyntax")


def test_a_stale_if_match_is_refused_with_412_and_a_current_one_is_accepted(scim, org):
    url = f"Users/{org.engineer.pk}"
    version = scim.get(url)["ETag"]
    operation = [{"op": "replace", "path": "name.formatted", "value": "Eve Two"}]

    assert scim.patch(url, operation, HTTP_IF_MATCH=version).status_code == 200
    assert_error(scim.patch(url, operation, HTTP_IF_MATCH=version), 412)
    assert_error(scim.delete(url, HTTP_IF_MATCH=version), 412)
    assert Person.objects.get(pk=org.engineer.pk).name == "Eve Two"


def test_an_unknown_resource_is_404_in_scim_form(scim, org):
    assert_error(scim.get("Users/999999"), 404)
    assert_error(scim.get("Nothing/here"), 404)


def test_the_api_needs_no_csrf_token(scim_token, org):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/scim/v2/Users",
        data=new_user(),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {scim_token[1]}",
    )

    assert response.status_code == 201


# -- ids and filters of every odd kind: never a 500

ODD_IDS = ["²", "١٢", "1" * 30, "-1", " 1", "1.0", "0x1", "１"]


@pytest.mark.parametrize("value", ODD_IDS)
def test_an_id_that_is_no_id_is_not_found_wherever_it_is_read(scim, org, value):
    before = rows()

    for kind in ("Users", "Groups"):
        assert_error(scim.get(f"{kind}/{value}"), 404)
    manager = {ENTERPRISE: {"manager": {"value": value}}}
    created = scim.post("Users", new_user(schemas=[USER_SCHEMA, ENTERPRISE], **manager))
    assert_error(created, 400, "invalidValue")
    member = [{"op": "add", "path": "members", "value": [{"value": value}]}]
    assert_error(scim.patch(f"Groups/{org.core.pk}", member), 400, "invalidValue")
    listed = scim.get("Groups", QUERY_STRING=urlencode({"filter": f'members eq "{value}"'}))
    assert listed.status_code == 200 and listed.json()["totalResults"] == 0
    assert rows() == before


def test_a_token_page_revoke_of_no_id_changes_nothing(client, org, scim_token):
    client.force_login(org.admin.user)

    response = client.post("/settings/scim-tokens/", {"revoke": "²"})

    assert response.status_code in (200, 302, 400)
    scim_token[0].refresh_from_db()
    assert scim_token[0].revoked_at is None


@pytest.mark.parametrize(
    "text",
    [
        " or ".join(['emails co "a"'] * 400),
        "(" * 3000 + 'userName eq "a"' + ")" * 3000,
        'userName eq "' + "a" * 2000 + '"',
    ],
    ids=["many terms", "deep brackets", "long value"],
)
def test_a_filter_too_long_to_read_is_an_invalid_filter(scim, org, text):
    response = scim.post(
        "Users/.search",
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": text},
    )

    assert_error(response, 400, "invalidFilter")


def test_a_filter_may_name_the_core_schema_in_full(scim, org):
    text = f'{USER_SCHEMA}:userName eq "eve@example.com"'

    found = scim.get("Users", QUERY_STRING=urlencode({"filter": text})).json()

    assert [user["id"] for user in found["Resources"]] == [str(org.engineer.pk)]


@pytest.mark.parametrize("start", ["99999999999999999999999", str(2**31), str(2**63)])
def test_a_start_past_every_row_is_an_empty_page(scim, org, start):
    response = scim.get("Users", QUERY_STRING=f"startIndex={start}")

    assert response.status_code == 200
    assert response.json().get("Resources", []) == []
    assert response.json()["totalResults"] == Person.objects.count()
