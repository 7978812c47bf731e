from __future__ import annotations

import datetime
import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import mail_queue, site_link
from ladder.people.emails import canonical_email
from ladder.people.models import Person, Team

from .services import LINK_REMOVED


class InviteForm(forms.Form):
    """Whom to invite: chosen people (by id, repeated `person`, or by address, `emails` holding
    any number separated by spaces, as the import page sends the people it created), a team,
    or everyone without a login."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, to_field_name="slug", empty_label="Any team"
    )
    everyone = forms.BooleanField(required=False)
    # One field for any number of addresses: a field each would meet Django's limit on the
    # number of fields (DATA_UPLOAD_MAX_NUMBER_FIELDS) at a thousand new people.
    emails = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.person_ids = data.getlist("person") if data else []

    def clean(self):
        data = super().clean()
        bad = [value for value in self.person_ids if not re.fullmatch(r"[0-9]{1,18}", value)]
        if bad:
            raise forms.ValidationError(f"{bad[0]!r} is not a person's id.")
        data["person"] = [int(value) for value in self.person_ids]
        data["emails"] = [canonical_email(e) for e in re.split(r"[\s,]+", data["emails"]) if e]
        if not (data["person"] or data["emails"] or data.get("team") or data.get("everyone")):
            raise forms.ValidationError("Choose whom to invite: a person, a team, or everyone.")
        return data

    def people(self):
        """Everyone this form names, as one queryset."""
        data = self.cleaned_data
        people = Person.objects.all()
        if data["everyone"]:
            return people.filter(team=data["team"]) if data["team"] else people
        chosen = Person.objects.none()
        if data["person"]:
            chosen |= people.filter(pk__in=data["person"])
        if data["emails"]:
            chosen |= people.filter(email__in=data["emails"])
        if data["team"]:
            chosen |= people.filter(team=data["team"])
        return chosen


class InvitationPasswordForm(SetPasswordForm):
    """The password an invited person chooses, checked by every configured validator against
    their future login (unsaved); `invitation_accept` writes it, not this form's `save`."""


class ResetForm(PasswordResetForm):
    """Django's reset form, matching the address as sign-in does and mailing through the outbox.

    A mail is queued only for an active login with a password of its own (one that signs in by
    single sign-on has none to reset); when password sign-in is off, only for admins, who keep it.
    Each address gets at most `PASSWORD_RESET_MAILS_PER_HOUR` mails an hour, so the form cannot
    be used to flood someone's inbox. None of this shows in the response, which is the same
    whatever the address.
    """

    # Read as sign-in reads it: "ＥＶＥ@Example.com" is Eve's address, not a malformed one.
    email = forms.CharField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mail_ids: list[int] = []

    def clean_email(self):
        address = canonical_email(self.cleaned_data["email"])
        validate_email(address)
        return address

    def get_users(self, email):
        users = get_user_model().objects.filter(email=canonical_email(email), is_active=True)
        if not getattr(settings, "PASSWORD_SIGN_IN", True):
            users = users.filter(is_superuser=True)
        return (user for user in users.order_by("pk") if user.has_usable_password())

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        since = timezone.now() - datetime.timedelta(hours=1)
        recent = OutgoingMail.objects.filter(
            kind=OutgoingMail.Kind.PASSWORD_RESET, to=to_email, created_at__gte=since
        )
        if recent.count() >= settings.PASSWORD_RESET_MAILS_PER_HOUR:
            return
        link = site_link(
            reverse(
                "password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        context = {**context, "hours": hours, "site_url": settings.SITE_URL}
        mail = mail_queue(
            key=f"password-reset:{context['user'].pk}:{timezone.now().isoformat()}",
            kind=OutgoingMail.Kind.PASSWORD_RESET,
            to=to_email,
            subject=render_to_string(subject_template_name, context),
            body=render_to_string(email_template_name, {**context, "link": link}),
            body_after_send=render_to_string(
                email_template_name, {**context, "link": LINK_REMOVED}
            ),
            send=False,
        )
        if mail is not None:
            self.mail_ids.append(mail.pk)
