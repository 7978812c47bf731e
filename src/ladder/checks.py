"""System checks for settings that must never reach production."""

from django.conf import settings
from django.core import checks

from ladder.settings import PLACEHOLDER_SECRET_KEY

TAG = "ladder_settings"


@checks.register(TAG, checks.Tags.security)
def secret_key_is_not_placeholder(app_configs, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY != PLACEHOLDER_SECRET_KEY:
        return []
    # A known key lets anyone forge sessions and password-reset links.
    return [
        checks.Error(
            "SECRET_KEY is the placeholder while DEBUG is off.",
            hint="Set SECRET_KEY to a long random value, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))', or DEBUG=1 for local use.",
            id="ladder.E001",
        )
    ]
