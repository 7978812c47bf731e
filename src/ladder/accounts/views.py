"""Invitations (sent by admins, accepted by the invited) and password reset."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from ladder.audit.services import audit_record
from ladder.notifications.services import mail_send_after
from ladder.people.auth import EmailBackend, client_ip_address
from ladder.roles import require_admin

from .forms import InvitationPasswordForm, InviteForm, ResetForm
from .services import (
    InvitationProblem,
    invitation_accept,
    invitation_by_digest,
    invitation_by_token,
    invitations_send,
    new_login,
    without_login,
)

SIGN_IN_BACKEND = "ladder.people.auth.EmailBackend"
# Between following the link and choosing a password, the session holds the invitation's digest
# (never its token, as sessions are stored too), so the page with the form has no secret in its
# address, nor in a Referer header.
SESSION_KEY = "invitation"
PREVIEW_NAMES = 50


def _next_page(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request):
    """Admins invite people without a login: GET shows whom a choice reaches, POST sends."""
    require_admin(request.user)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = InviteForm(data)
    if data is None or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        context = {"form": form, "days": settings.INVITATION_DAYS}
        return render(request, "accounts/invite.html", context, status=status)
    chosen = form.people()
    if request.method == "POST":
        result = invitations_send(by=request.user, people=without_login(chosen), send=False)
        _report(request, result)
        # A whole organisation's mails go out after the page, which does not wait for them.
        response = redirect(_next_page(request, reverse("assessments:directory")))
        return mail_send_after(response, result.mail_ids)
    invitable = without_login(chosen).select_related("team", "invitation").order_by("name", "pk")
    context = {
        "form": form,
        "days": settings.INVITATION_DAYS,
        "preview": True,
        "invitable": invitable[:PREVIEW_NAMES],
        "invitable_count": invitable.count(),
        "has_login_count": chosen.filter(user__isnull=False).count(),
        "query": request.GET,
    }
    return render(request, "accounts/invite.html", context)


def _report(request, result) -> None:
    count = len(result.invited)
    if count:
        who = result.invited[0].name if count == 1 else f"{count} people"
        messages.success(
            request,
            f"Invitation sent to {who}; the link works for {settings.INVITATION_DAYS} days.",
        )
    else:
        messages.info(request, "No one was invited: everyone chosen can sign in already.")


def _invalid(request, problem: InvitationProblem):
    status = 404 if problem.kind == InvitationProblem.UNKNOWN else 410
    context = {"problem": problem.kind, "invitation": problem.invitation}
    return render(request, "accounts/invitation_invalid.html", context, status=status)


@require_safe
def invitation(request, token):
    """The link in the mail: checked, then exchanged for a session and the password form."""
    try:
        invitation = invitation_by_token(token)
    except InvitationProblem as problem:
        return _invalid(request, problem)
    request.session[SESSION_KEY] = invitation.digest
    return redirect("accounts:invitation_accept")


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept_page(request):
    digest = request.session.get(SESSION_KEY, "")
    try:
        invitation = invitation_by_digest(digest)
    except InvitationProblem as problem:
        return _invalid(request, problem)
    person = invitation.person
    form = InvitationPasswordForm(new_login(person), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(digest=digest, password=form.cleaned_data["new_password1"])
        except InvitationProblem as problem:
            return _invalid(request, problem)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(request, f"Welcome, {person.name}: your password is set.")
            return redirect("people:me")
    context = {"form": form, "person": person, "invitation": invitation}
    return render(request, "accounts/invitation_accept.html", context)


def _over_limit(request) -> int:
    """Minutes until this address may ask for another reset, or 0 while under the limit.

    Counted in the cache per client address over a fixed window; an address that asks too often
    is told to wait, whichever addresses it asked for, so the answer reveals none of them.
    """
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    key = f"password-reset:{client_ip_address(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=window)
        count = 1
    if count > settings.PASSWORD_RESET_REQUESTS:
        return math.ceil(window / 60)
    return 0


class ResetHours:
    """How long a reset link works, for the pages that say so."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }


class PasswordResetView(ResetHours, auth_views.PasswordResetView):
    form_class = ResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    def post(self, request, *args, **kwargs):
        wait = _over_limit(request)
        if wait:
            context = {"minutes": wait}
            response = render(
                request, "registration/password_reset_throttled.html", context, status=429
            )
            response["Retry-After"] = str(wait * 60)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        # Sent once the answer has gone, so how long it took does not tell whether the address
        # belongs to anyone.
        return mail_send_after(response, form.mail_ids)


class PasswordResetConfirmView(ResetHours, auth_views.PasswordResetConfirmView):
    post_reset_login = True
    post_reset_login_backend = SIGN_IN_BACKEND
    success_url = reverse_lazy("people:me")

    def get_user(self, uidb64):
        """The login the link is for, unless a password no longer opens it: a link mailed
        before password sign-in was turned off works for admins only, as sign-in does."""
        user = super().get_user(uidb64)
        return user if user is not None and EmailBackend.password_opens(user) else None

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(
                by=form.user, action="password.reset", target=form.user, before=None, after=None
            )
        messages.success(self.request, "Your new password is set, and you are signed in.")
        return response
