import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ladder.accounts.services import invitations_send, without_login
from ladder.notifications.services import mail_send_pending
from ladder.people.emails import canonical_email
from ladder.people.models import Person, Team
from ladder.people.validation import printable


class Command(BaseCommand):
    help = (
        "Invite people without a login to sign in: each gets a mail with a single-use link to "
        "choose a password, working for INVITATION_DAYS days (default 7). Inviting someone "
        "again replaces their old link. Name people by address, a whole team with --team, or "
        "everyone without a login with --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="*", metavar="EMAIL", help="People to invite.")
        parser.add_argument("--team", help="Invite the team of this name (any case).")
        parser.add_argument(
            "--all", action="store_true", dest="everyone", help="Invite everyone without a login."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be invited; send nothing."
        )

    def handle(self, *args, emails, team, everyone, dry_run, **options):
        people = self.chosen(emails, team, everyone)
        invitable = without_login(people).order_by("name", "pk")
        has_login = people.filter(user__isnull=False).count()
        count = invitable.count()
        if has_login:
            self.stdout.write(f"{has_login} of those named can sign in already: left out.")
        if not count:
            self.stdout.write("No one to invite.")
            return
        if dry_run:
            for person in invitable:
                self.stdout.write(printable(f"  {person.email}: {person.name}"))
            self.stdout.write(f"Would invite {count} {'person' if count == 1 else 'people'}.")
            return
        result = invitations_send(by=None, people=invitable, send=False)
        report = self.send(result.mail_ids)
        self.stdout.write(
            f"Invited {len(result.invited)} {'person' if len(result.invited) == 1 else 'people'}"
            f"; the links work for {settings.INVITATION_DAYS} days."
        )
        unsent = len(report.failed) + report.not_tried
        if unsent:
            for mail in report.failed:
                sys.stderr.write(printable(f"  not sent to {mail.to}: {mail.last_error}") + "\n")
            sys.stderr.write(
                f"{unsent} mail{'s' if unsent != 1 else ''} could not be sent and stay queued: "
                "`ladder send-reminders` tries again.\n"
            )
            raise SystemExit(1)

    def chosen(self, emails, team, everyone):
        if not (emails or team or everyone):
            raise CommandError("name whom to invite: addresses, --team NAME, or --all")
        people = Person.objects.all()
        if team:
            found = Team.objects.by_name().get(team.strip().lower())
            if found is None:
                raise CommandError(f"no team named {team!r}")
            if everyone:
                return people.filter(team=found)
        if everyone:
            return people
        addresses = [canonical_email(address) for address in emails]
        known = set(people.filter(email__in=addresses).values_list("email", flat=True))
        unknown = [address for address in addresses if address not in known]
        if unknown:
            raise CommandError(f"no one has the address {', '.join(unknown)}")
        chosen = people.filter(email__in=addresses)
        return chosen | people.filter(team=found) if team else chosen

    def send(self, ids):
        bar = None
        if self.stdout.isatty():
            from tqdm import tqdm

            bar = tqdm(total=len(ids), unit=" mails", desc="Sending", file=sys.stdout)
        try:
            return mail_send_pending(ids=ids, progress=bar.update if bar else None)
        finally:
            if bar is not None:
                bar.close()
