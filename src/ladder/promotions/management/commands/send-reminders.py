from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_send_pending
from ladder.promotions.reminders import reminders_due, reminders_queue


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Queue the reminders of due assessments that are due today in every open review cycle, "
        "then send all mail waiting in the outbox, retrying mail that failed before. Safe to "
        "run from cron as often as wanted: a mail is recorded when sent and never sent twice, "
        "even by two runs at once. Prints how many mails were queued, sent and failed; each "
        "failure goes to stderr with its address and error, and the command then exits with "
        "status 1 (the mail stays queued for the next run). With --verbosity 0 it prints "
        "nothing unless a mail failed, so that cron mails the operator only then."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the reminders that would be queued and the mail that would be sent; "
            "queue and send nothing.",
        )

    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        today = timezone.localdate()
        if dry_run:
            self.list_what_would_go(today)
            return
        queued = reminders_queue(today=today)
        report = mail_send_pending()
        if verbosity:
            self.stdout.write(
                f"{plural(len(queued), 'reminder')} queued, {plural(len(report.sent), 'mail')} "
                f"sent, {len(report.failed)} failed."
            )
        for mail in report.failed:
            self.stderr.write(
                f"Could not send to {mail.to} ({mail.subject}), attempt {mail.attempts}: "
                f"{mail.last_error}"
            )
        if report.not_tried:
            self.stderr.write(
                f"{plural(report.not_tried, 'more mail')} not tried: the mail server could not "
                "be reached."
            )
        if report.failed:
            waiting = len(report.failed) + report.not_tried
            they = "it stays" if waiting == 1 else "they stay"
            raise CommandError(
                f"{plural(waiting, 'mail')} not sent; {they} queued and the next run tries again."
            )

    def list_what_would_go(self, today) -> None:
        reminders = reminders_due(today=today)
        self.stdout.write(f"Would queue {plural(len(reminders), 'reminder')}:")
        for mail in reminders:
            self.stdout.write(f"  {mail.to}: {mail.subject}")
        pending = list(
            OutgoingMail.objects.pending().only("to", "subject", "attempts", "last_error")
        )
        self.stdout.write(f"Would send {plural(len(pending), 'mail')} waiting in the outbox:")
        for mail in pending:
            failed = f" (failed {mail.attempts}×: {mail.last_error})" if mail.attempts else ""
            self.stdout.write(f"  {mail.to}: {mail.subject}{failed}")
