"""Making, finding and revoking SCIM tokens: the token page and `ladder scim-token` alike."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ladder.audit.services import audit_record
from ladder.people.validation import check_text

from .models import ScimToken, token_digest

# Identity providers store the token as a secret; a prefix tells it apart from others there.
PREFIX = "ladder_scim_"


@transaction.atomic
def scim_token_create(*, by, name: str) -> tuple[ScimToken, str]:
    """A new token and its text, which nothing keeps: show it once."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the token after the identity provider that will use it.")
    check_text(name, "token name")
    if len(name) > ScimToken._meta.get_field("name").max_length:
        raise ValidationError("The name is too long: 100 characters at most.")
    text = PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(name=name, digest=token_digest(text), created_by=by)
    audit_record(
        by=by, action="scim_token.created", target=token, before=None, after={"name": name}
    )
    return token, text


@transaction.atomic
def scim_token_revoke(*, by, token: ScimToken) -> None:
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        by=by,
        action="scim_token.revoked",
        target=token,
        before={"revoked": False},
        after={"revoked": True},
    )


def scim_token_for(header: str) -> ScimToken | None:
    """The usable token an `Authorization: Bearer ...` header names, if any."""
    scheme, _, text = header.partition(" ")
    if scheme.lower() != "bearer" or not text.strip():
        return None
    return (
        ScimToken.objects.usable()
        .select_related("created_by")
        .filter(digest=token_digest(text.strip()))
        .first()
    )
