from ladder.frameworks.commands import FMT

from ._common import file_command

Command = file_command(FMT)
