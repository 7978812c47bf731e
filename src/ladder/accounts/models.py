"""Invitations: a link by mail with which a person without a login sets their password."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from ladder.people.models import Person


def token_digest(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256. The token itself is only in the mail,
    so reading the database gives no working link."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Invitation(models.Model):
    """The one open invitation of a person. Inviting again replaces its token, so only the newest
    link works; accepting it stamps `accepted_at`, so it works once."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="invitation")
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation of {self.person}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())
