"""What every path and operation of the API does alike with a request it cannot take, whichever
router it belongs to: read from the schema, so that a new operation is covered as it lands."""

import json
import re

import pytest

from ladder.api.main import api as ninja_api

pytestmark = pytest.mark.django_db

SCHEMA = ninja_api.get_openapi_schema()
METHODS = {"get", "put", "post", "patch", "delete"}
PATHS = {
    path: {method.upper() for method in item if method in METHODS}
    for path, item in SCHEMA["paths"].items()
}
WITH_BODY = [
    (method, path)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
]


def sample(path: str) -> str:
    """The path with each parameter given a value of the right shape."""
    return re.sub(r"\{\w+\}", "1", path)


def allowed(response) -> set[str]:
    return {method.strip() for method in response["Allow"].split(",")}


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("path", PATHS)
def test_a_method_a_path_does_not_serve_is_a_405_listing_those_it_does(client, path, method):
    response = client.generic(method, sample(path))

    assert response.status_code == 405
    assert allowed(response) == PATHS[path]


@pytest.mark.parametrize(
    "path", [re.sub(r"\{\w+\}", "a%2Fb", path) for path in PATHS if "{" in path] + ["/api/v1/no/"]
)
def test_an_address_no_operation_has_is_a_404_problem(api, org, path):
    response = api.as_(org.admin.user).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs/"])
def test_the_schema_and_the_docs_page_are_only_read(client, path):
    assert client.get(path).status_code == 200
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code == 405
        assert allowed(response) == {"GET", "HEAD"}


def test_the_docs_page_alone_may_show_data_images(client):
    docs = client.get("/api/v1/docs/")["Content-Security-Policy"]
    schema = client.get("/api/v1/openapi.json")["Content-Security-Policy"]
    page = client.get("/")["Content-Security-Policy"]

    assert "img-src 'self' data:" in docs
    assert "data:" not in page
    assert "script-src 'self'" in docs and "unsafe" not in docs
    assert "img-src" not in page and "img-src 'self' data:" in schema


@pytest.mark.parametrize("body", ["[]", "null", "1", '"text"', "[{}]"])
@pytest.mark.parametrize(("method", "path"), WITH_BODY)
def test_a_body_that_is_no_object_is_a_422_naming_the_body(api, org, method, path, body):
    caller = api.as_(org.admin.user)

    response = caller.client.generic(
        method.upper(),
        sample(path),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {caller.token}",
    )

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "body", "reason": "Send a JSON object (or, where the body is optional, no body)."}
    ]


@pytest.mark.parametrize(("method", "path"), WITH_BODY)
def test_nul_anywhere_in_a_body_is_a_422_naming_where(api, org, method, path):
    caller = api.as_(org.admin.user)
    body = json.dumps({"deep": [{"text": "a\x00b"}]})

    response = caller.client.generic(
        method.upper(),
        sample(path),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {caller.token}",
    )

    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "body.deep.0.text"
    assert "NUL" in response.json()["errors"][0]["reason"]


def test_an_optional_body_is_documented_as_an_object_never_null():
    bodies = [
        SCHEMA["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        for method, path in WITH_BODY
    ]

    assert bodies
    assert all({"type": "null"} not in body.get("anyOf", []) for body in bodies)


def test_every_operation_documents_the_answers_any_may_give():
    for item in SCHEMA["paths"].values():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert all(isinstance(status, str) for status in statuses)
            assert {"400", "401", "404", "414", "422", "429"} <= statuses
            assert method == "get" or "409" in statuses
