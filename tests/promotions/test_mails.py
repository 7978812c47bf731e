"""The news a round mails: a cycle opening, an assessment shared, a case decided; news goes out
whatever a person chose about reminders."""

import datetime
import logging

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.notifications.models import OutgoingMail
from ladder.people.models import Person
from ladder.promotions.mails import queue_case_decided, queue_cycle_opened
from ladder.promotions.models import CycleMember, PromotionCase
from ladder.promotions.selectors import members_of
from tests.promotions.test_reminders import a_cycle, a_team, assessed
from tests.smtp import smtp_server as smtp_server_fixture

pytestmark = pytest.mark.django_db
smtp_server = smtp_server_fixture  # the fixture, for the tests of this module

TODAY = datetime.date(2027, 3, 10)
DAY = datetime.timedelta(days=1)


def opt_out(*people):
    Person.objects.filter(pk__in=[p.pk for p in people]).update(wants_reminders=False)


# -- a cycle opens ------------------------------------------------------------------------------


def test_everyone_in_an_opening_cycle_is_told_with_the_next_run_whatever_their_reminders(
    org, smtp_server
):
    cycle = a_cycle(org, self_due=TODAY, manager_due=TODAY + 14 * DAY)
    opt_out(org.engineer)

    queue_cycle_opened(cycle, list(members_of(cycle)))
    queue_cycle_opened(cycle, list(members_of(cycle)))  # told once, however often asked

    assert smtp_server.messages == []  # not while the page that opened the cycle waits
    call_command("send-reminders", verbosity=0)
    [eve] = smtp_server.to(org.engineer.email)
    assert eve["Subject"] == "Spring 2027 is open: your self-assessment is due 10 March 2027"
    body = eve.get_content()
    assert "You are assessed against MD2 (Mid-level Developer II)." in body
    assert "- Your manager's assessment is due on 24 March 2027." in body
    assert "http://127.0.0.1:8000/me/" in body
    assert len(smtp_server.messages) == 2


def test_someone_with_no_next_level_is_told_the_cycle_asks_nothing_of_them(org):
    cycle = a_cycle(org, self_due=TODAY, manager_due=TODAY)
    CycleMember.objects.filter(person=org.engineer).update(target=None)

    queue_cycle_opened(cycle, list(members_of(cycle).filter(person=org.engineer)))

    [told] = OutgoingMail.objects.all()
    assert told.subject == "Spring 2027 is open"
    assert "this cycle asks nothing of you" in told.body


@pytest.mark.parametrize("size", [3, 40])
def test_opening_mail_is_queued_in_the_same_queries_for_a_small_and_a_large_cycle(org, size):
    cycle = a_cycle(org, self_due=TODAY, manager_due=TODAY, people=a_team(org, size))
    members = list(members_of(cycle))

    with CaptureQueriesContext(connection) as queries:
        assert queue_cycle_opened(cycle, members) == size

    assert len(queries) == 1  # one insert
    assert OutgoingMail.objects.count() == size


# -- a manager shares an assessment -------------------------------------------------------------


def manager_assessment_submitted(client, org):
    client.force_login(org.manager.user)
    return assessed(org, org.engineer, "manager", "MD2", "submitted")


def test_the_person_is_mailed_when_their_manager_shares_an_assessment(
    client, org, smtp_server, django_capture_on_commit_callbacks
):
    opt_out(org.engineer)  # news, not a reminder
    assessment = manager_assessment_submitted(client, org)
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/assessments/{assessment.pk}/share/")

    [message] = smtp_server.messages
    assert message["To"] == org.engineer.email
    assert message["Subject"] == "Mia Manager shared their assessment of you against MD2"
    body = message.get_content()
    assert "Mia Manager shared their assessment of you against MD2 (Mid-level Developer II)" in body
    assert f"http://127.0.0.1:8000/assessments/{assessment.pk}/" in body
    assert OutgoingMail.objects.get().sent_at is not None


def test_a_self_assessment_shared_mails_nobody(client, org, django_capture_on_commit_callbacks):
    own = assessed(org, org.engineer, "self", "MD2", "submitted")
    client.force_login(org.engineer.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/assessments/{own.pk}/share/")

    assert not OutgoingMail.objects.exists() and django_mail.outbox == []


def test_a_share_mail_that_fails_does_not_fail_the_share_and_goes_with_the_next_run(
    client, org, smtp_server, django_capture_on_commit_callbacks, caplog
):
    assessment = manager_assessment_submitted(client, org)
    smtp_server.stop()

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        response = client.post(f"/assessments/{assessment.pk}/share/")

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == "shared"
    assert f"Could not send assessment_shared to {org.engineer.email}" in caplog.text
    queued = OutgoingMail.objects.get()
    assert queued.sent_at is None and "ConnectionRefusedError" in queued.last_error

    smtp_server.start()
    call_command("send-reminders", verbosity=0)
    assert [m["To"] for m in smtp_server.messages] == [org.engineer.email]


# -- a case is decided --------------------------------------------------------------------------


def decided_case(org, state):
    return PromotionCase.objects.create(
        person=org.engineer,
        from_level=org.levels["MD1"],
        to_level=org.levels["MD2"],
        recommendation="Ready in every way.",
        state=state,
        decided_at=timezone.now(),
        feedback="Well earned: keep mentoring.",
        effective_on=datetime.date(2027, 4, 1) if state == "approved" else None,
    )


def test_a_decision_is_mailed_to_the_person_and_their_manager_even_with_reminders_off(
    org, smtp_server, django_capture_on_commit_callbacks
):
    opt_out(org.engineer, org.manager)
    case = decided_case(org, "approved")

    with django_capture_on_commit_callbacks(execute=True):
        queue_case_decided(case)
        queue_case_decided(case)

    assert sorted(m["To"] for m in smtp_server.messages) == [
        org.engineer.email,
        org.manager.email,
    ]
    [eve] = smtp_server.to(org.engineer.email)
    assert eve["Subject"] == (
        "Promotion case of Eve Engineer for MD2: approved, effective 1 April 2027"
    )
    body = eve.get_content()
    assert "Hello Eve Engineer," in body and "Well earned: keep mentoring." in body
    assert f"http://127.0.0.1:8000/cases/{case.pk}/" in body


def test_a_declined_case_says_so_without_a_date(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_case_decided(decided_case(org, "declined"))

    assert {m.subject for m in django_mail.outbox} == {
        "Promotion case of Eve Engineer for MD2: declined"
    }
