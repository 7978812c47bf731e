"""The JSON API at /api/v1/: django-ninja over the same services and permission rules as the
pages. Each resource has its router in a module of its own; this wires them, the token
authentication, the throttle and the problem documents together."""

from __future__ import annotations

import json
import re

from csp.constants import SELF
from csp.decorators import csp_update
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import ValidationError
from ninja.parser import Parser

from . import audit, growth, insights, ladders, people, problems, promotions
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
WRITE_ANSWERS = {
    "409": "Refused because what it was based on changed: read it again.",
    "413": "The body is larger than a request may send (DATA_UPLOAD_MAX_MEMORY_SIZE).",
}
# Answered by the web server (gunicorn) before the API sees the request, in its own words.
SERVER_ANSWERS = {"414": "The address is too long: the request line may hold 4094 bytes."}

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


# Text no database here stores: NUL (PostgreSQL refuses it) and the halves of a surrogate pair
# standing alone, which JSON's \uXXXX escapes can spell but no encoding writes.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable_at(value, path=()):
    """The path to the first text in a parsed JSON body holding what no text may hold, or None."""
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and UNSTORABLE.search(key):
            return (*path, UNSTORABLE.sub("\ufffd", key))
        found = _unstorable_at(item, (*path, key))
        if found is not None:
            return found
    return None


class BodyParser(Parser):
    """JSON bodies, refusing text no database stores (NUL, a lone surrogate): a 422 here.

    Every body an operation takes is an object, left out where it is optional. Anything else
    is refused here: django-ninja would read null, a list or a number as an object with none of
    the fields, so a schema whose fields all have defaults would take it as empty."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            reason = "Send a JSON object (or, where the body is optional, no body)."
            raise ValidationError([{"loc": ("body",), "msg": reason}])
        where = _unstorable_at(data)
        if where is not None:
            reason = (
                "contains a NUL character (\\0) or a lone surrogate (\\ud800-\\udfff), "
                "which no text here may hold"
            )
            # Named as the field itself, as no parameter of an operation holds it yet.
            raise ValidationError([{"loc": ("body", *where), "msg": reason, "type": "unstorable"}])
        return data


def _object_body(operation: dict) -> None:
    """An optional body is left out, never null (see BodyParser): the schema says so."""
    media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    choices = [c for c in media.get("schema", {}).get("anyOf", []) if c != {"type": "null"}]
    if len(choices) == 1:
        media["schema"] = choices[0]


def docs_view(view):
    """The schema and the docs page only answer GET (and HEAD). The page is Swagger UI, served
    from this site; its stylesheet draws its icons as data: images, which the site's policy
    (img-src falls back to 'self') would block, so this view alone allows them. An image runs
    no script, and nothing else is relaxed: scripts and styles still come only from here."""
    return require_safe(csp_update({"img-src": [SELF, "data:"]})(view))


class LadderApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        content = {problems.CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                # Statuses as JSON writes them (text), so that the schema sorts: docs/openapi.json
                # is written with sorted keys.
                answers = {
                    str(code): answer for code, answer in operation.get("responses", {}).items()
                }
                extra = COMMON_ANSWERS | (WRITE_ANSWERS if method != "get" else {})
                for status, description in extra.items():
                    answers.setdefault(status, {"description": description, "content": content})
                for status, description in SERVER_ANSWERS.items():
                    answers.setdefault(status, {"description": description})
                operation["responses"] = answers
                _object_body(operation)
        return schema


api = LadderApi(
    title="Ladder API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    urls_namespace="api",
    # No validatorUrl: Swagger UI would otherwise send the schema's address to swagger.io.
    docs=Swagger(
        settings={"persistAuthorization": True, "tryItOutEnabled": False, "validatorUrl": None}
    ),
    docs_url="/docs/",
    docs_decorator=docs_view,
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
api.add_router("/insights/", insights.router)
api.add_router("/audit/", audit.router)
