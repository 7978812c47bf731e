"""Signing in by email address, whatever its case."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(email__iexact=username.strip()).order_by("pk").first()
        if user is None:
            # Spend the time a password check would take, so timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def normalised_username(request, credentials) -> str:
    """The sign-in address as `EmailBackend` matches it, for counting failed attempts."""
    source = credentials if credentials else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower()
