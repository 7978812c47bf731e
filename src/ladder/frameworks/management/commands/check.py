from django.core.management.commands import check as django_check

from ladder.frameworks.commands import CHECK, names_a_file


class Command(django_check.Command):
    """Django's system checks, and the ladder file check when given files."""

    help = CHECK.help

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Django's app labels and the ladder files share the one positional argument.
        paths = next(action for action in CHECK.parser()._actions if action.dest == "paths")
        for action in parser._actions:
            if action.dest == "args":
                action.metavar, action.help = paths.metavar, paths.help

    def handle(self, *paths, **options):
        if not paths or not all(names_a_file(p) for p in paths):
            return super().handle(*paths, **options)
        CHECK.run(paths=list(paths), out=self.stdout, err=self.stderr)
