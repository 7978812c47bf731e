import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
application = get_wsgi_application()

# Application servers run no system checks of their own: refuse to serve an unsafe configuration.
_errors = [error for error in checks.run_checks(tags=["ladder_settings"]) if error.is_serious()]
if _errors:
    raise ImproperlyConfigured("\n".join(f"{error.msg} {error.hint}" for error in _errors))
