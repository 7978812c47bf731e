"""Making, finding and revoking API tokens and service accounts: the token pages, the API's
authentication and the tests all come here."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ladder.audit.services import audit_record
from ladder.people.validation import check_text
from ladder.roles import is_admin

from .models import ApiToken, Scope, ServiceAccount, token_digest

# Secret scanners and people alike tell a Ladder token from others by its prefix.
PREFIX = "ladder_pat_"
DEFAULT_DAYS, MAX_DAYS = 90, 366
# A token's last use is written at most this often: reading the API is no write per request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def _check_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": f"Give the {what} a name."})
    try:
        check_text(name, f"{what} name")
    except ValidationError as refused:
        raise ValidationError({"name": refused.messages}) from None
    if len(name) > 100:
        raise ValidationError({"name": "The name is too long: 100 characters at most."})
    return name


def parse_scopes(scopes) -> list[str]:
    """The scopes named, in a fixed order; refuses an unknown one or none."""
    if isinstance(scopes, str):
        scopes = scopes.split()
    chosen = {str(scope).strip().lower() for scope in scopes if str(scope).strip()}
    unknown = sorted(chosen - set(Scope.values))
    if unknown:
        raise ValidationError(
            {"scopes": f"Unknown scope {unknown[0]!r}: choose from read, write and admin."}
        )
    if not chosen:
        raise ValidationError({"scopes": "Choose at least one scope: read, write or admin."})
    return [scope for scope in Scope.values if scope in chosen]


def may_make_token_for(by, owner) -> bool:
    """Anyone signed in makes tokens for themself; an admin makes them for service accounts."""
    if by is None or not by.is_authenticated or not owner.is_active:
        return False
    if by.pk == owner.pk:
        return not hasattr(owner, "service_account") or is_admin(by)
    return is_admin(by) and ServiceAccount.objects.filter(user=owner).exists()


@transaction.atomic
def token_create(*, by, owner, name: str, scopes, days: int = DEFAULT_DAYS):
    """A new token and its text, which nothing keeps: show it once."""
    if not may_make_token_for(by, owner):
        raise ValidationError("You may make tokens for yourself and, as an admin, for services.")
    name = _check_name(name, "token")
    chosen = parse_scopes(scopes)
    if Scope.ADMIN in chosen and not is_admin(owner):
        raise ValidationError(
            {"scopes": "The admin scope is for admins' tokens: this owner is no admin."}
        )
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "Give the days until it expires as a number."}) from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A token lasts from 1 to {MAX_DAYS} days."})
    text = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        owner=owner,
        name=name,
        prefix=text[: len(PREFIX) + 4],
        digest=token_digest(text),
        scopes=" ".join(chosen),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    audit_record(
        by=by,
        action="api_token.created",
        target=token,
        before=None,
        after={
            "name": name,
            "owner": _owner_label(owner),
            "scopes": chosen,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, text


def _owner_label(owner) -> str:
    """Who a token acts as, in words: a service account's name rather than its made-up login."""
    account = ServiceAccount.objects.filter(user=owner).first()
    return account.name if account else owner.get_username()


def may_revoke(by, token: ApiToken) -> bool:
    """The same people as may make it: its owner, and admins for a service account's tokens.
    An admin stops a person's tokens by deactivating the person, which stops them all."""
    if by is None or not by.is_authenticated:
        return False
    if by.pk == token.owner_id:
        return True
    return is_admin(by) and ServiceAccount.objects.filter(user_id=token.owner_id).exists()


@transaction.atomic
def token_revoke(*, by, token: ApiToken) -> ApiToken:
    if not may_revoke(by, token):
        raise ValidationError("You may revoke your own tokens and, as an admin, services' tokens.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        by=by,
        action="api_token.revoked",
        target=token,
        before={"revoked": False},
        after={"revoked": True},
    )
    return token


def token_for(text: str, now=None) -> ApiToken | None:
    """The usable token `text` is, with its owner, marking it used; None for any other text."""
    text = (text or "").strip()
    if not text.startswith(PREFIX) or len(text) > 200:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.usable(now).select_related("owner").filter(digest=token_digest(text))
    ).first()
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def service_account_create(*, by, name: str, admin: bool = False) -> ServiceAccount:
    """A login for a system, not a person: no password, no person, tokens only."""
    if not is_admin(by):
        raise ValidationError("Only admins make service accounts.")
    name = _check_name(name, "service account")
    if ServiceAccount.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is a service account named {name!r} already."})
    username = f"service:{ServiceAccount.objects.count() + 1}:{secrets.token_hex(4)}"
    admin = admin is True
    user = get_user_model().objects.create_user(
        username=username, password=None, is_superuser=admin, is_staff=False
    )
    account = ServiceAccount.objects.create(user=user, name=name, created_by=by)
    audit_record(
        by=by,
        action="service_account.created",
        target=account,
        before=None,
        after={"name": name, "admin": admin},
    )
    return account
