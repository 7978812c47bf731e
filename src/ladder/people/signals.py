"""What the people layer tells the layers above it, inside the transaction that made the change."""

from django.dispatch import Signal

# Sent with `person_ids` once levels are written (one person's, or a whole file's): what they
# hold, since when, and what they may go to next have changed.
levels_changed = Signal()
