from ladder.frameworks.commands import SCHEMA

from ._common import file_command

Command = file_command(SCHEMA)
