"""Calling the JSON API as the cast of tests/conftest.py, each with a token of chosen scopes."""

from __future__ import annotations

import json

import pytest

from ladder.api.tokens import token_create
from tests.api.served import served_api  # noqa: F401 (a live server for the whole session)

FULL = "read write admin"


def token_for(user, scopes: str = FULL, days: int = 30) -> str:
    """A token's text for `user` (the admin scope only where the user is an admin)."""
    chosen = scopes.split()
    if "admin" in chosen and not user.is_superuser:
        chosen.remove("admin")
    return token_create(by=user, owner=user, name="tests", scopes=chosen, days=days)[1]


class Api:
    """The Django test client, speaking JSON to /api/v1/ with a bearer token."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def as_(self, user, scopes: str = FULL) -> Api:
        return Api(self.client, token_for(user, scopes) if user is not None else None)

    def call(self, method: str, path: str, body=None, headers: dict | None = None, **params):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        if self.token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        kwargs = {"data": params} if method == "get" else {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(self.client, method)(url, **kwargs, **extra)

    def get(self, path, **params):
        return self.call("get", path, **params)

    def post(self, path, body=None, **kw):
        return self.call("post", path, body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.call("put", path, body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("patch", path, body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.call("delete", path, **kw)


@pytest.fixture
def api(client):
    """`api.as_(org.manager.user).get("people/")`; `api.get(...)` sends no token."""
    return Api(client)


@pytest.fixture(autouse=True)
def roomy_throttle(settings):
    # The throttle counts in the cache, which outlives a test: tests that are not about it
    # must never meet it. tests/api/test_base.py checks the throttle with a small rate.
    settings.API_THROTTLE_RATE = "100000/min"
