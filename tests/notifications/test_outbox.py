"""The outbox: a mail is queued with its change, sent once, and kept until it is sent."""

import pytest
from django.core import mail as django_mail
from django.db import transaction

from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import (
    mail_queue,
    mail_queue_many,
    mail_send_pending,
    outgoing_mail,
    queued_keys,
)
from tests.smtp import smtp_server as smtp_server_fixture

pytestmark = pytest.mark.django_db
smtp_server = smtp_server_fixture  # the fixture, for the tests of this module


def queue(key="k", to="eve@example.com", subject="News", body="Hello."):
    return mail_queue(key=key, kind="reminder", to=to, subject=subject, body=body)


def test_a_mail_goes_out_only_once_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queue()
        assert django_mail.outbox == []

    for callback in callbacks:
        callback()
    [sent] = django_mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["eve@example.com"], "News", "Hello.\n")
    assert OutgoingMail.objects.get().sent_at is not None


def test_a_change_rolled_back_queues_and_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the change failed")

    assert not OutgoingMail.objects.exists() and django_mail.outbox == []


def test_the_same_news_is_queued_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(key="case:1:decided:2")
        second = queue(key="case:1:decided:2", subject="Again")

    assert first is not None and second is None
    assert [m.subject for m in django_mail.outbox] == ["News"]


def test_a_subject_stays_on_one_line_and_within_its_column():
    mail = outgoing_mail(
        key="k" * 500,
        kind="reminder",
        to="e@example.com",
        subject="One\r\nBcc: x@y\n" + "s" * 400,
        body=".",
    )

    assert mail.subject.startswith("One Bcc: x@y ss") and len(mail.subject) == 300
    assert len(mail.key) == 200


def test_a_person_without_an_address_is_not_queued():
    assert queue(to="") is None
    nobody = outgoing_mail(key="k", kind="reminder", to="", subject="s", body="")
    assert mail_queue_many([nobody]) == 0
    assert not OutgoingMail.objects.exists()


def test_many_mails_are_queued_together_and_a_key_queued_before_is_left_alone():
    queue(key="a", subject="First")

    mail_queue_many(
        outgoing_mail(key=key, kind="reminder", to="eve@example.com", subject=key, body=".")
        for key in ["a", "b", "c"]
    )

    assert dict(OutgoingMail.objects.values_list("key", "subject")) == {
        "a": "First",
        "b": "b",
        "c": "c",
    }
    assert queued_keys("b") == {"b"} and queued_keys("") == {"a", "b", "c"}


def test_one_connection_serves_a_whole_run(smtp_server):
    mail_queue_many(
        outgoing_mail(key=f"k{i}", kind="reminder", to=f"r{i}@example.com", subject="s", body=".")
        for i in range(4)
    )

    report = mail_send_pending()

    assert len(report.sent) == 4 and report.failed == []
    assert len(smtp_server.messages) == 4 and len(set(smtp_server.peers)) == 1


def test_a_refused_mail_is_kept_with_its_error_and_the_run_goes_on_with_the_rest(smtp_server):
    smtp_server.refused.add("r1@example.com")
    mail_queue_many(
        outgoing_mail(key=f"k{i}", kind="reminder", to=f"r{i}@example.com", subject="s", body=".")
        for i in range(3)
    )

    report = mail_send_pending()

    assert [m.to for m in report.sent] == ["r0@example.com", "r2@example.com"]
    [failed] = report.failed
    assert failed.to == "r1@example.com" and "550" in failed.last_error
    assert list(OutgoingMail.objects.failed()) == [failed]
    assert report.not_tried == 0


def test_an_unreachable_server_stops_the_run_and_leaves_the_rest_queued(smtp_server):
    smtp_server.stop()
    mail_queue_many(
        outgoing_mail(key=f"k{i}", kind="reminder", to=f"r{i}@example.com", subject="s", body=".")
        for i in range(3)
    )

    report = mail_send_pending()

    assert len(report.failed) == 1 and report.not_tried == 2 and report.sent == []
    assert OutgoingMail.objects.pending().count() == 3
    assert OutgoingMail.objects.failed().count() == 1


def test_a_mail_already_sent_is_never_sent_again(smtp_server):
    queued = mail_queue_many(
        [outgoing_mail(key="k", kind="reminder", to="eve@example.com", subject="s", body=".")]
    )
    assert queued == 1
    mail_send_pending()

    again = mail_send_pending(ids=list(OutgoingMail.objects.values_list("pk", flat=True)))

    assert again.sent == [] and len(smtp_server.messages) == 1


# -- the outbox in the Django admin -------------------------------------------------------------


def test_an_admin_reads_the_outbox_and_its_failures(client, org):
    OutgoingMail.objects.create(
        key="k",
        kind="reminder",
        to="eve@example.com",
        subject="Reminder",
        body=".",
        attempts=2,
        last_error="SMTPRecipientsRefused: 550",
    )
    client.force_login(org.admin.user)

    failed = client.get("/admin/notifications/outgoingmail/?delivery=failed")

    assert failed.status_code == 200
    assert "SMTPRecipientsRefused: 550" in failed.content.decode()
    assert "Add outgoing mail" not in failed.content.decode()  # the outbox is never written by hand


def test_nobody_but_an_admin_sees_the_outbox(client, org):
    client.force_login(org.manager.user)

    assert client.get("/admin/notifications/outgoingmail/").status_code in (302, 403, 404)


def test_an_admin_sends_waiting_mail_at_once(client, org, smtp_server):
    waiting = OutgoingMail.objects.create(
        key="k", kind="reminder", to="eve@example.com", subject="Reminder", body="."
    )
    client.force_login(org.admin.user)

    response = client.post(
        "/admin/notifications/outgoingmail/",
        {"action": "send_now", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert "Sent 1, failed 0." in response.content.decode()
    assert [m["To"] for m in smtp_server.messages] == ["eve@example.com"]
