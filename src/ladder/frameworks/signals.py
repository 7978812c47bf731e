"""What the ladder layer tells the layers above it: a version stored (inside the transaction that
stored it), or a version previewed by a dry run."""

from django.dispatch import Signal

# Sent once a new version of a ladder is stored, with `version`: everyone on that ladder now
# reads their level, next levels and rules in it.
version_imported = Signal()

# Sent by a dry run of an import (`ladder import --dry-run`), with `ladder` (a stored ladder),
# `data` (the parsed version that would be its next) and `today`; nothing is written. Each
# receiver returns what that version would change in its layer, as an object whose `lines()`
# the command prints, one a line: the ladder layer reports what is above it without importing it.
version_previewed = Signal()
