import sys
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ladder.assessments.models import Assessment
from ladder.assessments.readiness import Verdict
from ladder.demo.organisation import (
    ADMIN_EMAIL,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MANAGER_EMAIL,
    MIN_PEOPLE,
    PHASES,
    demo_organisation_create,
)
from ladder.notifications.models import OutgoingMail
from ladder.people.models import Person

STATE_WORDS = {
    Assessment.State.SHARED: "shared",
    Assessment.State.SUBMITTED: "submitted, not shared",
    Assessment.State.DRAFT: "drafts",
}
MAIL_WORDS = {
    OutgoingMail.Kind.CYCLE_OPENED: "cycle opened",
    OutgoingMail.Kind.REMINDER: "reminders",
    OutgoingMail.Kind.CASE_DECIDED: "decisions",
}
VERDICT_WORDS = {
    Verdict.READY: "ready",
    Verdict.ELIGIBLE_FROM: "eligible from a date",
    Verdict.NOT_YET: "not yet",
    Verdict.NOT_ASSESSED: "not assessed",
}


class Command(BaseCommand):
    help = (
        "Fill the database with a believable demo organisation of N people on the latest "
        "version of the bundled dotnet ladder (imported first if missing): a CTO, directors, "
        "engineering managers, tech leads and teams, levels spread like a real company with "
        "their history, evidence, self and manager assessments against their next level, "
        "growth plans, a review cycle in calibration (its committee, reminders sent, promotion "
        "cases in every state), and three logins with the password "
        f"{DEMO_PASSWORD}: {', '.join(DEMO_LOGINS)}. The same --seed builds the same "
        "organisation. Run again, it adds N more people below the demo admin. Refused "
        "when DEBUG is off unless --allow-production is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            required=True,
            metavar="N",
            help=f"How many people to add (at least {MIN_PEOPLE}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when there are people already (for setup scripts).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            help="Seed of the random names, tree and levels (default: 0).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off, e.g. for a public demo site.",
        )

    def handle(self, *args, people, if_empty, seed, allow_production, **options):
        # With DEBUG off this is likely a real organisation's database, and the demo adds a
        # superuser whose password is printed in the README.
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                f"DEBUG is off, so this looks like a production database; seed-demo would add "
                f"made-up people and the superuser {ADMIN_EMAIL} with the published password "
                f"{DEMO_PASSWORD}. Run it with DEBUG=1, or add --allow-production if this site "
                "is a demo."
            )
        if people < MIN_PEOPLE:
            raise CommandError(f"--people must be at least {MIN_PEOPLE}, not {people}.")
        if if_empty and Person.objects.exists():
            count = Person.objects.count()
            self.stdout.write(f"There are people already ({count}); --if-empty added nobody.")
            return
        started = time.monotonic()
        bar = None
        if self.stdout.isatty():
            from tqdm import tqdm

            bar = tqdm(
                total=people,
                unit=" people",
                desc=PHASES[0].capitalize(),
                file=getattr(self.stdout, "_out", sys.stdout),
            )

        def progress(phase, done):
            # One bar, started again for each phase: "Assessments: 40%|####  | 4000/10000".
            name = phase.capitalize()
            if bar.desc.rstrip(": ") != name:
                bar.reset(total=people)
                bar.set_description(name)
            bar.update(done - bar.n)
            if done == people:
                bar.refresh()  # drawn whole before the next phase starts it again

        try:
            result = demo_organisation_create(
                people=people, seed=seed, progress=progress if bar is not None else None
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finally:
            if bar is not None:
                bar.close()
        seconds = time.monotonic() - started
        version = result.version
        self.stdout.write(
            self.style.SUCCESS(
                f"Built a demo organisation of {result.people} people in {result.teams} teams "
                f"on {version.ladder.slug} v{version.number} in {seconds:.1f} s: "
                f"{result.managers} managers, {result.depth} levels deep."
            )
        )
        spread = ", ".join(f"{code} {count}" for code, count in result.levels.items())
        if result.without_level:
            spread += f", no level {result.without_level}"
        self.stdout.write(f"Levels: {spread}.")
        self.stdout.write(
            f"Evidence: {result.evidence:,} entries for {result.people_with_evidence:,} people."
        )
        states = ", ".join(
            f"{result.assessments[state]:,} {words}"
            for state, words in STATE_WORDS.items()
            if result.assessments.get(state)
        )
        self.stdout.write(
            f"Assessments: {sum(result.assessments.values()):,} of {result.people_assessed:,} "
            f"people against their next level ({states or 'none'}); {result.plans:,} growth "
            f"plans with {result.plan_items:,} items."
        )
        verdicts = ", ".join(
            f"{VERDICT_WORDS[verdict]} {count:,}" for verdict, count in result.verdicts.items()
        )
        self.stdout.write(f"Readiness for the next level: {verdicts}.")
        if result.review is not None:
            self.write_review(result.review)
        if result.logins:
            *rest, last = result.logins
            who = f"{', '.join(rest)} or {last}" if rest else last
            self.stdout.write(f"Sign in as {who} with the password {DEMO_PASSWORD}")
        else:
            self.stdout.write(
                f"The demo logins ({', '.join(DEMO_LOGINS)}) existed already and were left as "
                f"they were (the password was {DEMO_PASSWORD})."
            )
        if result.top.manager_id:
            self.stdout.write(f"The new organisation reports to {result.top.manager.email}.")

    def write_review(self, review):
        cycle = review.cycle
        cases = ", ".join(f"{count} {state}" for state, count in review.cases.items())
        self.stdout.write(
            f"Review cycle: {cycle.name}, in calibration, with {review.members:,} people; "
            f"committee {', '.join(review.committee)}; cases {cases or 'none'}; "
            f"{review.adjustments} rating{'' if review.adjustments == 1 else 's'} adjusted in "
            "calibration."
        )
        mails = ", ".join(
            f"{review.mails[kind]:,} {words}"
            for kind, words in MAIL_WORDS.items()
            if kind in review.mails
        )
        self.stdout.write(
            f"Mail: {sum(review.mails.values()):,} recorded as sent ({mails}), none delivered."
        )
        draft = review.manager_draft
        if draft is not None:
            self.stdout.write(
                f"{MANAGER_EMAIL} sits on the committee and has a draft case to submit for "
                f"{draft.person.name} ({draft.from_level.code} to {draft.to_level.code})."
            )
