"""What the ladder layer tells the layers above it, inside the transaction that made the change."""

from django.dispatch import Signal

# Sent once a new version of a ladder is stored, with `version`: everyone on that ladder now
# reads their level, next levels and rules in it.
version_imported = Signal()
