from pathlib import Path

from django.core.management.commands import check as django_check

from ._common import fail, load, plural


class Command(django_check.Command):
    help = (
        "Check ladder files for errors. Prints 'FILE:LINE: message' on stderr for every error "
        "of every file and exits 1; exits 0 when all are valid. Given no file, or only app "
        "labels, runs Django's system checks instead."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "args":
                action.metavar = "PATH"
                action.help = "Ladder files to check (or app labels, for Django's system checks)."

    def handle(self, *paths, **options):
        if not paths or not all(_is_path(p) for p in paths):
            return super().handle(*paths, **options)
        ladders, errors = load(list(paths))
        if errors:
            bad = len(paths) - len(ladders)
            fail(errors, f"{plural(len(errors), 'error')} in {plural(bad, 'file')}")
        for path, ladder in ladders.items():
            criteria = sum(len(level.criteria()) for level in ladder.levels)
            self.stdout.write(
                f"{path}: ok ({plural(len(ladder.levels), 'level')}, "
                f"{plural(len(ladder.tracks()), 'track')}, "
                f"{plural(criteria, 'criterion', 'criteria')})"
            )


def _is_path(arg: str) -> bool:
    # App labels are bare Python identifiers; anything else names a file.
    return Path(arg).exists() or not arg.isidentifier()
