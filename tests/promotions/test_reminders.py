"""Reminders of due assessments: who gets which, once only, through `ladder send-reminders`,
and the choice to receive them."""

import datetime
import os
import subprocess
import sys
import textwrap
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.models import Assessment
from ladder.audit.models import AuditEvent
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_send_pending
from ladder.people.models import Person
from ladder.people.tree import rebuild_paths
from ladder.promotions.models import CycleMember, ReviewCycle
from ladder.promotions.reminders import reminders_due, reminders_queue
from tests.conftest import ROOT, run_ladder
from tests.smtp import SmtpServer
from tests.smtp import smtp_server as smtp_server_fixture

pytestmark = pytest.mark.django_db
smtp_server = smtp_server_fixture  # the fixture, for the tests of this module

TODAY = datetime.date(2027, 3, 10)
DAY = datetime.timedelta(days=1)


def a_cycle(org, *, self_due, manager_due, people=None, stage=ReviewCycle.Stage.OPEN, name=None):
    """An open cycle with the engineer (towards MD2) and the peer (towards SR1) in it."""
    cycle = ReviewCycle.objects.create(
        name=name or f"Spring {self_due.year}",
        ladder=org.levels["MD2"].version.ladder,
        stage=stage,
        self_due=self_due,
        manager_due=manager_due,
        calibration_on=manager_due + 7 * DAY,
        effective_on=manager_due + 30 * DAY,
        opened_at=None if stage == ReviewCycle.Stage.DRAFT else timezone.now() - 2 * DAY,
    )
    targets = {org.engineer: "MD2", org.peer: "SR1", org.outsider: "MD1"}
    for person in people or [org.engineer, org.peer]:
        CycleMember.objects.create(
            cycle=cycle,
            person=person,
            target=org.levels[targets.get(person, "MD2")],
            manager=person.manager,
        )
    return cycle


def assessed(org, person, role, level, state):
    author = person if role == "self" else person.manager
    return Assessment.objects.create(
        person=person,
        author=author,
        role=role,
        level=org.levels[level],
        state=state,
        submitted_at=None if state == "draft" else timezone.now(),
    )


def sent_to(address):
    return list(OutgoingMail.objects.filter(to=address, kind="reminder").order_by("pk"))


# -- who is reminded of what, and when ---------------------------------------------------------


def test_a_self_reminder_goes_three_days_ahead_to_those_whose_self_assessment_is_not_in(org):
    cycle = a_cycle(org, self_due=TODAY + 3 * DAY, manager_due=TODAY + 10 * DAY)
    assessed(org, org.peer, "self", "SR1", "submitted")

    reminders_queue(today=TODAY)

    [mail] = OutgoingMail.objects.filter(kind="reminder")
    assert mail.to == org.engineer.email
    assert mail.subject == "Reminder: your self-assessment for Spring 2027 is due on 13 March 2027"
    assert "against MD2" in mail.body and "in 3 days" in mail.body
    assert "You have not started it yet." in mail.body
    assert mail.key == f"cycle:{cycle.pk}:reminder:self_due:before:{org.engineer.pk}"


def test_a_draft_is_not_done_and_the_reminder_says_so(org):
    a_cycle(org, self_due=TODAY + DAY, manager_due=TODAY + 10 * DAY)
    assessed(org, org.engineer, "self", "MD2", "draft")

    reminders_queue(today=TODAY)

    [mail] = sent_to(org.engineer.email)
    assert "You have a draft: finish it and submit it." in mail.body
    assert "tomorrow" in mail.body


def test_an_assessment_against_another_level_does_not_do_the_task(org):
    a_cycle(org, self_due=TODAY, manager_due=TODAY + 10 * DAY)
    assessed(org, org.engineer, "self", "MD1", "submitted")

    reminders_queue(today=TODAY)

    assert len(sent_to(org.engineer.email)) == 1


