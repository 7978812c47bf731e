import json

from django.core.management.base import BaseCommand

from ladder.frameworks.export import json_schema


class Command(BaseCommand):
    help = "Print the JSON Schema (draft 2020-12) of `ladder export --format json`."
    requires_system_checks = []

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(json_schema(), indent=2))
