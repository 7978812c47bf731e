import json

import pytest

from ladder.scim.tokens import scim_token_create

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """The test client speaking SCIM with a bearer token."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def request(self, method, path, body=None, token=None, **headers):
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        return getattr(self.client, method)(
            f"/scim/v2/{path}",
            data=data,
            content_type="application/scim+json",
            HTTP_AUTHORIZATION=f"Bearer {token or self.token}",
            **headers,
        )

    def get(self, path, **kw):
        return self.request("get", path, **kw)

    def post(self, path, body, **kw):
        return self.request("post", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("put", path, body, **kw)

    def patch(self, path, operations, **kw):
        return self.request(
            "patch", path, {"schemas": [PATCH_SCHEMA], "Operations": operations}, **kw
        )

    def delete(self, path, **kw):
        return self.request("delete", path, **kw)


@pytest.fixture
def scim_token(org):
    return scim_token_create(by=org.admin.user, name="Okta")


@pytest.fixture
def scim(client, scim_token):
    return Scim(client, scim_token[1])


def new_user(email="nia@example.com", **extra):
    return {
        "schemas": [USER_SCHEMA],
        "userName": email,
        "name": {"givenName": "Nia", "familyName": "New"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }
