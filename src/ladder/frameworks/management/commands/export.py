from ladder.frameworks.commands import EXPORT

from ._common import file_command

Command = file_command(EXPORT)
