"""The API's common ground: tokens, scopes, problem documents, throttling, the schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_me_names_the_owner_and_the_scopes(api, org):
    response = api.as_(org.engineer.user, "read").get("me")

    assert response.status_code == 200, response.content
    assert response.json()["person"] == org.engineer.pk
    assert response.json()["scopes"] == ["read"]
    assert response.json()["admin"] is False


def test_no_token_is_a_401_problem(api, org):
    response = api.get("me")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def test_an_admin_token_without_the_admin_scope_acts_as_no_admin(api, org):
    assert api.as_(org.admin.user, "read").get("me").json()["admin"] is False
    assert api.as_(org.admin.user, "read admin").get("me").json()["admin"] is True


def test_the_schema_is_served(api, db):
    response = api.get("openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Ladder API"
