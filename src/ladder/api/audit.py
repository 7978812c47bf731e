"""API: the audit log, for admins only, newest first, with the filters of the audit page."""

# No `from __future__ import annotations` here: @paginate reads the operation's annotations
# again in ninja's own module, where a name such as AuditFilters would mean nothing.
import datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate

from ladder.audit.models import AuditEvent
from ladder.audit.views import AuditFilter
from ladder.roles import require_admin

from .pagination import Cursor
from .schemas import Day

router = Router(tags=["audit"])

# The days a filter may name: a day's start and the next day's are times in any time zone
# (date.min and date.max have no day on one side).
FIRST_DAY = datetime.date.min + datetime.timedelta(days=1)
LAST_DAY = datetime.date.max - datetime.timedelta(days=1)


class AuditEventOut(Schema):
    """One recorded change: who, what, when, and the values before and after."""

    id: int
    at: datetime.datetime
    actor: str = Field(
        description="Who made the change, as they were named then; “command line” for the CLI."
    )
    action: str = Field(description="What was done, such as `level.assigned`.")
    target_type: str = Field(description="The kind of thing changed: person, team, ladder…")
    target_id: str
    target_label: str = Field(description="The thing changed, as it was named then.")
    before: dict[str, Any] | None = Field(description="The values before; null for a creation.")
    after: dict[str, Any] | None = Field(description="The values after; null for a removal.")

    @staticmethod
    def resolve_actor(event: AuditEvent) -> str:
        return event.actor_label


class AuditFilters(Schema):
    """The audit page's filters; every one given must hold."""

    action: str | None = Field(
        None,
        max_length=50,
        description="An action, or its first part: `level` is every `level.*` action.",
    )
    target_type: str | None = Field(
        None, max_length=50, description="The kind of thing changed: person, team, ladder…"
    )
    actor: str | None = Field(None, max_length=254, description="Part of who made the change.")
    q: str | None = Field(None, max_length=200, description="Part of the thing changed's name.")
    since: Day | None = Field(
        None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Events from the start of this day, in the site's time zone.",
    )
    until: Day | None = Field(
        None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Events up to the end of this day, in the site's time zone.",
    )


def _filtered(filters: AuditFilters):
    """The events the filters give, through the audit page's own form, so that a filter means
    the same on the page and here; a value the form refuses is a 422 naming it."""
    form = AuditFilter({name: value for name, value in filters.dict().items() if value is not None})
    if not form.is_valid():
        raise ValidationError(
            [
                {"loc": ("query", field), "msg": message}
                for field, messages in form.errors.items()
                for message in messages
            ]
        )
    return form.apply(AuditEvent.objects.all())


@router.get("/", response=list[AuditEventOut], summary="List audit events")
@paginate(Cursor, ordering=("-at", "-id"))
def audit_list(request, filters: Query[AuditFilters]):
    """Every recorded change, newest first, filtered as on the audit page: by action (or its
    first part), kind of thing changed, who made it, the thing's name and a range of days.
    For admins only (a token with the `admin` scope); anyone else gets a 404."""
    require_admin(request.user)
    return _filtered(filters)
