"""The `ladder` command: every Django management command, with Ladder's own listed first.

The file commands (check, fmt, export, schema) need no database, so they run without setting
Django up: starting Django is most of what they would otherwise take. The list of Ladder's
commands is made from the commands themselves, each described by its own help.
"""

import os
import sys
import textwrap

USAGE = """usage: ladder COMMAND [options]

Ladder's commands:
{commands}

Run `ladder COMMAND --help` for a command's options, and `ladder help --all` for every
command, including Django's (migrate, runserver, createsuperuser, ...).
"""
WIDTH = 100


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    args = argv[1:]
    if args in ([], ["help"], ["--help"], ["-h"]):
        sys.stdout.write(usage())
        return
    from ladder.frameworks.commands import run_without_django

    if run_without_django(args):
        return
    if args == ["help", "--all"]:
        args = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ladder", *args])


def ladder_commands() -> dict[str, str]:
    """Ladder's own commands, each with its help: the file commands, then every management
    command of a `ladder.*` app, in the order of INSTALLED_APPS."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    import django
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import find_commands, load_command_class

    from ladder.frameworks.commands import FILE_COMMANDS

    commands = {name: command.help for name, command in FILE_COMMANDS.items()}
    try:
        django.setup()
    except (ImproperlyConfigured, ImportError) as error:
        # The file commands still work; say why the others cannot be listed, not a traceback.
        sys.stderr.write(f"ladder: the database commands are not listed, as {error}\n")
        return commands
    for app in apps.get_app_configs():
        if app.name.startswith("ladder."):
            for name in find_commands(os.path.join(app.path, "management")):
                commands.setdefault(name, load_command_class(app.name, name).help)
    return commands


def summary(help_text: str) -> str:
    """A command's help up to the end of its first clause, outside any brackets."""
    depth = 0
    for i, character in enumerate(help_text):
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        elif character in ".:;" and depth == 0 and help_text[i + 1 : i + 2] in (" ", ""):
            return help_text[:i]
    return help_text


def usage() -> str:
    commands = ladder_commands()
    width = max(map(len, commands))
    lines = [
        textwrap.fill(
            summary(text),
            WIDTH,
            initial_indent=f"  {name.ljust(width)}  ",
            subsequent_indent=" " * (width + 4),
            break_on_hyphens=False,
        )
        for name, text in commands.items()
    ]
    return USAGE.format(commands="\n".join(lines))
