"""The API's authorization matrix: every operation, against the whole cast and a committee
member, each with a read token and a read-write token (an admin's tokens also carry `admin`;
`token_for` leaves it off everyone else's).

Each row gives the outcome with a read-write token. A read token gets the same answer to a
GET and 404 to anything else: a write is outside its scopes. Anonymous requests send no token.
Every call runs in a savepoint that is rolled back, so each actor meets the same world.

Outcomes: 200/201/204 done, 401 no token, 404 not found (out of scope: whether it exists does
not leak), 409 refused as stale or decided, 422 refused input.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from ladder.api.main import api as ninja_api
from tests.api import (
    matrix_audit,
    matrix_base,
    matrix_growth,
    matrix_ladders,
    matrix_people,
    matrix_promotions,
)
from tests.api.conftest import Api, token_for
from tests.conftest import calibration_round

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "engineer", "peer", "manager", "skip", "other_manager", "committee", "admin"]
MODULES = [
    matrix_base,
    matrix_ladders,
    matrix_people,
    matrix_growth,
    matrix_promotions,
    matrix_audit,
]
ROWS = [row for module in MODULES for row in module.ROWS]


@pytest.fixture
def world(org):
    ids = calibration_round(org)
    for module in MODULES:
        module.prepare(org, ids)
    tokens = {
        (actor, scopes): token_for(getattr(org, actor).user, scopes)
        for actor in ACTORS[1:]
        for scopes in ("read admin", "read write admin")
    }
    return ids, tokens


def _send(api: Api, method: str, url: str, body):
    if method in ("get", "delete"):
        return api.call(method, url)
    return api.call(method, url, body if body is not None else {})


@pytest.mark.parametrize(
    "method, url, body, outcomes",
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in ROWS],
)
def test_api_authorization_matrix(client, org, world, method, url, body, outcomes):
    ids, tokens = world
    path = url.format(**ids)
    payload = body(org, ids) if callable(body) else body
    wrong = []
    for actor, expected in zip(ACTORS, outcomes, strict=True):
        for scopes in ("read admin", "read write admin") if actor != "anonymous" else (None,):
            want = expected
            if scopes and "write" not in scopes and method != "get" and expected != 401:
                want = 404
            api = Api(client, tokens.get((actor, scopes)))
            with transaction.atomic():
                response = _send(api, method, path, payload)
                transaction.set_rollback(True)
            if response.status_code != want:
                wrong.append(
                    f"{actor} ({scopes or 'no token'}): {response.status_code}, expected {want}"
                    f" {response.content[:200]!r}"
                )
    assert not wrong, f"{method.upper()} {path}:\n" + "\n".join(wrong)


def _shape(url: str) -> str:
    url = url.split("?")[0].removeprefix("/api/v1/").strip("/")
    return re.sub(r"\{\w+\}", "ID", url)


def test_the_matrix_covers_every_operation_of_the_api():
    schema = ninja_api.get_openapi_schema()
    operations = {
        (method, _shape(path)) for path, item in schema["paths"].items() for method in item
    }

    assert operations == {(method, _shape(url)) for method, url, _, _ in ROWS}
