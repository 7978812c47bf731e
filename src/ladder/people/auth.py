"""Signing in by email address, however it is spelt, and whom the failed attempts count against."""

import ipaddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .emails import canonical_email

# django-axes keeps the counted address in a column this long; a longer one is no stored address
# (those are at most 254 characters), and cutting it only makes junk attempts share a count.
_COUNTED_LENGTH = 255


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        address = canonical_email(username or "")
        if not address or password is None:
            return None
        User = get_user_model()
        # Exact equality on the stored canonical spelling: the database folds nothing, so the
        # account found is the one `normalised_username` counts failures against.
        user = User.objects.filter(email=address).order_by("pk").first()
        if user is None:
            # Spend the time a password check would take, so timing does not reveal accounts.
            User().set_password(password)
            return None
        opens = user.check_password(password) and self.user_can_authenticate(user)
        return user if opens and self.password_opens(user) else None

    @staticmethod
    def password_opens(user) -> bool:
        """With PASSWORD_SIGN_IN off, a password opens only an admin's account (the way in when
        the identity provider is down), on every sign-in form, the Django admin's included. A
        member's right password is refused and counted exactly as a wrong one. Only signing in
        asks this: a session started by single sign-on stays valid."""
        return settings.PASSWORD_SIGN_IN or user.is_superuser


def normalised_username(request, credentials) -> str:
    """The sign-in address as `EmailBackend` matches it, for counting failed attempts."""
    source = credentials if credentials else getattr(request, "POST", {})
    return canonical_email(source.get("username") or "")[:_COUNTED_LENGTH]


def client_ip_address(request) -> str | None:
    """The address failed sign-ins are counted from.

    Behind a reverse proxy every request comes from the proxy, so one person's typos would pause
    everyone's sign-in. `SIGN_IN_CLIENT_IP_HEADER` names the header the proxy writes the client's
    address into; it is trusted only when set, as anyone can send it. Of a list
    (X-Forwarded-For), the last entry is the one the nearest proxy added; earlier ones are
    whatever the client claimed.
    """
    header = settings.SIGN_IN_CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        claimed = request.META.get(key, "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(claimed))
        except ValueError:
            pass  # not through the proxy (or not an address): the connection's own address
    return request.META.get("REMOTE_ADDR")
