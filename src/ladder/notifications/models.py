"""Mail waiting to go out, and mail that went: an outbox written in the same transaction as the
change it tells of, so a change is never told twice nor lost when the mail server is down."""

from django.db import models
from django.utils import timezone


class OutgoingMailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)

    def failed(self):
        return self.pending().filter(attempts__gt=0)


class OutgoingMail(models.Model):
    class Kind(models.TextChoices):
        CYCLE_OPENED = "cycle_opened", "Review cycle opened"
        REMINDER = "reminder", "Reminder"
        ASSESSMENT_SHARED = "assessment_shared", "Assessment shared"
        CASE_DECIDED = "case_decided", "Promotion case decided"
        INVITATION = "invitation", "Invitation"
        PASSWORD_RESET = "password_reset", "Password reset"
        READINESS_CHANGED = "readiness_changed", "Readiness changed by a ladder version"

    # What the mail is about, spelled so that the same news always has the same key: queueing
    # it again finds the row already there, so no one is told twice.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # A mail carrying a secret (an invitation's or a password reset's link) keeps it only until
    # it is sent: then this text replaces the body, so the outbox holds no usable link.
    body_after_send = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "outgoing mail"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}: {self.subject}"
