"""Queueing mail with the change it tells of, and sending what is queued.

A service that changes something worth telling calls `mail_queue` inside its own transaction;
once that transaction commits, the mail is sent at once. A mail that could not be sent stays
queued with its error, and `mail_send_pending` (run by `ladder send-reminders`) tries it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutgoingMail

log = logging.getLogger(__name__)


def mail_queue(*, key: str, kind: str, to: str, subject: str, body: str) -> OutgoingMail | None:
    """Queue one mail, unless one with this key was queued before (then None).

    Sent once the caller's transaction commits; nothing is sent if it rolls back.
    """
    if not to:
        return None
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                key=key[:200], kind=kind, to=to, subject=" ".join(subject.split())[:300], body=body
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: mail_send_pending(ids=[mail.pk]))
    return mail


@dataclass
class SendReport:
    sent: list[OutgoingMail] = field(default_factory=list)
    failed: list[OutgoingMail] = field(default_factory=list)


def mail_send_pending(*, ids: list[int] | None = None) -> SendReport:
    """Send queued mail (all of it, or the given ids), each in its own transaction.

    Each row is locked while it is sent, so two runs at once (cron overlapping itself) never
    send one mail twice; a failure is kept on the row, which the next run tries again.
    """
    report = SendReport()
    pending = OutgoingMail.objects.pending()
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            mail = (
                OutgoingMail.objects.select_for_update(skip_locked=True)
                .pending()
                .filter(pk=pk)
                .first()
            )
            if mail is None:
                continue  # sent meanwhile by another run
            mail.attempts += 1
            mail.last_attempt_at = timezone.now()
            try:
                EmailMessage(
                    subject=mail.subject,
                    body=mail.body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[mail.to],
                ).send()
            except Exception as error:  # any failure of the mail server or the network
                mail.last_error = f"{type(error).__name__}: {error}"[:2000]
                log.warning("Could not send %s to %s: %s", mail.kind, mail.to, mail.last_error)
                report.failed.append(mail)
            else:
                mail.sent_at, mail.last_error = timezone.now(), ""
                report.sent.append(mail)
            mail.save(update_fields=["attempts", "last_attempt_at", "last_error", "sent_at"])
    return report
