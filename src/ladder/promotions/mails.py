"""The mails of a promotion round, queued in the transaction of the change they tell of."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_queue

from .models import CycleMember, PromotionCase, ReviewCycle

Kind = OutgoingMail.Kind


def link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def queue_cycle_opened(cycle: ReviewCycle, members: list[CycleMember]) -> None:
    """Tell everyone in a cycle that it opened, with their target and the due dates."""
    for member in members:
        body = render_to_string(
            "promotions/mail/cycle_opened.txt",
            {"cycle": cycle, "member": member, "url": link(reverse("people:me"))},
        )
        mail_queue(
            key=f"cycle:{cycle.pk}:opened:{member.person_id}",
            kind=Kind.CYCLE_OPENED,
            to=member.person.email,
            subject=f"{cycle.name} is open: your self-assessment is due {cycle.self_due:%-d %B %Y}",
            body=body,
        )


def queue_case_decided(case: PromotionCase) -> None:
    """Tell the person and their manager of a decision; always sent, whatever their settings."""
    recipients = [case.person]
    if case.person.manager is not None:
        recipients.append(case.person.manager)
    for person in recipients:
        body = render_to_string(
            "promotions/mail/case_decided.txt",
            {
                "case": case,
                "reader": person,
                "url": link(reverse("promotions:case", args=[case.pk])),
            },
        )
        mail_queue(
            key=f"case:{case.pk}:decided:{person.pk}",
            kind=Kind.CASE_DECIDED,
            to=person.email,
            subject=f"Promotion case of {case.person.name} for {case.to_level.code}: "
            f"{case.get_state_display().lower()}",
            body=body,
        )
