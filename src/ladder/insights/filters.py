"""The filters every insights page shares: team, track, manager subtree and level.

The form never lists people: a manager is named by their email address, a team by its name
(the page offers the names of the teams in view as suggestions, at most TEAM_SUGGESTIONS of
them), and tracks and levels come from the latest version of each ladder in use. Its choices
take two queries however large the organisation, and a third when a manager or team is named.

A value that names nothing (an unknown team, an address of no one in view) is a form error with
a message saying so; pages show it instead of numbers, and a CSV download answers 400 with it.
"""

from __future__ import annotations

from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery

from ladder.frameworks.models import LadderVersion, Level
from ladder.people.emails import canonical_email
from ladder.people.models import Person, Team

from .scope import Scope

# Teams offered as suggestions in the team box; an organisation with more types the name.
TEAM_SUGGESTIONS = 500
FIELDS = ("team", "track", "manager", "level")


def current_levels() -> QuerySet[Level]:
    """The levels of the latest version of every ladder in use, lowest first: one query."""
    latest = (
        LadderVersion.objects.filter(ladder=OuterRef("version__ladder"))
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        Level.objects.filter(version__ladder__retired_at__isnull=True)
        .filter(version__number=Subquery(latest))
        .order_by("number", "track", "code")
    )


class InsightsFilter(forms.Form):
    """Which people an insights page counts, within its scope.

    `q()` gives the filter as a `Q` over any model that leads to a person; `apply(people)`
    filters a Person queryset. Both need `is_valid()` to have passed."""

    team = forms.CharField(
        required=False,
        max_length=Team._meta.get_field("name").max_length,
        help_text="A team's name.",
    )
    track = forms.ChoiceField(required=False)
    manager = forms.CharField(
        label="Manager's email",
        required=False,
        max_length=Person._meta.get_field("email").max_length,
        help_text="Everyone below this manager.",
    )
    level = forms.ChoiceField(required=False)

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        # Only the filters' own keys: a page's other parameters (page, format) are not ours.
        if data is not None:
            data = {name: data.get(name, "") for name in FIELDS}
        super().__init__(data, **kwargs)
        self.scope = scope
        self.fields["team"].widget.attrs.update(list="insights-teams", autocomplete="off")
        self.fields["manager"].widget.attrs.update(
            inputmode="email", autocomplete="off", spellcheck="false"
        )
        # (code, title, track, number) of each level in use, lowest first.
        self.levels = list(current_levels().values_list("code", "title", "track", "number"))
        tracks = sorted({track for _, _, track, _ in self.levels})
        self.level_codes = list(dict.fromkeys(code for code, _, _, _ in self.levels))
        titles = {code: title for code, title, _, _ in self.levels}
        self.fields["track"].choices = [("", "All tracks"), *[(t, t) for t in tracks]]
        self.fields["level"].choices = [
            ("", "All levels"),
            *[(code, f"{code} · {titles[code]}") for code in self.level_codes],
        ]

    def team_suggestions(self) -> list[str]:
        """Names of the teams in view, for the team box's datalist: one query, bounded."""
        teams = Team.objects.all()
        if not self.scope.is_admin:
            teams = teams.filter(pk__in=self.scope.people.filter(team__isnull=False).values("team"))
        return list(teams.order_by("name").values_list("name", flat=True)[:TEAM_SUGGESTIONS])

    def clean_team(self) -> Team | None:
        name = self.cleaned_data["team"].strip()
        if not name:
            return None
        teams = Team.objects.filter(name__iexact=name)
        if not self.scope.is_admin:
            # A manager learns nothing of teams they see no one in, not even that one exists.
            teams = teams.filter(pk__in=self.scope.people.values("team"))
        team = teams.first()
        if team is None:
            raise forms.ValidationError(f"No team is called “{name}”.")
        return team

    def clean_manager(self) -> Person | None:
        address = self.cleaned_data["manager"].strip()
        if not address:
            return None
        manager = Person.objects.filter(email=canonical_email(address)).first()
        in_view = manager is not None and (
            self.scope.contains(manager) or manager == self.scope.manager
        )
        if not in_view:
            raise forms.ValidationError(f"No one in this view has the address “{address}”.")
        if not manager.has_reports():
            raise forms.ValidationError(f"No one reports to {manager.name} ({manager.email}).")
        return manager

    # -- the filter as queries ---------------------------------------------------------------

    def q(self, person: str = "", level: str | None = None) -> Q:
        """The filter as a `Q`: `person` is the path to Person ("" for Person itself,
        "person__" for a model with a person key); `level` the path to the level that the
        level and track filters test (by default the person's current level as stored with
        their standing)."""
        data = getattr(self, "cleaned_data", None) or {}
        if level is None:
            level = f"{person}stored_standing__current__"
        q = Q()
        if data.get("team"):
            q &= Q(**{f"{person}team": data["team"]})
        if data.get("manager"):
            manager = data["manager"]
            q &= Q(**{f"{person}path__startswith": manager.path}) & ~Q(
                **{f"{person}pk": manager.pk}
            )
        if data.get("track"):
            q &= Q(**{f"{level}track": data["track"]})
        if data.get("level"):
            q &= Q(**{f"{level}code": data["level"]})
        return q

    def apply(self, people: QuerySet[Person]) -> QuerySet[Person]:
        return people.filter(self.q())

    # -- the filter in words -----------------------------------------------------------------

    def chosen(self) -> list[tuple[str, str]]:
        """The filters in use, as (label, value) for a page's summary."""
        if not self.is_bound or not self.is_valid():
            return []
        data = self.cleaned_data
        shown = []
        if data.get("team"):
            shown.append(("Team", data["team"].name))
        if data.get("track"):
            shown.append(("Track", data["track"]))
        if data.get("manager"):
            shown.append(("Below", data["manager"].name))
        if data.get("level"):
            shown.append(("Level", data["level"]))
        return shown

    def error_text(self) -> str:
        """Every error as one line per field, for a CSV download's refusal."""
        return "\n".join(
            f"{self.fields[name].label or name.capitalize()}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        )
