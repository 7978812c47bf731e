"""Recording audit events: every service that changes people, levels, roles or ladders calls
`audit_record` inside its own transaction, so a change and its record land together."""

from __future__ import annotations

from django.db import models

from .models import AuditEvent

COMMAND_LINE = "command line"


def _actor(by) -> tuple[object, str]:
    if by is None or not getattr(by, "is_authenticated", False):
        return None, COMMAND_LINE
    return by, by.get_username()


def audit_event(
    *, by, action: str, target: models.Model, before: dict | None, after: dict | None
) -> AuditEvent:
    """An unsaved event, for callers that record many at once with `audit_record_many`."""
    actor, label = _actor(by)
    return AuditEvent(
        actor=actor,
        actor_label=label,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        before=before,
        after=after,
    )


def audit_record(
    *, by, action: str, target: models.Model, before: dict | None, after: dict | None
) -> AuditEvent:
    event = audit_event(by=by, action=action, target=target, before=before, after=after)
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=1000)
