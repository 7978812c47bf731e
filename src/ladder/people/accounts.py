"""Changing one's own password: recorded in the audit log, and guesses at the current password
throttled exactly as sign-in is."""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction

from ladder.audit.services import audit_record


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """A wrong current password counts as a failed sign-in for this account from this address
    (django-axes, in the database, so every worker sees it); at the limit both pause together,
    since either would let the same password be guessed."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        credentials = {"username": self.user.email or self.user.get_username()}
        if AxesProxyHandler.is_locked(self.request, credentials):
            cool_off = get_cool_off(self.request)
            wait = (
                f"Try again in {math.ceil(cool_off.total_seconds() / 60)} minutes."
                if cool_off
                else "Ask an admin to reset your password."
            )
            raise ValidationError(
                f"Too many wrong passwords: changing your password from here is paused. {wait}",
                code="locked",
            )
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
            # This page answers for itself, with the form, rather than the sign-in lockout page.
            self.request.axes_locked_out = False
            raise


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(
                by=self.request.user,
                action="password.changed",
                target=self.request.user,
                before=None,
                after=None,
            )
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("old_password", code="locked"):
            response.status_code = 429
        return response
