"""The JSON API at /api/v1/: django-ninja over the same services and permission rules as the
pages. Each resource has its router in a module of its own; this wires them, the token
authentication, the throttle and the problem documents together."""

from __future__ import annotations

import json

from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import ValidationError
from ninja.parser import Parser

from . import audit, growth, ladders, people, problems, promotions
from .auth import TokenAuth, TokenThrottle
from .models import ServiceAccount

DESCRIPTION = """\
A career ladder's data for the systems around it: ladders and their versions, people and their
levels, evidence, assessments, growth plans, readiness and the promotion round.

Every request sends a personal access token, `Authorization: Bearer ladder_pat_…`, made on your
tokens page. A token acts as its owner and can never do more than they can on the pages; its
scopes narrow it further: `read` for GET, `write` for the rest, `admin` for an admin's powers.
What you may not see answers 404, whether or not it exists.

Errors are `application/problem+json` (RFC 9457). Lists that grow page by cursor: follow `next`.
"""

# Answers any operation may give, documented once here rather than on each operation.
COMMON_ANSWERS = {
    "400": "The request holds a character no text here may hold (NUL).",
    "401": "No token, or one that is unknown, expired or revoked.",
    "404": "Not found, not yours to see, or outside the token's scopes.",
    "422": "The input is refused: `errors` names each field and the reason.",
    "429": "Too many requests for this token: see Retry-After.",
}
WRITE_ANSWERS = {"409": "Refused because what it was based on changed: read it again."}

PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}


def _nul_at(value, path=()):
    """The path to the first text holding NUL in a parsed JSON body, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return (*path, key.replace("\x00", "\\0"))
        found = _nul_at(item, (*path, key))
        if found is not None:
            return found
    return None


class BodyParser(Parser):
    """JSON bodies, refusing NUL in any text: PostgreSQL stores none, so it is a 422 here."""

    def parse_body(self, request):
        data = json.loads(request.body)
        where = _nul_at(data)
        if where is not None:
            reason = "contains a NUL character (\\0), which no text here may hold"
            raise ValidationError([{"loc": ("body", *where), "msg": reason}])
        return data


class LadderApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        content = {problems.CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                answers = operation.setdefault("responses", {})
                extra = COMMON_ANSWERS | (WRITE_ANSWERS if method != "get" else {})
                for status, description in extra.items():
                    if int(status) not in answers and status not in answers:
                        answers[status] = {"description": description, "content": content}
        return schema


api = LadderApi(
    title="Ladder API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": True, "tryItOutEnabled": False}),
    docs_url="/docs/",
    parser=BodyParser(),
)
problems.install(api)


class Me(Schema):
    username: str
    person: int | None
    admin: bool
    service_account: str | None
    scopes: list[str]
    expires_at: str


@api.get("/me", response=Me, tags=["tokens"], summary="Who this token acts as")
def me(request):
    """The token's owner, the person they are (if any), and what the token may do."""
    from ladder.people.permissions import person_of
    from ladder.roles import is_admin

    token = request.auth
    person = person_of(request.user)
    account = ServiceAccount.objects.filter(user_id=token.owner_id).first()
    return {
        "username": token.owner.get_username(),
        "person": person.pk if person else None,
        "admin": is_admin(request.user),
        "service_account": account.name if account else None,
        "scopes": sorted(token.scope_set),
        "expires_at": token.expires_at.isoformat(),
    }


api.add_router("/ladders/", ladders.router)
api.add_router("/", people.router)
api.add_router("/", growth.router)
api.add_router("/", promotions.router)
api.add_router("/audit/", audit.router)
