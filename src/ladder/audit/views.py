"""The audit log page: newest first, a page at a time by keyset, so a page costs the same
however long the log has grown."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ladder.roles import require_admin

from .models import AuditEvent

PER_PAGE = 50


@dataclass(frozen=True)
class Cursor:
    """Where a page of the log starts or ends: an event's time and key, which order the log
    (two events may share a time; never a key)."""

    at: datetime.datetime
    pk: int

    @classmethod
    def of(cls, event: AuditEvent) -> Cursor:
        return cls(event.at, event.pk)

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """From "MICROSECONDS_KEY", microseconds since 1970 in UTC, as `str` writes it."""
        microseconds, _, pk = text.partition("_")
        if not (
            microseconds.isascii() and microseconds.isdigit() and pk.isascii() and pk.isdigit()
        ):
            raise forms.ValidationError(
                "This is not a place in the log: follow the Older and Newer links instead."
            )
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        try:
            at = epoch + datetime.timedelta(microseconds=int(microseconds))
        except OverflowError:
            raise forms.ValidationError("This place in the log is past any date.") from None
        return cls(at, int(pk))

    def __str__(self) -> str:
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        return f"{(self.at - epoch) // datetime.timedelta(microseconds=1)}_{self.pk}"


class CursorField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return Cursor.parse(value) if value else None


# The days a filter may name: the range runs from the start of one day to the start of the day
# after the other, in the site's time zone, which the first and last days of the calendar
# would carry out of what a date can hold.
FIRST_DAY = datetime.date.min + datetime.timedelta(days=1)
LAST_DAY = datetime.date.max - datetime.timedelta(days=1)
DAY_BOUNDS = [
    MinValueValidator(FIRST_DAY, message="Give a day after 0001-01-01."),
    MaxValueValidator(LAST_DAY, message="Give a day before 9999-12-31."),
]


class AuditFilter(forms.Form):
    # Typed, not chosen from a list: the list of every action ever recorded would be a scan of
    # the whole log on every page. Each action in the table links to its filter.
    action = forms.CharField(
        required=False,
        max_length=50,
        help_text="An action, or its first part: “level” is every level change.",
    )
    target_type = forms.CharField(
        required=False, label="Kind", max_length=50, help_text="person, team, ladder…"
    )
    actor = forms.CharField(required=False, label="Who", max_length=254)
    q = forms.CharField(required=False, label="What", max_length=200)
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=DAY_BOUNDS,
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=DAY_BOUNDS,
    )
    # Where the page is: events older than `before`, or newer than `after`. Set by the links.
    before = CursorField(required=False, max_length=60, widget=forms.HiddenInput)
    after = CursorField(required=False, max_length=60, widget=forms.HiddenInput)

    CURSORS = ("before", "after")

    def clean(self):
        data = super().clean()
        if data.get("before") and data.get("after"):
            raise forms.ValidationError(
                "Ask for events older than one, or newer than one, not both."
            )
        return data

    def apply(self, events):
        """The events the filters give, in any order; call on a valid form."""
        data = self.cleaned_data if self.is_bound else {}
        if action := data.get("action", "").strip().lower():
            # "level" and "level." both mean every level.* action; "level.assigned" itself.
            group = action.rstrip(".")
            events = events.filter(Q(action=group) | Q(action__startswith=f"{group}."))
        if kind := data.get("target_type", "").strip().lower():
            events = events.filter(target_type=kind)
        if data.get("actor"):
            events = events.filter(actor_label__icontains=data["actor"])
        if data.get("q"):
            events = events.filter(target_label__icontains=data["q"])
        # From the start of one day to the start of the day after the other, in the site's
        # time zone: a range over the indexed column, not a date worked out per row.
        if data.get("since"):
            events = events.filter(at__gte=_start_of(data["since"]))
        if data.get("until"):
            events = events.filter(at__lt=_start_of(data["until"] + datetime.timedelta(days=1)))
        return events


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class LogPage:
    events: list[AuditEvent]
    older: Cursor | None  # the last event shown, when older ones follow
    newer: Cursor | None  # the first event shown, when newer ones precede


def log_page(events, *, before: Cursor | None, after: Cursor | None) -> LogPage:
    """A page of `events`, newest first: the newest, or those just older than `before`, or
    just newer than `after`. One query of at most PER_PAGE + 1 rows along the (at, id) order,
    whatever the length of the log: no OFFSET to skip, no count of the whole log. The bound is
    written as a range on `at` (which its index serves) less the events at that very time on the
    wrong side of the key, rather than as an OR that SQLite's planner would scan the log for."""
    if after is not None:
        rows = list(
            events.filter(at__gte=after.at)
            .exclude(at=after.at, pk__lte=after.pk)
            .order_by("at", "pk")[: PER_PAGE + 1]
        )
        if len(rows) > PER_PAGE:
            rows = rows[:PER_PAGE][::-1]
            # Came from an older page: the event `after` names (if still there) is older.
            return LogPage(rows, older=Cursor.of(rows[-1]), newer=Cursor.of(rows[0]))
        # Back at the top: the newest page, whole, rather than the few events left above.
        before = None
    if before is not None:
        events = events.filter(at__lte=before.at).exclude(at=before.at, pk__gte=before.pk)
    rows = list(events.order_by("-at", "-pk")[: PER_PAGE + 1])
    more_older, rows = len(rows) > PER_PAGE, rows[:PER_PAGE]
    return LogPage(
        rows,
        older=Cursor.of(rows[-1]) if more_older else None,
        newer=Cursor.of(rows[0]) if rows and before is not None else None,
    )


@login_required
@require_safe
def audit_log(request):
    require_admin(request.user)
    form = AuditFilter(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    page = (
        log_page(
            form.apply(AuditEvent.objects.all()), before=data.get("before"), after=data.get("after")
        )
        if valid
        else LogPage([], None, None)
    )
    query = request.GET.copy()
    for param in AuditFilter.CURSORS:
        query.pop(param, None)
    context = {
        "form": form,
        "events": page.events,
        "older": page.older,
        "newer": page.newer,
        "at_newest": valid and not data.get("before") and not data.get("after"),
        "query": query.urlencode(),
    }
    return render(request, "audit/log.html", context, status=200 if valid else 400)
