"""Inviting people to sign in, and accepting an invitation.

An invitation is a single-use link by mail. Only its token's digest is stored, and the outbox
keeps the link only until the mail has gone, so no reading of the database gives a way in.
Accepting creates the person's login, links it as the people pages do, and signs them in.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ladder.audit.services import audit_event, audit_record, audit_record_many
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import (
    mail_queue_many,
    mail_send_on_commit,
    outgoing_mail,
    site_link,
)
from ladder.people.models import Person
from ladder.people.services import login_create, person_link_user

from .models import Invitation, token_digest

LINK_REMOVED = "(The link is not kept once the mail has gone.)"


def invitation_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_DAYS)


def without_login(people):
    """The people of a queryset who cannot sign in yet: no login linked."""
    return people.filter(user__isnull=True)


@dataclass
class InviteResult:
    invited: list[Person] = field(default_factory=list)
    # People left out because they have a login already, with nothing to invite them to.
    has_login: list[Person] = field(default_factory=list)
    # The queued mails, for a caller that sends them itself (`send=False`).
    mail_ids: list[int] = field(default_factory=list)


@transaction.atomic
def invitations_send(
    *, by, people: Iterable[Person], send: bool = True, now: datetime.datetime | None = None
) -> InviteResult:
    """Invite each person without a login: a new single-use link by mail, replacing any link
    sent before; each invitation is in the audit log.

    The mails go out once the transaction commits (`send`), or are left queued for the caller
    (the command line sends them with a progress bar) and for the next mail run.
    """
    now = now or timezone.now()
    expires = now + invitation_lifetime()
    result = InviteResult()
    # Read again under a lock: a login linked meanwhile is seen, and no one is invited twice.
    pks = sorted({person.pk for person in people})
    locked = Person.objects.select_for_update().filter(pk__in=pks).order_by("name", "pk")
    invitations, mails, events = [], [], []
    for person in locked:
        if person.user_id is not None:
            result.has_login.append(person)
            continue
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            person=person,
            digest=token_digest(token),
            invited_by=by if getattr(by, "is_authenticated", False) else None,
            created_at=now,
            expires_at=expires,
            accepted_at=None,
        )
        invitations.append(invitation)
        mails.append(_invitation_mail(person, invitation, token, by))
        events.append(
            audit_event(
                by=by,
                action="invitation.sent",
                target=person,
                before=None,
                after={"email": person.email, "expires": expires.isoformat(timespec="seconds")},
            )
        )
        result.invited.append(person)
    # One row per person: inviting again replaces the token, so only the newest link works.
    Invitation.objects.bulk_create(
        invitations,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=["digest", "invited_by", "created_at", "expires_at", "accepted_at"],
    )
    mail_queue_many(mails)
    audit_record_many(events)
    keys = [mail.key for mail in mails]
    result.mail_ids = list(
        OutgoingMail.objects.filter(key__in=keys).order_by("pk").values_list("pk", flat=True)
    )
    if send:
        mail_send_on_commit(result.mail_ids)
    return result


def _invitation_mail(person: Person, invitation: Invitation, token: str, by) -> OutgoingMail:
    inviter = by.get_username() if getattr(by, "is_authenticated", False) else ""
    inviter_person = getattr(by, "person", None) if inviter else None
    context = {
        "person": person,
        "inviter": inviter_person.name if inviter_person else inviter,
        "expires": timezone.localtime(invitation.expires_at),
        "site_url": settings.SITE_URL,
    }
    mail = {
        # The digest's start tells this link's mail from an earlier invitation's.
        "key": f"invitation:{person.pk}:{invitation.digest[:20]}",
        "kind": OutgoingMail.Kind.INVITATION,
        "to": person.email,
        "subject": "You are invited to sign in to Ladder",
    }
    if not passwords_on():
        # Everyone signs in through the identity provider: the mail leads to the sign-in page,
        # and their login is made at their first sign-in. No secret, so nothing to remove.
        context["sign_in"] = site_link(reverse("login"))
        return outgoing_mail(**mail, body=render_to_string("accounts/invitation_mail.txt", context))
    link = site_link(reverse("accounts:invitation", args=[token]))
    return outgoing_mail(
        **mail,
        body=render_to_string("accounts/invitation_mail.txt", {**context, "link": link}),
        body_after_send=render_to_string(
            "accounts/invitation_mail.txt", {**context, "link": LINK_REMOVED}
        ),
    )


def passwords_on() -> bool:
    """Whether members sign in with a password (PASSWORD_SIGN_IN), so an invitation sets one."""
    return getattr(settings, "PASSWORD_SIGN_IN", True)


class InvitationProblem(Exception):
    """Why a link does not lead to setting a password, for the page that says so."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    HAS_LOGIN = "has_login"
    # Password sign-in was turned off since the link was sent.
    SINGLE_SIGN_ON = "single_sign_on"

    def __init__(self, kind: str, invitation: Invitation | None = None):
        super().__init__(kind)
        self.kind = kind
        self.invitation = invitation


def invitation_by_token(token: str) -> Invitation:
    """The open invitation this link's token belongs to, or InvitationProblem saying why not."""
    return invitation_by_digest(token_digest(token))


def invitation_by_digest(digest: str, *, lock: bool = False) -> Invitation:
    """The open invitation with this digest (kept in the session between the link and the
    password form), or InvitationProblem saying why there is none."""
    invitations = Invitation.objects.select_related("person", "person__user")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(digest=digest).first() if digest else None
    if invitation is None:
        raise InvitationProblem(InvitationProblem.UNKNOWN)
    if not passwords_on():
        raise InvitationProblem(InvitationProblem.SINGLE_SIGN_ON, invitation)
    if invitation.accepted_at is not None:
        raise InvitationProblem(InvitationProblem.USED, invitation)
    if invitation.person.user_id is not None:
        raise InvitationProblem(InvitationProblem.HAS_LOGIN, invitation)
    if invitation.is_expired():
        raise InvitationProblem(InvitationProblem.EXPIRED, invitation)
    return invitation


def new_login(person: Person):
    """The login a person gets on accepting, unsaved: their address is its user name, so
    password validators can compare the password with it before anything is written."""
    return get_user_model()(username=person.email, email=person.email)


@transaction.atomic
def invitation_accept(*, digest: str, password: str):
    """Create the invited person's login with this (already validated) password and link it.

    Checked again under a lock, so one link accepted twice at once makes one login.
    """
    invitation = invitation_by_digest(digest, lock=True)
    person = invitation.person
    user = login_create(person.email, password=password)
    person_link_user(by=user, person=person, user=user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        by=user,
        action="invitation.accepted",
        target=person,
        before=None,
        after={"login": user.get_username()},
    )
    return user
