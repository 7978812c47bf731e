from django.core.management.base import BaseCommand

from ladder.people.csv_rows import COLUMNS
from ladder.people.imports import people_csv


class Command(BaseCommand):
    help = f"Print everyone as CSV ({','.join(COLUMNS)}): the format `ladder import-people` reads."

    def handle(self, *args, **options):
        self.stdout.write(people_csv(), ending="")
