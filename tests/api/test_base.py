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


@pytest.mark.parametrize("text", ["\x00", "a\ud800b", "\udfff", "ok\x00"])
@pytest.mark.parametrize("where", ["value", "key", "nested"])
def test_text_no_database_stores_is_a_422_naming_the_field(api, org, text, where):
    body = {
        "value": {"happened_on": "2026-01-01", "text": text, "criteria": [1]},
        "key": {"happened_on": "2026-01-01", "text": "fine", "criteria": [1], text: 1},
        "nested": {"happened_on": "2026-01-01", "text": "fine", "criteria": [1, {"a": text}]},
    }[where]
    caller = api.as_(org.manager.user, "read write")

    response = caller.post(f"people/{org.engineer.pk}/evidence/", body)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    field = response.json()["errors"][0]["field"]
    named = {"value": "body.text", "nested": "body.criteria.1.a"}
    # A key is named with what no text may hold replaced, so the answer itself is storable.
    replaced = "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in text)
    assert field == named.get(where, "body." + replaced)


def test_a_field_is_named_alike_by_the_schema_and_by_the_services(api, org):
    caller = api.as_(org.manager.user, "read write")

    response = caller.post(
        f"people/{org.engineer.pk}/evidence/", {"happened_on": "someday", "text": "x"}
    )

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"body.happened_on", "body.criteria"} <= fields


def test_a_form_encoded_write_is_refused_as_no_json_not_a_500(api, org):
    token = api.as_(org.manager.user, "read write").token

    response = api.client.post(
        f"/api/v1/people/{org.engineer.pk}/evidence/",
        {"text": "a form", "happened_on": "2026-01-01"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_body_larger_than_a_request_may_send_is_a_413_problem(api, org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    caller = api.as_(org.manager.user, "read write")

    response = caller.post(f"people/{org.engineer.pk}/evidence/", {"text": "x" * 2000})

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "1,000 bytes" in response.json()["detail"]


@pytest.mark.parametrize("day", ["0", "1700000000", "2026-1-1", "20260101", "2026-01-01T00:00"])
def test_a_day_is_written_yyyy_mm_dd_and_nothing_else(api, org, day):
    response = api.as_(org.admin.user).get("audit/", since=day)

    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "query.since"


@pytest.mark.parametrize("value", [True, False])
def test_true_or_false_is_no_number(api, org, value):
    caller = api.as_(org.manager.user, "read write")

    response = caller.post(
        f"people/{org.engineer.pk}/evidence/",
        {"happened_on": "2026-01-01", "text": "x", "criteria": [value]},
    )

    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "body.criteria.0"


def test_an_error_in_an_operation_is_a_500_problem_mailed_to_the_admins(
    api, org, settings, mailoutbox, monkeypatch
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    caller = api.as_(org.engineer.user, "read")

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr("ladder.api.main.ServiceAccount.objects.filter", broken)
    response = caller.get("me")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "Quote reference" in response.json()["detail"]
    assert "the disk is on fire" not in response.content.decode()
    assert [mail.to for mail in mailoutbox] == [["ops@example.com"]]
    assert "the disk is on fire" in mailoutbox[0].body
