"""Queueing mail with the change it tells of, and sending what is queued.

A service that changes something worth telling calls `mail_queue` inside its own transaction;
once that transaction commits, the mail is sent at once. Mail to many people at once (a cycle
opening, the day's reminders) is queued with `mail_queue_many` and goes out with the next
`ladder send-reminders`, so no page waits for thousands of mails. A mail that could not be sent
stays queued with its error, and `mail_send_pending` tries it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutgoingMail

log = logging.getLogger(__name__)

KEY_LENGTH = OutgoingMail._meta.get_field("key").max_length
SUBJECT_LENGTH = OutgoingMail._meta.get_field("subject").max_length


def site_link(path: str) -> str:
    """The address of a page of this site, for a mail (SITE_URL, as mail has no request)."""
    return f"{settings.SITE_URL}{path}"


def _tidy(body: str) -> str:
    return body.strip("\n") + "\n" if body else ""


def outgoing_mail(
    *, key: str, kind: str, to: str, subject: str, body: str, body_after_send: str = ""
) -> OutgoingMail:
    """An unsaved mail, its subject on one line (a line break would end the header), its body
    without the blank lines a template leaves around its text.

    `body_after_send`, for a mail that carries a secret link, is what the outbox keeps of it
    once it has gone.
    """
    return OutgoingMail(
        key=key[:KEY_LENGTH],
        kind=kind,
        to=to,
        subject=" ".join(subject.split())[:SUBJECT_LENGTH],
        body=_tidy(body),
        body_after_send=_tidy(body_after_send),
    )


def mail_queue(
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body: str,
    body_after_send: str = "",
    send: bool = True,
) -> OutgoingMail | None:
    """Queue one mail, unless one with this key was queued before (then None).

    Sent once the caller's transaction commits (unless `send` is false: then the caller sends
    it, or the next run does); nothing is sent if it rolls back.
    """
    if not to:
        return None
    mail = outgoing_mail(
        key=key, kind=kind, to=to, subject=subject, body=body, body_after_send=body_after_send
    )
    try:
        with transaction.atomic():
            mail.save()
    except IntegrityError:
        return None
    if send:
        mail_send_on_commit([mail.pk])
    return mail


def mail_send_on_commit(ids: list[int]) -> None:
    """Send these queued mails once the caller's transaction commits, on one connection.

    robust: a failure after the commit is logged, never turned into an error page for a change
    that is already saved; the mail stays queued for the next run. Within `mails_deferred()`,
    the ids are handed to its caller at the commit instead, to send after the response.
    """
    if not ids:
        return
    deferred = _deferred.get()
    if deferred is not None:
        transaction.on_commit(lambda: deferred.extend(ids))
        return
    transaction.on_commit(lambda: mail_send_now(ids), robust=True)


_deferred: ContextVar[list[int] | None] = ContextVar("mails_deferred", default=None)


@contextmanager
def mails_deferred():
    """For a page whose change may mail many people: inside, mail that would be sent as the
    change commits is collected in the list this yields, for `mail_send_after(response, ids)`,
    so the page does not wait for the mail server."""
    ids: list[int] = []
    token = _deferred.set(ids)
    try:
        yield ids
    finally:
        _deferred.reset(token)


def mail_queue_many(mails: Iterable[OutgoingMail]) -> int:
    """Queue many mails in a few inserts; those whose key was queued before are left out.

    They are not sent here: `mail_send_pending` (the next `ladder send-reminders`) sends them.
    Returns how many were offered; a key queued meanwhile by a concurrent run is skipped by the
    unique key, so nobody is told twice either way.
    """
    mails = [mail for mail in mails if mail.to]
    OutgoingMail.objects.bulk_create(mails, batch_size=1000, ignore_conflicts=True)
    return len(mails)


def queued_keys(prefix: str) -> set[str]:
    """The keys already queued that start with `prefix`: one query, so that a caller renders
    only the mails not yet queued."""
    return set(OutgoingMail.objects.filter(key__startswith=prefix).values_list("key", flat=True))


@dataclass
class SendReport:
    sent: list[OutgoingMail] = field(default_factory=list)
    failed: list[OutgoingMail] = field(default_factory=list)
    # Mail not tried because the mail server could not be reached: still queued.
    not_tried: int = 0


def mail_send_pending(
    *, ids: list[int] | None = None, progress: Callable[[], None] | None = None
) -> SendReport:
    """Send queued mail (all of it, or the given ids), each in its own transaction.

    Each row is locked while it is sent, so two runs at once (cron overlapping itself) never
    send one mail twice; a failure is kept on the row, which the next run tries again. One
    connection to the mail server serves the whole run. When the server cannot be reached at
    all, the run stops there: each further try would only wait EMAIL_TIMEOUT to fail the same
    way, and the rest stays queued for the next run. `progress` is called after each mail.
    """
    report = SendReport()
    pending = OutgoingMail.objects.pending()
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    pks = list(pending.values_list("pk", flat=True))
    connection = get_connection()
    try:
        for done, pk in enumerate(pks):
            reached = _send_one(pk, connection, report)
            if progress is not None:
                progress()
            if not reached:
                report.not_tried = len(pks) - done - 1
                break
    finally:
        _close(connection)
    return report


def _send_one(pk: int, connection, report: SendReport) -> bool:
    """Send one queued mail under a row lock; False when the mail server cannot be reached."""
    reached = True
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update(skip_locked=True).pending().filter(pk=pk)
        mail = mail.first()
        if mail is None:
            return True  # sent meanwhile by another run, or being sent by it now
        mail.attempts += 1
        mail.last_attempt_at = timezone.now()
        try:
            try:
                connection.open()  # does nothing while the connection is open
            except Exception:
                reached = False
                raise
            EmailMessage(
                subject=mail.subject,
                body=mail.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[mail.to],
                connection=connection,
            ).send()
        except Exception as error:  # any failure of the mail server or the network
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            report.failed.append(mail)
            # The next mail starts on a fresh connection, in case this failure broke this one.
            _close(connection)
        else:
            mail.sent_at, mail.last_error = timezone.now(), ""
            if mail.body_after_send:
                mail.body, mail.body_after_send = mail.body_after_send, ""
            report.sent.append(mail)
        mail.save(
            update_fields=[
                "attempts",
                "last_attempt_at",
                "last_error",
                "sent_at",
                "body",
                "body_after_send",
            ]
        )
    return reached


def _close(connection) -> None:
    with suppress(Exception):  # a connection that already broke cannot be closed politely
        connection.close()


def mail_send_now(ids: list[int]) -> None:
    """Send mail just queued by a page; a failure is logged, and the next run retries it."""
    report = mail_send_pending(ids=ids)
    for mail in report.failed:
        log.warning("Could not send %s to %s: %s", mail.kind, mail.to, mail.last_error)


def mail_send_after(response, ids: list[int]):
    """Send these queued mails once `response` has gone to the browser, and return it.

    The server closes a response after writing it out: the page does not wait for the mail
    server, and how long the answer took says nothing about what was mailed. Mail that cannot
    be sent stays queued for the next run.
    """
    if ids:
        close = response.close

        def close_then_send():
            try:
                close()
            finally:
                mail_send_now(ids)

        response.close = close_then_send
    return response
