"""The SCIM 2.0 API (RFC 7644) under /scim/v2/: Users, Groups and the discovery endpoints.

Each view is wrapped by `scim_view`: it is CSRF exempt (a bearer token, not a cookie, proves who
calls), refuses a bad token (401) and an oversized body before reading it (413), runs in one
transaction, answers every error as a SCIM Error in application/scim+json, and records the use.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError as PayloadError
from scim2_models import (
    Context,
    Error,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    PatchOp,
    PayloadTooLargeException,
    PreconditionFailedException,
    ResponseParameters,
    SCIMException,
    ScimPolicy,
    SearchRequest,
    UnauthorizedException,
)

from ladder.audit.services import audit_record
from ladder.people.models import Team

from . import resources
from .filters import GROUP_FILTERS, USER_FILTERS, filter_query
from .models import ScimToken
from .provisioning import (
    KEEP,
    provisioned_people,
    scim_group_create,
    scim_group_delete,
    scim_group_update,
    scim_user_create,
    scim_user_deprovision,
    scim_user_update,
)
from .resources import ENTERPRISE, LadderUser
from .tokens import scim_token_for

CONTENT_TYPE = "application/scim+json"
# What a single resource answers besides GET.
UPDATES = {"PUT", "PATCH", "DELETE"}
DEFAULT_COUNT = 100
# What identity providers send that the RFC reads more strictly: Entra ID removes a member by
# naming it in `value`, and replaces `emails[type eq "work"].value` on a user with no such entry.
TOLERANT = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


def scim_response(payload: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = JsonResponse(payload, status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: Error) -> HttpResponse:
    payload = error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    headers = {"WWW-Authenticate": 'Bearer realm="SCIM"'} if error.status == 401 else None
    return scim_response(payload, status=error.status or 400, headers=headers)


def _too_large(request) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return limit is not None and length > limit


def scim_view(view):
    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = scim_token_for(request.META.get("HTTP_AUTHORIZATION", ""))
        if token is None:
            return error_response(
                UnauthorizedException(
                    detail="Send a valid SCIM token as a Bearer token."
                ).to_error()
            )
        try:
            # Refused from the header alone: the body is never read, let alone parsed.
            if _too_large(request):
                raise PayloadTooLargeException(
                    detail=f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
                )
            with transaction.atomic():
                response = view(request, token, *args, **kwargs)
        except SCIMException as error:
            response = error_response(error.to_error())
        except PayloadError as error:
            response = error_response(Error.from_validation_errors(error)[0])
        except ValidationError as error:
            response = error_response(
                InvalidValueException(detail=" ".join(error.messages)).to_error()
            )
        except RequestDataTooBig:
            response = error_response(PayloadTooLargeException().to_error())
        except Http404:
            response = error_response(NotFoundException(detail="No such resource.").to_error())
        _record_use(request, token, response)
        return response

    return wrapper


def _record_use(request, token: ScimToken, response) -> None:
    """Every request marks the token used and is in the audit log, reads too (a token reads the
    whole directory), refused or not, with who made the token as its actor."""
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    audit_record(
        by=token.created_by,
        action="scim.request",
        target=token,
        before=None,
        after={
            "method": request.method,
            "path": request.path[:200],
            "query": request.META.get("QUERY_STRING", "")[:200],
            "status": response.status_code,
        },
    )


def _body(request) -> dict:
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidSyntaxException(detail=f"The body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    return payload


def _with_manager_ref(body: dict, base: str) -> dict:
    """Entra ID and Okta name a manager by its id alone; the RFC's $ref is filled in for them."""
    manager = (
        (body.get(ENTERPRISE) or {}).get("manager")
        if isinstance(body.get(ENTERPRISE), dict)
        else None
    )
    if isinstance(manager, str):
        manager = body[ENTERPRISE]["manager"] = {"value": manager}
    if isinstance(manager, dict) and manager.get("value") and not manager.get("$ref"):
        manager["$ref"] = f"{base}/Users/{manager['value']}"
    return body


def _manager_as_object(body: dict) -> dict:
    """Entra ID patches the manager with the id as a bare string value."""
    for operation in body.get("Operations") or []:
        if not isinstance(operation, dict):
            continue
        path = str(operation.get("path") or "")
        if path.lower().endswith(":manager") and isinstance(operation.get("value"), str):
            operation["value"] = {"value": operation["value"]}
    return body


