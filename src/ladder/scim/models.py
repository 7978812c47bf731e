"""What SCIM provisioning keeps beside people and teams: the tokens an identity provider signs
its requests with, and the attributes it sent that a person or a team has no column for."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def token_digest(token: str) -> str:
    """The stored form of a token. A token is 256 random bits, so a plain SHA-256 is as hard to
    reverse as the token is to guess; a slow password hash would only slow every request."""
    return hashlib.sha256(token.encode()).hexdigest()


class ScimTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token for the SCIM API. Only its digest is stored: the token is shown once."""

    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The admin who made it (none from the command line): what the token changes is recorded
    # in the audit log as done by them.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"SCIM token {self.name}"


class ScimUser(models.Model):
    """A person as the identity provider knows them.

    A person without one is still a SCIM user (their userName is their email), so people who
    came from the CSV import are found by an identity provider's first `userName eq` query.
    """

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="scim")
    # In canonical_email's spelling, as sign-in compares addresses: usually the address, but
    # Entra ID sends the user principal name, which may differ from the mail address.
    user_name = models.CharField(max_length=254, unique=True)
    external_id = models.CharField(max_length=254, blank=True)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    email_type = models.CharField(max_length=20, blank=True)
    email_primary = models.BooleanField(null=True, blank=True)
    # False when the identity provider says the person has left; their login, if any, is
    # switched off with it.
    active = models.BooleanField(default=True)
    # Deleted through SCIM: gone from the API, kept (inactive) in Ladder with their history.
    deprovisioned = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A team as the identity provider knows it."""

    team = models.OneToOneField("people.Team", on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.team)
