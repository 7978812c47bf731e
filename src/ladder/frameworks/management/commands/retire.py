from django.core.management.base import BaseCommand

from ladder.frameworks.commands import fail
from ladder.frameworks.models import Ladder
from ladder.frameworks.services import ladder_restore, ladder_retire


class Command(BaseCommand):
    help = (
        "Take a ladder off the pages, keeping its versions (--undo brings it back): it leaves "
        "the home page and its pages answer 404, while every version stays in the database for "
        "the people and assessments that refer to its levels. Both are recorded in the audit "
        "log."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The ladder's slug, as in its URLs.")
        parser.add_argument(
            "--undo", action="store_true", help="Restore a retired ladder to the pages."
        )

    def handle(self, *args, slug, undo, **options):
        ladder = Ladder.objects.filter(slug=slug).first()
        if ladder is None:
            known = ", ".join(Ladder.objects.order_by("slug").values_list("slug", flat=True))
            fail(
                self.stderr,
                [f"no ladder has the slug {slug!r}; ladders: {known or 'none yet'}"],
                "nothing changed",
            )
        if undo:
            if ladder_restore(by=None, ladder=ladder):
                self.stdout.write(self.style.SUCCESS(f"{slug}: restored; its pages are back."))
            else:
                self.stdout.write(f"{slug}: is not retired; nothing changed.")
        elif ladder_retire(by=None, ladder=ladder):
            self.stdout.write(
                self.style.SUCCESS(
                    f"{slug}: retired; its pages answer 404, its versions are kept, and "
                    f"`ladder retire --undo {slug}` brings it back."
                )
            )
        else:
            self.stdout.write(f"{slug}: is already retired; nothing changed.")
