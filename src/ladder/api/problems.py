"""Every error the API answers is `application/problem+json` (RFC 9457): a status, a title, a
detail in plain words and, for bad input, the field and the reason for each."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaError

from ladder.logs import current_request_id

# Django's own logger of failed requests: an API error reaches stderr and ADMINS' mailboxes as a
# page's 500 does.
logger = logging.getLogger("django.request")

CONTENT_TYPE = "application/problem+json"


class Conflict(Exception):
    """A write refused because what it was based on has changed: a 409 carrying `extra` (for
    an assessment, its current revision)."""

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


def problem(status: int, detail: str = "", *, errors=None, headers=None, **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field(loc) -> str:
    """Where in the request: "body.name", "query.page_size", "path.pk"."""
    return ".".join(str(part) for part in loc) or "request"


def schema_errors(errors) -> list[dict]:
    found = []
    for error in errors:
        if "loc" in error:
            loc = tuple(error["loc"])
            if loc[:1] == ("body",) and len(loc) > 1 and error.get("type") != "unstorable":
                # django-ninja names the operation's body parameter second ("body.payload.
                # name"): left out, so that a field is named alike by every check, "body.name".
                loc = loc[:1] + loc[2:]
            found.append({"field": _field(loc), "reason": error.get("msg", "invalid")})
        else:  # ninja's cursor check: {"cursor": "Invalid Cursor"}
            found += [
                {"field": f"query.{key}", "reason": str(value)} for key, value in error.items()
            ]
    return found


def service_errors(refused: DjangoValidationError) -> list[dict]:
    if hasattr(refused, "error_dict"):
        return [
            {"field": f"body.{field}" if field != "__all__" else "body", "reason": message}
            for field, messages in refused.message_dict.items()
            for message in messages
        ]
    return [{"field": "body", "reason": message} for message in refused.messages]


def install(api) -> None:
    """Replace django-ninja's error answers with problem documents."""

    @api.exception_handler(SchemaError)
    def bad_input(request, exc):
        errors = schema_errors(exc.errors)
        detail = "; ".join(f"{error['field']}: {error['reason']}" for error in errors[:3])
        return problem(422, detail or "The request does not match the schema.", errors=errors)

    @api.exception_handler(DjangoValidationError)
    def refused(request, exc):
        errors = service_errors(exc)
        return problem(422, " ".join(error["reason"] for error in errors), errors=errors)

    @api.exception_handler(Conflict)
    def conflict(request, exc):
        return problem(409, exc.detail, **exc.extra)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(404, "Not found, or not yours to see.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem(
            401,
            "Send a valid token: Authorization: Bearer ladder_pat_…",
            headers={"WWW-Authenticate": 'Bearer realm="ladder"'},
        )

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return problem(429, "Too many requests for this token: wait and try again.")

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if isinstance(exc.__cause__, SchemaError):
            # The body parser's refusal (NUL in a text), which django-ninja wraps in a 400
            # "Cannot parse request body": answered as the 422 naming the field it is.
            return bad_input(request, exc.__cause__)
        return problem(exc.status_code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return problem(413, f"The body is larger than the {limit:,} bytes a request may send.")

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.error(
            "API error on %s %s",
            request.method,
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        response = problem(
            500, f"Something went wrong. Quote reference {current_request_id.get()}."
        )
        # Logged here with its traceback: Django would log the 500 again without one.
        response._has_been_logged = True
        return response
