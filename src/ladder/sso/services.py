"""Who a verified ID token signs in: the person with its email address, and their login."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ladder.people.emails import canonical_email
from ladder.people.models import Person
from ladder.people.services import login_create, person_create, person_link_user

from .provider import provider_name


class SignInRefused(Exception):
    """A sign-in the provider vouched for that Ladder refuses; the message says why, and what
    the person can do about it."""


def claimed_email(claims: Mapping) -> str:
    """The address the provider vouches for, in its canonical spelling.

    The standard `email` claim is trusted only with `email_verified` true: many providers let
    people type any address into their profile. Another claim named in OIDC_EMAIL_CLAIM (Entra
    ID's `preferred_username`, the sign-in name its admins assign) has no such flag, and is
    trusted as the organisation's own word.
    """
    claim = settings.OIDC_EMAIL_CLAIM
    value = claims.get(claim)
    if not isinstance(value, str) or "@" not in value:
        raise SignInRefused(
            f"{provider_name()} sent no email address (in the claim {claim!r}), so Ladder "
            "cannot tell who you are. Ask an admin to check the single sign-on set-up."
        )
    address = canonical_email(value)
    if claim == "email" and claims.get("email_verified") is not True:
        raise SignInRefused(
            f"{provider_name()} has not verified the address {address}, so Ladder cannot "
            "trust it. Verify it with your provider, or ask an admin."
        )
    return address


def claimed_name(claims: Mapping, address: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    name = " ".join(name.split()) or address.split("@")[0]
    return name[: Person._meta.get_field("name").max_length]


@transaction.atomic
def sign_in_user(*, claims: Mapping):
    """The login to sign in for the verified `claims`, or SignInRefused.

    A person without a login gets one: named by their address, with no usable password, so it
    opens only through the provider. With OIDC_CREATE_PEOPLE an unknown address becomes a new
    person at the top of the tree, with no team or level; the audit log records them as
    created by their own login.
    """
    address = claimed_email(claims)
    # Locked, so two sign-ins at once cannot both give the person a login.
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(email=address)
        .first()
    )
    if person is None and not settings.OIDC_CREATE_PEOPLE:
        raise SignInRefused(f"No one in Ladder has the address {address}; ask an admin to add you.")
    if person is not None and person.user_id:
        if not person.user.is_active:
            raise SignInRefused(
                f"The login of {address} is switched off; ask an admin to switch it on."
            )
        return person.user
    user = _new_login(address)
    if person is None:
        try:
            with transaction.atomic():
                person = person_create(by=user, name=claimed_name(claims, address), email=address)
        except (ValidationError, IntegrityError) as error:
            raise SignInRefused(
                f"Ladder could not add {address}: {_first_message(error)} Ask an admin."
            ) from error
    person_link_user(by=user, person=person, user=user)
    return user


def _new_login(address: str):
    try:
        with transaction.atomic():
            return login_create(address)
    except ValidationError as error:
        if error.code == "too_long":
            raise SignInRefused(
                f"The address {address} is too long to name a login; ask an admin to give you one."
            ) from error
        raise SignInRefused(
            f"A login named {address} exists but is not linked to you in Ladder; "
            "ask an admin to link it."
        ) from error
    except IntegrityError as error:
        raise SignInRefused(
            f"Signing in {address} clashed with another sign-in; try again."
        ) from error


def _first_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return error.messages[0]
    return "the address is taken."