def test_nothing_is_due_before_the_reminder_window(org):
    a_cycle(org, self_due=TODAY + 4 * DAY, manager_due=TODAY + 10 * DAY)

    assert reminders_queue(today=TODAY) == []
    assert not OutgoingMail.objects.exists()


def test_each_reminder_goes_once_before_and_once_after_the_due_date(org):
    due = TODAY
    a_cycle(org, self_due=due, manager_due=due + 20 * DAY)

    for today in [due - 3 * DAY, due - 2 * DAY, due, due + DAY, due + 2 * DAY, due + 9 * DAY]:
        reminders_queue(today=today)
        reminders_queue(today=today)

    before, after = sent_to(org.engineer.email)
    assert before.subject.startswith("Reminder: your self-assessment") and ":before:" in before.key
    assert after.subject == "Overdue: your self-assessment for Spring 2027 was due on 10 March 2027"
    assert "was due on 10 March 2027. You have not started it yet." in after.body


def test_a_day_without_a_run_is_made_up_by_the_next_run(org):
    a_cycle(org, self_due=TODAY, manager_due=TODAY + 20 * DAY)

    reminders_queue(today=TODAY + 4 * DAY)  # cron did not run on the day after

    [mail] = sent_to(org.engineer.email)
    assert mail.subject.startswith("Overdue:")


def test_a_manager_gets_one_reminder_listing_each_report_not_assessed(org):
    a_cycle(
        org,
        self_due=TODAY - 5 * DAY,
        manager_due=TODAY + 2 * DAY,
        people=[org.engineer, org.peer, org.outsider],
    )
    assessed(org, org.engineer, "manager", "MD2", "draft")
    assessed(org, org.outsider, "manager", "MD1", "submitted")
    assessed(org, org.peer, "self", "SR1", "shared")

    reminders_queue(today=TODAY)

    [mail] = sent_to(org.manager.email)
    assert (
        mail.subject == "Reminder: 2 manager assessments for Spring 2027 are due on 12 March 2027"
    )
    assert "- Eve Engineer, against MD2: your draft is not submitted" in mail.body
    assert (
        "- Pat Peer, against SR1: not started; their self-assessment is shared with you"
        in mail.body
    )
    assert f"/people/{org.engineer.pk}/assessments/" in mail.body
    assert sent_to(org.other_manager.email) == []  # the outsider's assessment is in


def test_an_overdue_manager_assessment_is_reminded_the_day_after(org):
    a_cycle(org, self_due=TODAY - 9 * DAY, manager_due=TODAY - DAY, people=[org.engineer])

    reminders_queue(today=TODAY)

    [mail] = sent_to(org.manager.email)
    assert mail.subject == "Overdue: 1 manager assessment for Spring 2027 was due on 9 March 2027"


def test_reminders_go_only_for_open_cycles(org):
    for stage in ["draft", "calibration", "closed"]:
        a_cycle(org, self_due=TODAY, manager_due=TODAY, stage=stage, name=stage)

    assert reminders_queue(today=TODAY) == []


def test_someone_without_a_target_is_not_reminded(org):
    cycle = a_cycle(org, self_due=TODAY, manager_due=TODAY)
    CycleMember.objects.filter(cycle=cycle, person=org.engineer).update(target=None)

    reminders_queue(today=TODAY)

    assert sent_to(org.engineer.email) == []
    assert "Eve Engineer" not in sent_to(org.manager.email)[0].body


def test_whoever_turned_reminders_off_gets_none(org):
    a_cycle(org, self_due=TODAY, manager_due=TODAY)
    Person.objects.filter(pk__in=[org.engineer.pk, org.manager.pk]).update(wants_reminders=False)

    reminders_queue(today=TODAY)

    assert [mail.to for mail in OutgoingMail.objects.all()] == [org.peer.email]


# -- the cost: a few queries per cycle, whatever its size ---------------------------------------


