from django.core.management.base import BaseCommand

from ladder.frameworks.export import ladder_to_json
from ladder.frameworks.format import format_ladder

from ._common import fail, load, plural


class Command(BaseCommand):
    help = (
        "Print a ladder file as JSON (the shape `ladder schema` describes) or as canonical "
        "Markdown, on stdout."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="The ladder file to export.")
        parser.add_argument(
            "--format",
            choices=["json", "markdown"],
            default="json",
            help="Output format (default: json).",
        )

    def handle(self, *args, path, format, **options):
        ladders, errors = load([path])
        if errors:
            fail(errors, plural(len(errors), "error"))
        render = ladder_to_json if format == "json" else format_ladder
        self.stdout.write(render(ladders[path]), ending="")
