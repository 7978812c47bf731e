"""What the API benchmarks share: a throttle they never meet, and the demo admin's token."""

from __future__ import annotations

import os

# The throttle still counts every request in the cache, as in production; at the rate the
# settings default to (600 a minute) a benchmark would measure its 429s instead of the API.
ROOMY_THROTTLE = "999999999/min"
ADMIN_SCOPES = "read admin"


def roomy_throttle() -> None:
    """Raise API_THROTTLE_RATE for this process and the servers it starts (before Django's
    setup, which reads it)."""
    os.environ["API_THROTTLE_RATE"] = ROOMY_THROTTLE


def admin_token() -> str:
    """A new token of the demo admin with the read and admin scopes: what an HR system reading
    the whole organisation would hold. Needs the demo organisation."""
    from django.contrib.auth import get_user_model

    from ladder.api.tokens import token_create
    from ladder.demo.organisation import ADMIN_EMAIL

    admin = get_user_model().objects.get(email=ADMIN_EMAIL)
    return token_create(by=admin, owner=admin, name="benchmark", scopes=ADMIN_SCOPES, days=1)[1]