def a_team(org, size):
    people = [
        Person(name=f"Report {i:05}", email=f"report{i}@example.com", manager=org.manager)
        for i in range(size)
    ]
    Person.objects.bulk_create(people)
    rebuild_paths()
    return list(Person.objects.filter(email__startswith="report"))


@pytest.mark.parametrize("size", [3, 40])
def test_reminders_are_queued_in_the_same_queries_for_a_small_and_a_large_cycle(org, size):
    people = a_team(org, size)
    a_cycle(org, self_due=TODAY, manager_due=TODAY, people=people)

    with CaptureQueriesContext(connection) as queries:
        reminders_queue(today=TODAY)

    # The open cycles; per cycle the keys queued, the members, their assessments; one insert.
    assert len(queries) == 5, [q["sql"] for q in queries]
    assert OutgoingMail.objects.count() == size + 1  # each report, and their manager once
    with CaptureQueriesContext(connection) as again:
        assert reminders_queue(today=TODAY) == []
    assert len(again) == 4  # nothing left to insert


# -- the command: queue, send through SMTP, report ---------------------------------------------


def send_reminders(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("send-reminders", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def test_the_command_sends_the_days_reminders_through_smtp_once_only(org, smtp_server):
    today = timezone.localdate()
    a_cycle(org, self_due=today + DAY, manager_due=today + 2 * DAY)

    out, err, failure = send_reminders()
    again = send_reminders()

    assert failure is None and err == ""
    assert out == "3 reminders queued, 3 mails sent, 0 failed.\n"
    assert again == ("0 reminders queued, 0 mails sent, 0 failed.\n", "", None)
    subjects = sorted(message["Subject"] for message in smtp_server.messages)
    assert len(subjects) == 3
    assert subjects[0].startswith("Reminder: 2 manager assessments for Spring")
    [eve] = smtp_server.to(org.engineer.email)
    assert "your self-assessment" in eve["Subject"]
    assert "against MD2" in eve.get_content()
    assert OutgoingMail.objects.pending().count() == 0


def test_a_mail_server_that_is_down_leaves_the_mail_queued_reports_it_and_the_next_run_sends_it(
    org, smtp_server
):
    today = timezone.localdate()
    a_cycle(org, self_due=today, manager_due=today + 9 * DAY)
    smtp_server.stop()

    out, err, failure = send_reminders()

    assert out == "2 reminders queued, 0 mails sent, 1 failed.\n"
    assert "Could not send to " in err and "ConnectionRefusedError" in err
    assert "1 more mail not tried: the mail server could not be reached." in err
    assert failure == "2 mails not sent; they stay queued and the next run tries again."
    [tried] = OutgoingMail.objects.failed()
    assert tried.attempts == 1 and "ConnectionRefusedError" in tried.last_error
    assert OutgoingMail.objects.pending().count() == 2

    smtp_server.start()
    out, err, failure = send_reminders()

    assert (out, err, failure) == ("0 reminders queued, 2 mails sent, 0 failed.\n", "", None)
    assert sorted(m["To"] for m in smtp_server.messages) == [org.engineer.email, org.peer.email]
    tried.refresh_from_db()
    assert tried.sent_at is not None and tried.attempts == 2 and tried.last_error == ""


def test_a_refused_address_is_reported_while_the_others_go(org, smtp_server):
    today = timezone.localdate()
    a_cycle(org, self_due=today, manager_due=today + 9 * DAY)
    smtp_server.refused.add(org.engineer.email)

    out, err, failure = send_reminders()

    assert out == "2 reminders queued, 1 mail sent, 1 failed.\n"
    assert f"Could not send to {org.engineer.email} (Reminder: your self-assessment" in err
    assert "SMTPRecipientsRefused" in err and "550" in err
    assert failure == "1 mail not sent; it stays queued and the next run tries again."
    assert [m["To"] for m in smtp_server.messages] == [org.peer.email]

    smtp_server.refused.clear()
    assert send_reminders()[0] == "0 reminders queued, 1 mail sent, 0 failed.\n"
    assert len(smtp_server.to(org.engineer.email)) == 1


def test_a_dry_run_lists_what_would_go_and_sends_nothing(org, smtp_server):
    today = timezone.localdate()
    a_cycle(org, self_due=today, manager_due=today + 9 * DAY)
    OutgoingMail.objects.create(
        key="earlier", kind="reminder", to="pat@example.com", subject="Earlier", body="."
    )

    out, err, failure = send_reminders("--dry-run")

    assert failure is None and err == ""
    assert "Would queue 2 reminders:\n  eve@example.com: Reminder: your self-assessment" in out
    assert "Would send 1 mail waiting in the outbox:\n  pat@example.com: Earlier\n" in out
    assert OutgoingMail.objects.count() == 1 and smtp_server.messages == []


def test_verbosity_zero_prints_nothing_when_all_went_well(org, smtp_server):
    today = timezone.localdate()
    a_cycle(org, self_due=today, manager_due=today + 9 * DAY)

    assert send_reminders("--verbosity", "0") == ("", "", None)
    assert len(smtp_server.messages) == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks; on SQLite see the CLI test below"
)
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_mail_once(org, smtp_server):
    for i in range(8):
        OutgoingMail.objects.create(
            key=f"k{i}", kind="reminder", to=f"r{i}@example.com", subject="Hi", body="."
        )
    smtp_server.delay = 0.05
    reports = []

    def run():
        reports.append(mail_send_pending())
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(m["To"] for m in smtp_server.messages) == [f"r{i}@example.com" for i in range(8)]
    assert sum(len(report.sent) for report in reports) == 8
    assert all(report.sent for report in reports)  # the runs overlapped and shared the work
    assert not OutgoingMail.objects.pending().exists()


# -- the real command line ----------------------------------------------------------------------

SETUP = textwrap.dedent(
    """
    import datetime
    from django.utils import timezone
    from ladder.frameworks.models import Level
    from ladder.people.models import Person
    from ladder.people.tree import rebuild_paths
    from ladder.promotions.models import CycleMember, ReviewCycle

    today, day = timezone.localdate(), datetime.timedelta(days=1)
    boss = Person.objects.create(name="Mia Manager", email="mia@example.com")
    people = [
        Person.objects.create(name=f"Person {i}", email=f"p{i}@example.com", manager=boss)
        for i in range(6)
    ]
    rebuild_paths()
    level = Level.objects.get(code="MD2")
    cycle = ReviewCycle.objects.create(
        name="Spring", ladder=level.version.ladder, stage="open", self_due=today + day,
        manager_due=today + 30 * day, calibration_on=today + 40 * day,
        effective_on=today + 50 * day, opened_at=timezone.now(),
    )
    for person in people:
        CycleMember.objects.create(cycle=cycle, person=person, target=level, manager=boss)
    """
)


def ladder_process(*args, env):
    script = Path(sys.executable).with_name("ladder")
    return subprocess.Popen(
        [str(script), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_line_sends_once_reports_failures_and_two_runs_at_once_never_double_send(
    tmp_path,
):
    server = SmtpServer()
    env = {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "EMAIL_URL": server.url,
        "DEFAULT_FROM_EMAIL": "ladder@example.com",
        "SITE_URL": "https://ladder.example.com",
    }
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    assert run_ladder("import", "--bundled", env=env).returncode == 0
    setup = run_ladder("shell", "-c", SETUP, env=env)
    assert setup.returncode == 0, setup.stderr

    # The mail server is down: the run says which mail failed and exits non-zero for cron.
    down = run_ladder("send-reminders", env=env)
    assert down.returncode == 1
    assert down.stdout == "6 reminders queued, 0 mails sent, 1 failed.\n"
    assert "Could not send to p0@example.com" in down.stderr
    assert "5 more mails not tried: the mail server could not be reached." in down.stderr
    assert "6 mails not sent; they stay queued and the next run tries again." in down.stderr

    # Back up, and slow: two runs at once share the work and nobody is mailed twice.
    server.delay = 0.2
    server.start()
    try:
        runs = [ladder_process("send-reminders", env=env) for _ in range(2)]
        results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        again = run_ladder("send-reminders", env=env)
    finally:
        server.stop()

    assert [code for code, _, _ in results] == [0, 0], results
    assert sorted(m["To"] for m in server.messages) == [f"p{i}@example.com" for i in range(6)]
    assert "https://ladder.example.com/me/" in server.messages[0].get_content()
    assert server.messages[0]["From"] == "ladder@example.com"
    assert again.returncode == 0
    assert again.stdout == "0 reminders queued, 0 mails sent, 0 failed.\n"


# -- the choice: turning reminders off and on ---------------------------------------------------


def test_a_person_turns_their_reminders_off_and_on_again(client, org):
    client.force_login(org.engineer.user)

    off = client.post("/me/reminders/", {"reminders": "off"}, follow=True)

    assert off.redirect_chain == [(f"/people/{org.engineer.pk}/", 302)]
    assert "Reminders of due assessments are off. Decisions about you are still mailed." in (
        off.content.decode()
    )
    assert "Reminders of due assessments are off. Decisions are always mailed." in (
        off.content.decode()
    )  # the choice, on the person's own page
    org.engineer.refresh_from_db()
    assert org.engineer.wants_reminders is False
    event = AuditEvent.objects.get(action="person.reminders")
    assert (event.before, event.after) == ({"wants_reminders": True}, {"wants_reminders": False})
    assert event.actor_label == org.engineer.email

    client.post("/me/reminders/", {"reminders": "off"})  # a second click: nothing changes
    assert AuditEvent.objects.filter(action="person.reminders").count() == 1

    client.post("/me/reminders/", {"reminders": "on"})
    org.engineer.refresh_from_db()
    assert org.engineer.wants_reminders is True
    assert AuditEvent.objects.filter(action="person.reminders").count() == 2


def test_a_toggle_without_a_choice_changes_nothing_and_says_why(client, org):
    client.force_login(org.engineer.user)

    response = client.post("/me/reminders/", {"reminders": "maybe"}, follow=True)

    assert "Nothing changed: say whether reminders should be on or off." in (
        response.content.decode()
    )
    org.engineer.refresh_from_db()
    assert org.engineer.wants_reminders is True
    assert not AuditEvent.objects.filter(action="person.reminders").exists()


def test_the_toggle_is_for_a_signed_in_person_and_only_by_post(client, org):
    assert client.post("/me/reminders/", {"reminders": "off"}).url.startswith("/accounts/login/")
    client.force_login(org.engineer.user)
    assert client.get("/me/reminders/").status_code == 405
    org.engineer.refresh_from_db()
    assert org.engineer.wants_reminders is True


def test_the_toggle_says_what_is_on_and_offers_the_other(org):
    request = RequestFactory().get("/")
    request.user = org.engineer.user
    html = render_to_string("promotions/_reminders_toggle.html", request=request)
    assert "Reminders of due assessments are on. Decisions are always mailed." in html
    assert 'name="reminders" value="off"' in html and "Turn reminders off" in html

    Person.objects.filter(pk=org.engineer.pk).update(wants_reminders=False)
    request.user = type(org.engineer.user).objects.get(pk=org.engineer.user.pk)
    html = render_to_string("promotions/_reminders_toggle.html", request=request)
    assert "are off. Decisions are always mailed." in html and "Turn reminders on" in html


def test_reminders_due_reads_without_writing(org):
    a_cycle(org, self_due=TODAY, manager_due=TODAY)

    assert len(reminders_due(today=TODAY)) == 3
    assert not OutgoingMail.objects.exists()
