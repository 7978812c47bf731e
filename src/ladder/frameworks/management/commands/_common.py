"""Ladder's file commands as management commands, wrapping their one definition in
frameworks/commands.py; `ladder` itself runs them without Django when it can."""

from django.core.management.base import BaseCommand

from ladder.frameworks.commands import FileCommand


def file_command(command: FileCommand) -> type[BaseCommand]:
    class Command(BaseCommand):
        help = command.help
        requires_system_checks = []

        def add_arguments(self, parser):
            command.add_arguments(parser)

        def handle(self, *args, **options):
            command.run(**options, out=self.stdout, err=self.stderr)

    return Command
