import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from ladder.assessments.models import StoredReadiness
from ladder.assessments.stored import readiness_differences, readiness_refresh
from ladder.people.models import Person
from ladder.people.validation import printable


class Command(BaseCommand):
    help = (
        "Check the readiness stored for every person against the readiness rule, worked out "
        "from scratch from their level history and shared assessments, as their own page does. "
        "--verify lists each person whose stored verdict differs and exits 1 if any does; "
        "--repair stores the rule's verdict for them. --rebuild works out everyone again."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--verify", action="store_true", help="Report differences; change nothing."
        )
        action.add_argument(
            "--repair", action="store_true", help="Store the rule's verdict where it differs."
        )
        action.add_argument(
            "--rebuild", action="store_true", help="Work out and store everyone's readiness again."
        )

    def handle(self, *args, verify, repair, rebuild, **options):
        total = Person.objects.count()
        if rebuild:
            count = readiness_refresh(None)
            stored = StoredReadiness.objects.count()
            self.stdout.write(f"Worked out {count} people: {stored} verdicts stored.")
            return
        with tqdm(
            total=total, unit="people", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            differences = readiness_differences(progress=bar.update)
        for difference in differences:
            self.stdout.write(printable(f"  {difference}"))
        people = sorted({d.person_id for d in differences})
        if not people:
            self.stdout.write(f"Checked {total} people: every stored verdict matches the rule.")
            return
        if verify:
            sys.stderr.write(
                f"{len(people)} of {total} people have a stored readiness that differs from the "
                "rule: `ladder readiness --repair` stores the rule's.\n"
            )
            raise SystemExit(1)
        with transaction.atomic():
            readiness_refresh(people)
        left = readiness_differences()
        if left:
            raise CommandError(f"{len(left)} differences remain after the repair.")
        self.stdout.write(f"Repaired {len(people)} of {total} people; every verdict matches now.")
