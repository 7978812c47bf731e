"""The forms of the token pages. They check the shape of what was typed; the token services
decide the rules (who may have which scope, how long a token may last)."""

from __future__ import annotations

from django import forms

from .models import Scope
from .tokens import DEFAULT_DAYS, MAX_DAYS

SCOPE_LABELS = {
    Scope.READ: "read: look things up",
    Scope.WRITE: "write: make changes",
    Scope.ADMIN: "admin: use admin rights",
}


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, so that you know which to revoke: “HR sync”, “my laptop”.",
        error_messages={"required": "Give the token a name."},
    )
    scopes = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        error_messages={
            "required": "Choose at least one scope: read or write.",
            "invalid_choice": "“%(value)s” is no scope this token may have.",
        },
    )
    days = forms.IntegerField(
        label="Expires in (days)",
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        # A text box styled as every other on the site; the field still checks the range.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=f"From 1 to {MAX_DAYS} days; {DEFAULT_DAYS} unless you choose.",
        error_messages={
            "required": "Give the days until it expires.",
            "invalid": "Give the days until it expires as a whole number.",
            "min_value": f"A token lasts from 1 to {MAX_DAYS} days.",
            "max_value": f"A token lasts from 1 to {MAX_DAYS} days.",
        },
    )

    def __init__(self, *args, admin_scope: bool, **kwargs):
        """`admin_scope`: whether the owner is an admin, so that the admin scope is offered."""
        super().__init__(*args, **kwargs)
        offered = [scope for scope in Scope if admin_scope or scope != Scope.ADMIN]
        self.fields["scopes"].choices = [(scope.value, SCOPE_LABELS[scope]) for scope in offered]
        if admin_scope:
            self.fields["scopes"].error_messages["required"] = (
                "Choose at least one scope: read, write or admin."
            )


class ServiceAccountForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="The system that will use it: “HR system”, “Slack reminders”.",
        error_messages={"required": "Give the service account a name."},
    )
    admin = forms.TypedChoiceField(
        label="Admin rights",
        choices=[
            ("no", "No: it reads the ladders, and nothing about people"),
            ("yes", "Yes: it may see and do what an admin may"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": "Choose whether it has admin rights."},
    )