def _base(request) -> str:
    return request.build_absolute_uri(reverse("scim:users")).removesuffix("/Users")


def _check_version(request, version: str | None) -> None:
    """If-Match (RFC 7644 §3.14): a change to a version the client has not seen is refused."""
    header = request.META.get("HTTP_IF_MATCH")
    if not header or header.strip() == "*":
        return
    strip = lambda tag: tag.strip().removeprefix("W/")  # noqa: E731
    if strip(version or "") not in {strip(tag) for tag in header.split(",")}:
        raise PreconditionFailedException(detail="The resource has changed since that version.")


def _parameters(params, model) -> ResponseParameters:
    return ResponseParameters[model].model_validate(
        {
            "attributes": params.get("attributes"),
            "excludedAttributes": params.get("excludedAttributes"),
        }
    )


def _one(request, resource, status: int = 200, parameters=None) -> HttpResponse:
    headers = {"ETag": resource.meta.version}
    if status == 201:
        headers["Location"] = resource.meta.location
    return scim_response(resources.dump(resource, parameters), status=status, headers=headers)


def _search_parameters(request, kind) -> dict:
    """A POST .search body (RFC 7644 §3.4.3) as the query parameters of a GET."""
    body = _body(request)
    SearchRequest[kind].model_validate(body, scim_ctx=Context.SEARCH_REQUEST)
    params = {k: body[k] for k in ("filter", "startIndex", "count") if body.get(k) is not None}
    for name in ("attributes", "excludedAttributes"):
        if body.get(name):
            params[name] = ",".join(body[name])
    return params


MAX_START = 2**31


def _page(params, *sources) -> HttpResponse:
    """A page of a list (RFC 7644 §3.4.2.4): startIndex counts from 1, count is capped. Each
    source is (queryset, resource of a row, filters, model); a search of everything has two."""
    # Past the last row is an empty page: a start beyond any key is no query's offset.
    start = min(max(_integer(params, "startIndex", 1), 1), MAX_START)
    count = min(max(_integer(params, "count", DEFAULT_COUNT), 0), resources.MAX_RESULTS)
    skip, items, total = start - 1, [], 0
    for queryset, to_resource, filters, _ in sources:
        if filter_text := params.get("filter"):
            queryset = queryset.filter(filter_query(str(filter_text), filters)).distinct()
        found = queryset.count()
        total += found
        rows = (
            queryset.order_by("pk")[skip : skip + count - len(items)] if count > len(items) else []
        )
        items += [to_resource(row) for row in rows]
        skip = max(skip - found, 0)
    kinds = [source[3] for source in sources]
    kind = kinds[0] if len(kinds) == 1 else kinds[0] | kinds[1]
    listing = ListResponse[kind](
        total_results=total, start_index=start, items_per_page=len(items), resources=items
    )
    payload = listing.model_dump(
        scim_ctx=Context.SEARCH_RESPONSE, response_parameters=_parameters(params, kind)
    )
    return scim_response(payload)


def _users(base: str):
    return (_people(), lambda p: resources.user_resource(p, base), USER_FILTERS, LadderUser)


def _groups(base: str):
    return (_teams(), lambda t: _group(t, base), GROUP_FILTERS, Group)


