"""The filters and orders of the people directory and the reports page: which people they list,
read from the stored readiness in SQL (people_readiness.py)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet

from ladder.people.forms import DirectoryFilter
from ladder.people.models import Team

from . import people_readiness as stored
from .selectors import ReportFilters

# Each sort and its two directions, as the "Sort by" menu names them.
SORT_WORDS = {
    "name": ("Name, A to Z", "Name, Z to A"),
    "level": ("Level, lowest first", "Level, highest first"),
    "time": ("Time in level, shortest first", "Time in level, longest first"),
    "verdict": ("Readiness, closest to promotion first", "Readiness, furthest first"),
    "assessed": ("Last assessed, longest ago first", "Last assessed, most recent first"),
}
VERDICT_FILTER = [("", "All verdicts"), *stored.VERDICT_CHOICES]
# A bound no one reaches (100 years), so a typo of many digits is an error, not a date error.
MAX_MONTHS = 1200


def parse_sort(value: str) -> tuple[str, bool]:
    """("verdict", True) from "-verdict"."""
    return value.removeprefix("-"), value.startswith("-")


class DirectoryReadinessFilter(DirectoryFilter):
    """The directory's filters: the people ones (name, team, level, track, new), then readiness,
    time in level and the last assessment, and the order."""

    verdict = forms.ChoiceField(label="Readiness", required=False, choices=VERDICT_FILTER)
    min_months = forms.IntegerField(
        label="In level at least (months)", required=False, min_value=0, max_value=MAX_MONTHS
    )
    max_months = forms.IntegerField(
        label="In level at most (months)", required=False, min_value=0, max_value=MAX_MONTHS
    )
    assessed_before = forms.DateField(
        label="Last assessed before",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    never_assessed = forms.BooleanField(label="Never assessed", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            (f"{'-' if down else ''}{key}", words[down])
            for key, words in SORT_WORDS.items()
            for down in (False, True)
        ],
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_months"), data.get("max_months")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(
                f"The least time in level ({low} months) is more than the most ({high} months)."
            )
        if data.get("assessed_before") and data.get("never_assessed"):
            raise forms.ValidationError(
                "Choose people last assessed before a day, or people never assessed, not both."
            )
        return data

    def order(self) -> tuple[str, bool]:
        """The sort asked for, by name when none is (or the form is not valid)."""
        value = self.cleaned_data.get("sort") if self.is_bound and self.is_valid() else ""
        return parse_sort(value or "name")

    def people(self, visible: QuerySet, today: datetime.date) -> QuerySet:
        """The people the directory lists, in order; call on a valid form."""
        people = stored.with_readiness(self.apply(visible), today)
        data = self.cleaned_data if self.is_bound else {}
        if data.get("verdict"):
            people = stored.with_verdict(people, data["verdict"])
        people = stored.in_level_for(
            people, today, at_least=data.get("min_months"), at_most=data.get("max_months")
        )
        if data.get("assessed_before"):
            people = stored.assessed_before(people, data["assessed_before"])
        if data.get("never_assessed"):
            people = stored.never_assessed(people)
        return stored.ordered(people.select_related("team", "manager"), *self.order())


class ReportsFilter(forms.Form):
    """The reports page's filters; the order is the column headings' (`sort`, kept as it is)."""

    verdict = forms.ChoiceField(label="Readiness", required=False, choices=VERDICT_FILTER)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, to_field_name="slug", empty_label="All teams"
    )
    direct = forms.BooleanField(label="Direct reports only", required=False)
    stale = forms.BooleanField(label="Stale assessments only", required=False)

    def __init__(self, *args, reports: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = (
            Team.objects.filter(members__in=reports).distinct().order_by("name")
        )

    def filters(self) -> ReportFilters:
        """What to list; call on a valid form."""
        data = self.cleaned_data
        return ReportFilters(
            verdict=data["verdict"],
            direct=data["direct"],
            team=data["team"],
            stale=data["stale"],
        )
