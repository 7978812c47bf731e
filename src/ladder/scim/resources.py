"""People and teams as SCIM resources (RFC 7643), and what this service says about itself.

Payloads are made and read by scim2-models. Its User and Group carry every attribute of the RFC;
Ladder keeps the ones in `USER_ATTRIBUTES` and `GROUP_ATTRIBUTES`, publishes only those in
/Schemas, and accepts (and ignores) the rest, as identity providers send whatever they hold.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import ClassVar

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    Manager,
    Meta,
    Name,
    Patch,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from ladder.people.models import Person, Team

from .models import ScimGroup, ScimUser

ENTERPRISE = str(EnterpriseUser.__schema__)
MAX_RESULTS = 200


def resource_id(value) -> int | None:
    """A resource id as the API writes them, ASCII digits that fit a primary key, else None:
    "²" is a digit to str.isdigit(), and 10**30 no key, and neither may reach a query."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value):
        return int(value)
    return None


class LadderEmail(Email):
    # Addresses are checked by Django's validator, as the CSV import and the pages check them:
    # pydantic's refuses reserved domains (.test, .local) that people here may already have.
    value: str | None = None


class LadderUser(User[EnterpriseUser]):
    emails: list[LadderEmail] | None = None
    Emails: ClassVar = LadderEmail


# The attributes kept, each with the sub-attributes kept; the rest is accepted and ignored.
USER_ATTRIBUTES = {
    "userName": None,
    "name": {"formatted", "givenName", "familyName"},
    "displayName": None,
    "active": None,
    "emails": {"value", "type", "primary"},
}
ENTERPRISE_ATTRIBUTES = {"manager": {"value", "$ref"}}
GROUP_ATTRIBUTES = {"displayName": None, "members": {"value", "$ref", "type"}}


def version_of(payload: dict) -> str:
    """A weak entity tag of a resource: it changes exactly when its representation does."""
    body = json.dumps({k: v for k, v in payload.items() if k != "meta"}, sort_keys=True)
    return f'W/"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'


def _dump(resource, context=Context.RESOURCE_QUERY_RESPONSE, **kwargs) -> dict:
    return resource.model_dump(scim_ctx=context, **kwargs)


def with_version(resource):
    """`resource` with meta.version set from its own representation."""
    resource.meta.version = version_of(_dump(resource, Context.DEFAULT))
    return resource


def user_resource(person: Person, base: str) -> LadderUser:
    """A person as a SCIM User. `base` is the absolute URL of /scim/v2."""
    scim = _scim_user(person)
    manager = None
    if person.manager_id:
        manager = Manager(
            value=str(person.manager_id),
            ref=f"{base}/Users/{person.manager_id}",
        )
    user = LadderUser(
        id=str(person.pk),
        external_id=scim.external_id or None if scim else None,
        user_name=scim.user_name if scim else person.email,
        name=Name(
            formatted=person.name,
            given_name=(scim.given_name or None) if scim else None,
            family_name=(scim.family_name or None) if scim else None,
        ),
        display_name=(scim.display_name or None) if scim else None,
        active=person_is_active(person),
        emails=[
            LadderEmail(
                value=person.email,
                type=(scim.email_type if scim and scim.email_type else "work"),
                primary=_primary(scim),
            )
        ],
        meta=Meta(
            resource_type="User",
            created=person.created_at,
            last_modified=scim.updated_at if scim else person.created_at,
            location=f"{base}/Users/{person.pk}",
        ),
    )
    user[EnterpriseUser] = EnterpriseUser(manager=manager)
    return with_version(user)


def _primary(scim: ScimUser | None) -> bool:
    """Ladder keeps one address, the primary one unless the identity provider said otherwise."""
    return True if scim is None or scim.email_primary is None else scim.email_primary


def _scim_user(person: Person) -> ScimUser | None:
    try:
        return person.scim
    except ScimUser.DoesNotExist:
        return None


def person_is_active(person: Person) -> bool:
    """Whether the person may use Ladder, as the identity provider sees it: what it last said,
    else whether their login (if any) is switched on."""
    scim = _scim_user(person)
    if scim is not None:
        return scim.active
    return person.user.is_active if person.user_id else True


def group_resource(team: Team, members, base: str) -> Group:
    """A team as a SCIM Group; `members` are its people."""
    try:
        scim = team.scim
    except ScimGroup.DoesNotExist:
        scim = None
    group = Group(
        id=str(team.pk),
        external_id=(scim.external_id or None) if scim else None,
        display_name=team.name,
        members=[
            GroupMember(
                value=str(person.pk),
                ref=f"{base}/Users/{person.pk}",
                type="User",
            )
            for person in members
        ]
        or None,
        meta=Meta(
            resource_type="Group",
            created=scim.created_at if scim else None,
            last_modified=scim.updated_at if scim else None,
            location=f"{base}/Groups/{team.pk}",
        ),
    )
    return with_version(group)


def dump(resource, response_parameters=None) -> dict:
    return _dump(resource, response_parameters=response_parameters)


# -- what the service says about itself ------------------------------------------------------


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token an admin creates on the SCIM tokens page or with "
                "`ladder scim-token create`, sent as `Authorization: Bearer <token>`.",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig"),
    )


def resource_types(base: str) -> list[ResourceType]:
    types = []
    for model, name in ((LadderUser, "User"), (Group, "Group")):
        resource_type = ResourceType.from_resource(model)
        resource_type.name = resource_type.id = name
        resource_type.description = "A person" if name == "User" else "A team"
        resource_type.meta = Meta(
            resource_type="ResourceType", location=f"{base}/ResourceTypes/{name}"
        )
        types.append(resource_type)
    return types


def _kept(schema: Schema, kept: dict) -> Schema:
    schema.attributes = [a for a in schema.attributes if a.name in kept]
    for attribute in schema.attributes:
        if kept[attribute.name] is not None and attribute.sub_attributes:
            attribute.sub_attributes = [
                s for s in attribute.sub_attributes if s.name in kept[attribute.name]
            ]
    return schema


def schemas(base: str) -> list[Schema]:
    user = _kept(User.to_schema(), USER_ATTRIBUTES)
    # Everyone in Ladder has a name, an email address (from emails, or a userName that is one)
    # and access or not: a request may leave them out, but none of them can be removed.
    for name in ("name", "emails", "active"):
        user.get_attribute(name).required = True
    user.get_attribute("emails").get_attribute("value").required = True
    published = [
        user,
        _kept(EnterpriseUser.to_schema(), ENTERPRISE_ATTRIBUTES),
        _kept(Group.to_schema(), GROUP_ATTRIBUTES),
    ]
    for schema in published:
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
    return published
