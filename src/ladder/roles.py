"""Who administers Ladder: a rule on the login alone, below every app so that each may ask it.

The admin pages of the ladder and the audit log need it as much as the people pages do; the
rules about people (who manages whom, who may see what) stay in `people/permissions.py`.
"""

from django.http import Http404


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def require_admin(user) -> None:
    """A page for admins only answers 404 to everyone else, as if it were not there."""
    if not is_admin(user):
        raise Http404("Not found")
