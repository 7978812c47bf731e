"""Every command `ladder` knows explains itself, and `ladder` lists each by its own help.

The commands are found here as a reader finds them, by their files: each management command of
a Ladder app, and the file commands that run without Django. A command added anywhere is
walked without this test naming it.
"""

import functools
import re

import pytest

from ladder.frameworks.commands import FILE_COMMANDS
from tests.conftest import ROOT, run_ladder

COMMANDS = sorted(
    {
        *FILE_COMMANDS,
        *(
            path.stem
            for path in (ROOT / "src" / "ladder").glob("*/management/commands/*.py")
            if not path.stem.startswith("_")
        ),
    }
)


def words(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def listed() -> dict[str, str]:
    """What `ladder` says of each command: its name and its line (continued when wrapped)."""
    result = run_ladder()
    assert result.returncode == 0, result.stderr
    commands, name = {}, None
    for line in result.stdout.split("\n\n")[1].splitlines()[1:]:
        if match := re.fullmatch(r"  (\S+) +(.*)", line):
            name = match[1]
            commands[name] = match[2]
        else:
            commands[name] += " " + line.strip()
    return commands


def test_ladder_lists_every_command_it_knows_and_no_other():
    assert sorted(listed()) == COMMANDS


def test_ladder_lists_the_file_commands_first():
    assert list(listed())[: len(FILE_COMMANDS)] == list(FILE_COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself_with_the_words_ladder_lists_it_by(command):
    result = run_ladder(command, "--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: ladder {command}")
    description = result.stdout.split("\n\n")[1]
    assert len(description) > 40
    assert words(listed()[command]) in words(description)


def test_settings_that_cannot_be_read_still_list_the_file_commands_and_say_why():
    result = run_ladder("--help", env={"DEBUG": "maybe"})

    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^  (\S+)", result.stdout, flags=re.MULTILINE)
    assert listed == list(FILE_COMMANDS)
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr
    assert "Traceback" not in result.stderr