def _integer(params, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidValueException(detail=f"{name} must be a whole number.") from None


def _not_allowed(request) -> HttpResponse:
    error = Error(status=405, detail=f"{request.method} is not served here.")
    return error_response(error)


# -- users ------------------------------------------------------------------------------------


def _people():
    return provisioned_people().select_related("manager", "user", "scim")


def _person(pk: str):
    key = resources.resource_id(pk)
    person = _people().filter(pk=key).first() if key is not None else None
    if person is None:
        raise NotFoundException(detail=f"No user has the id {pk}.")
    return person


@scim_view
def users(request, token):
    base = _base(request)
    if request.method == "GET":
        return _page(request.GET, _users(base))
    if request.method == "POST":
        body = _with_manager_ref(_body(request), base)
        resource = LadderUser.model_validate(body, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        person = scim_user_create(by=token.created_by, resource=resource)
        return _one(request, resources.user_resource(_person(str(person.pk)), base), status=201)
    return _not_allowed(request)


@scim_view
def user(request, token, pk):
    base = _base(request)
    person = _person(pk)
    current = resources.user_resource(person, base)
    if request.method == "GET":
        return _one(request, current, parameters=_parameters(request.GET, LadderUser))
    if request.method not in UPDATES:
        return _not_allowed(request)
    _check_version(request, current.meta.version)
    by = token.created_by
    if request.method == "DELETE":
        scim_user_deprovision(by=by, person=person)
        return HttpResponse(status=204)
    body = _body(request)
    if request.method == "PUT":
        body = _with_manager_ref(body, base)
        resource = LadderUser.model_validate(body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        resource.replace(current)
        # A replacement without the enterprise extension says nothing of the manager.
        manager = None if ENTERPRISE in body or ENTERPRISE in (body.get("schemas") or []) else KEEP
        scim_user_update(by=by, person=person, resource=resource, before=None, manager=manager)
    else:
        patch = PatchOp[LadderUser].model_validate(
            _manager_as_object(body), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=TOLERANT
        )
        before = current.model_copy(deep=True)
        patch.patch(current, scim_policy=TOLERANT)
        scim_user_update(by=by, person=person, resource=current, before=before)
    return _one(request, resources.user_resource(_person(pk), base))


# -- groups -----------------------------------------------------------------------------------


def _teams():
    members = Prefetch("members", queryset=provisioned_people().order_by("pk"), to_attr="shown")
    return Team.objects.select_related("scim").prefetch_related(members)


def _team(pk: str) -> Team:
    key = resources.resource_id(pk)
    team = _teams().filter(pk=key).first() if key is not None else None
    if team is None:
        raise NotFoundException(detail=f"No group has the id {pk}.")
    return team


def _group(team: Team, base: str) -> Group:
    return resources.group_resource(team, team.shown, base)


@scim_view
def groups(request, token):
    base = _base(request)
    if request.method == "GET":
        return _page(request.GET, _groups(base))
    if request.method == "POST":
        resource = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        team = scim_group_create(by=token.created_by, resource=resource)
        return _one(request, _group(_team(str(team.pk)), base), status=201)
    return _not_allowed(request)


@scim_view
def group(request, token, pk):
    base = _base(request)
    team = _team(pk)
    current = _group(team, base)
    if request.method == "GET":
        return _one(request, current, parameters=_parameters(request.GET, Group))
    if request.method not in UPDATES:
        return _not_allowed(request)
    _check_version(request, current.meta.version)
    by = token.created_by
    if request.method == "DELETE":
        scim_group_delete(by=by, team=team)
        return HttpResponse(status=204)
    body = _body(request)
    if request.method == "PUT":
        resource = Group.model_validate(body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        resource.replace(current)
    else:
        patch = PatchOp[Group].model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=TOLERANT
        )
        patch.patch(current, scim_policy=TOLERANT)
        resource = current
    scim_group_update(by=by, team=team, resource=resource)
    return _one(request, _group(_team(pk), base))


# -- discovery ----------------------------------------------------------------------------------


def _listing(items) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(items),
        "startIndex": 1,
        "itemsPerPage": len(items),
        "Resources": [item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for item in items],
    }


def _discovery(request, items, pk):
    if request.method not in {"GET", "HEAD"}:
        return _not_allowed(request)
    if pk is None:
        return scim_response(_listing(items))
    for item in items:
        if item.id == pk:
            return scim_response(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"Nothing here has the id {pk}.")


@scim_view
def users_search(request, token):
    if request.method != "POST":
        return _not_allowed(request)
    base = _base(request)
    return _page(_search_parameters(request, LadderUser), _users(base))


@scim_view
def groups_search(request, token):
    if request.method != "POST":
        return _not_allowed(request)
    base = _base(request)
    return _page(_search_parameters(request, Group), _groups(base))


@scim_view
def service_provider_config(request, token):
    if request.method not in {"GET", "HEAD"}:
        return _not_allowed(request)
    config = resources.service_provider_config(_base(request))
    return scim_response(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@scim_view
def resource_types(request, token, pk=None):
    return _discovery(request, resources.resource_types(_base(request)), pk)


@scim_view
def schemas(request, token, pk=None):
    return _discovery(request, resources.schemas(_base(request)), pk)


@scim_view
def search_everything(request, token):
    """Users, then Groups; a filter must name attributes both have."""
    if request.method != "POST":
        return _not_allowed(request)
    base = _base(request)
    params = _search_parameters(request, LadderUser | Group)
    return _page(params, _users(base), _groups(base))


@scim_view
def not_found(request, token, rest=""):
    raise NotFoundException(detail="Nothing is served at this address.")
