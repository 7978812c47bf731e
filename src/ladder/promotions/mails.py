"""The mails of a promotion round, queued in the transaction of the change they tell of."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from ladder.assessments.readiness import format_date
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_queue, mail_queue_many, outgoing_mail, site_link

from .models import CycleMember, PromotionCase, ReviewCycle

Kind = OutgoingMail.Kind


# A date as mail spells it, 14 March 2027: the readiness rule's own spelling.
day = format_date


def queue_cycle_opened(cycle: ReviewCycle, members: list[CycleMember]) -> int:
    """Tell everyone in a cycle that it opened, with their target and the due dates.

    `members` need `person` and `target` loaded (select_related, as `members_of` does): one
    mail each, queued in a few inserts whatever the cycle's size, and sent by the next
    `ladder send-reminders` rather than while the page that opened the cycle waits.
    """
    url = site_link(reverse("people:me"))
    mails = []
    for member in members:
        body = render_to_string(
            "promotions/mail/cycle_opened.txt", {"cycle": cycle, "member": member, "url": url}
        )
        subject = f"{cycle.name} is open"
        if member.target:
            subject += f": your self-assessment is due {day(cycle.self_due)}"
        mails.append(
            outgoing_mail(
                key=f"cycle:{cycle.pk}:opened:{member.person_id}",
                kind=Kind.CYCLE_OPENED,
                to=member.person.email,
                subject=subject,
                body=body,
            )
        )
    return mail_queue_many(mails)


def queue_case_decided(case: PromotionCase) -> None:
    """Tell the person and their manager of a decision; always sent, whatever their settings."""
    recipients = [case.person]
    if case.person.manager is not None:
        recipients.append(case.person.manager)
    outcome = case.get_state_display().lower()
    if case.state == PromotionCase.State.APPROVED and case.effective_on:
        outcome += f", effective {day(case.effective_on)}"
    for person in recipients:
        body = render_to_string(
            "promotions/mail/case_decided.txt",
            {
                "case": case,
                "reader": person,
                "url": site_link(reverse("promotions:case", args=[case.pk])),
            },
        )
        mail_queue(
            key=f"case:{case.pk}:decided:{person.pk}",
            kind=Kind.CASE_DECIDED,
            to=person.email,
            subject=f"Promotion case of {case.person.name} for {case.to_level.code}: {outcome}",
            body=body,
        )
