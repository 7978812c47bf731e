"""Signing in through the identity provider, and the sign-in page that offers it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from . import provider
from .services import SignInRefused, sign_in_user

log = logging.getLogger(__name__)

# Where to go after signing in, kept in the session across the trip to the provider.
NEXT_KEY = "sso_next"
BACKEND = "ladder.people.auth.EmailBackend"


@require_safe
def start(request):
    """Send the browser to the provider, remembering where it was going."""
    client = provider.get_client()
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_KEY] = next_url
    else:
        request.session.pop(NEXT_KEY, None)
    # SITE_URL, not the request's host: the provider must know the address in advance, and
    # behind a proxy the request's own host may not be the public one.
    redirect_uri = settings.SITE_URL + reverse("sso:callback")
    try:
        provider.check_issuer(client)
        return client.authorize_redirect(request, redirect_uri)
    except provider.FlowError as error:
        log.warning("Single sign-on could not start: %s", error)
        return failed(
            request, f"Signing in with {provider.provider_name()} could not start.", status=502
        )


@require_safe
def callback(request):
    """Where the provider sends the browser back: verify, then sign in the matching person."""
    client = provider.get_client()
    try:
        provider.check_issuer(client)
        token = client.authorize_access_token(request, claims_options=provider.claims_options())
        claims = token.get("userinfo")
        if claims is None:
            raise ValueError("the provider sent no ID token")
    except provider.FlowError as error:
        log.warning("Single sign-on refused: %s", error)
        return failed(request, f"Signing in with {provider.provider_name()} did not complete.")
    try:
        user = sign_in_user(claims=claims)
    except SignInRefused as refusal:
        log.warning("Single sign-on refused for %s: %s", claims.get("sub"), refusal)
        return failed(request, str(refusal), status=403)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend=BACKEND)
    log.info("Signed in with single sign-on: %s", user.get_username())
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def failed(request, message: str, *, status: int = 400):
    return render(
        request,
        "sso/failed.html",
        {"message": message, "provider_name": provider.provider_name()},
        status=status,
    )


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering the provider. With PASSWORD_SIGN_IN off it shows only the
    provider's button; `?break-glass=1` shows the password form, which then opens only an
    admin's account (`EmailBackend.password_opens`)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_name"] = provider.provider_name() if provider.is_configured() else None
        context["sso_only"] = (
            not settings.PASSWORD_SIGN_IN
            and "break-glass" not in self.request.GET
            and self.request.method != "POST"
        )
        context["password_for_admins_only"] = not settings.PASSWORD_SIGN_IN
        return context
