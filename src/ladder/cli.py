"""The `ladder` command: every Django management command, with Ladder's own listed first."""

import os
import sys

LADDER_COMMANDS = {
    "check": "check ladder files for errors (exit 1 and print file:line: message on errors)",
    "fmt": "rewrite ladder files in canonical form, or --check that they are",
    "export": "print a ladder file as JSON or canonical Markdown",
    "schema": "print the JSON Schema of `ladder export --format json`",
    "import": "import a ladder file into the database as a new version when it changed",
    "retire": "take a ladder off the pages, keeping its versions (--undo brings it back)",
    "import-people": "create or update people from a CSV file, all or nothing",
    "export-people": "print everyone as CSV, in the format import-people reads",
    "seed-demo": "fill the database with a demo organisation and three demo logins",
}

USAGE = """usage: ladder COMMAND [options]

Ladder's commands:
{commands}

Run `ladder COMMAND --help` for a command's options, and `ladder help --all` for every
command, including Django's (migrate, runserver, createsuperuser, ...).
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    if len(argv) < 2 or argv[1:] in (["help"], ["--help"], ["-h"]):
        width = max(map(len, LADDER_COMMANDS))
        lines = "\n".join(
            f"  {name.ljust(width)}  {text}" for name, text in LADDER_COMMANDS.items()
        )
        sys.stdout.write(USAGE.format(commands=lines))
        return
    if argv[1:] == ["help", "--all"]:
        argv = argv[:1] + ["help"]
    argv[0] = "ladder"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
