"""Mail a page's change queues can wait for the answer to go out: `mails_deferred`."""

import pytest
from django.db import transaction
from django.http import HttpResponse

from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_queue, mail_send_after, mails_deferred

pytestmark = pytest.mark.django_db(transaction=True)


def queue(key: str) -> OutgoingMail:
    return mail_queue(
        key=key, kind="assessment_shared", to=f"{key}@example.com", subject="S", body="B"
    )


def test_mail_queued_inside_is_handed_over_at_the_commit_and_sent_after_the_response(
    mailoutbox,
):
    with mails_deferred() as ids, transaction.atomic():
        first, second = queue("one"), queue("two")
        assert ids == []  # not before the commit

    assert sorted(ids) == sorted([first.pk, second.pk])
    assert mailoutbox == []
    response = mail_send_after(HttpResponse("done"), ids)
    assert mailoutbox == []

    response.close()

    assert sorted(m.to[0] for m in mailoutbox) == ["one@example.com", "two@example.com"]
    assert not OutgoingMail.objects.filter(sent_at__isnull=True).exists()


def test_a_change_rolled_back_hands_over_nothing(mailoutbox):
    with mails_deferred() as ids, pytest.raises(RuntimeError), transaction.atomic():
        queue("gone")
        raise RuntimeError("the change failed")

    assert ids == [] and mailoutbox == []
    assert not OutgoingMail.objects.exists()


def test_outside_the_mail_is_sent_as_the_change_commits(mailoutbox):
    with transaction.atomic():
        queue("now")
        assert mailoutbox == []

    assert [m.to[0] for m in mailoutbox] == ["now@example.com"]
