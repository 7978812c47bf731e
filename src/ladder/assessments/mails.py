"""The mail of the assessment loop, queued in the transaction of the change it tells of."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_queue, site_link

from .models import Assessment


def queue_assessment_shared(assessment: Assessment) -> None:
    """Tell a person that their manager shared an assessment of them (news, not a reminder:
    sent whatever their choice of reminders). A self-assessment shared tells nobody: the
    managers see it in their lists."""
    if assessment.role != Assessment.Role.MANAGER:
        return
    person, author, level = assessment.person, assessment.author, assessment.level
    body = render_to_string(
        "notifications/mail/assessment_shared.txt",
        {
            "person": person,
            "author": author,
            "level": level,
            "shared_at": assessment.shared_at,
            "url": site_link(reverse("assessments:detail", args=[assessment.pk])),
        },
    )
    mail_queue(
        key=f"assessment:{assessment.pk}:shared",
        kind=OutgoingMail.Kind.ASSESSMENT_SHARED,
        to=person.email,
        subject=f"{author.name} shared their assessment of you against {level.code}",
        body=body,
    )
