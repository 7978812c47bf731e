"""Forms of the review cycle pages.

People and teams are named by typing (emails, team names), not picked from a list: an
organisation of ten thousand people and a thousand teams would make any select useless and the
page heavy. Each list is read in one query, and every name not found is said by name.
"""

from __future__ import annotations

import operator
import re
from functools import reduce

from django import forms
from django.db.models import Q

from ladder.frameworks.models import Ladder, Level
from ladder.people.emails import canonical_email
from ladder.people.models import Person, Team

from .models import ReviewCycle

# A pasted list of emails: one a line, or separated by commas, semicolons or spaces.
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")
# More than any committee or list of teams needs; a longer paste is a mistake.
MAX_NAMES = 200


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


def people_by_email(text: str) -> list[Person]:
    """The people a list of emails names, in its order; a ValidationError names the unknown."""
    emails = list(dict.fromkeys(canonical_email(e) for e in EMAIL_SEPARATORS.split(text) if e))
    if len(emails) > MAX_NAMES:
        raise forms.ValidationError(f"At most {MAX_NAMES} emails, please.")
    found = Person.objects.filter(email__in=emails).in_bulk(field_name="email")
    unknown = [email for email in emails if email not in found]
    if unknown:
        raise forms.ValidationError(f"No one has the email {', '.join(unknown)}.")
    return [found[email] for email in emails]


def teams_by_name(text: str) -> list[Team]:
    """The teams a list of names (one a line, in any case) names; the unknown are named."""
    names = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if not names:
        return []
    if len(names) > MAX_NAMES:
        raise forms.ValidationError(f"At most {MAX_NAMES} teams, please.")
    matching = reduce(operator.or_, (Q(name__iexact=name) for name in names))
    by_name = Team.objects.filter(matching).by_name()
    unknown = [name for name in names if name.lower() not in by_name]
    if unknown:
        raise forms.ValidationError(f"No team is named {', '.join(unknown)}.")
    return [by_name[name.lower()] for name in names]


class CycleForm(forms.Form):
    name = forms.CharField(max_length=ReviewCycle._meta.get_field("name").max_length)
    ladder = forms.ModelChoiceField(queryset=Ladder.objects.active(), empty_label=None)
    scope = forms.ChoiceField(
        label="Who is in it", choices=ReviewCycle.Scope.choices, widget=forms.RadioSelect
    )
    teams = forms.CharField(
        label="Teams (for chosen teams)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One team name a line.",
    )
    subtree_of = forms.CharField(
        label="Manager's email (for a manager's whole organisation)",
        required=False,
        max_length=254,
        help_text="The manager and everyone below them.",
    )
    self_due = _date_field("Self-assessments due")
    manager_due = _date_field("Manager assessments due")
    calibration_on = _date_field("Calibration")
    effective_on = _date_field("Decisions take effect")
    committee = forms.CharField(
        label="Committee",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Emails of the people who calibrate and decide, one a line.",
    )

    @classmethod
    def initial_of(cls, cycle: ReviewCycle) -> dict:
        return {
            "name": cycle.name,
            "ladder": cycle.ladder_id,
            "scope": cycle.scope,
            "teams": "\n".join(team.name for team in cycle.teams.all()),
            "subtree_of": cycle.subtree_of.email if cycle.subtree_of_id else "",
            "self_due": cycle.self_due,
            "manager_due": cycle.manager_due,
            "calibration_on": cycle.calibration_on,
            "effective_on": cycle.effective_on,
            "committee": "\n".join(person.email for person in cycle.committee.all()),
        }

    def clean_teams(self) -> list[Team]:
        return teams_by_name(self.cleaned_data["teams"])

    def clean_subtree_of(self) -> Person | None:
        email = self.cleaned_data["subtree_of"].strip()
        if not email:
            return None
        people = people_by_email(email)
        if len(people) != 1:
            raise forms.ValidationError("Give one manager's email.")
        return people[0]

    def clean_committee(self) -> list[Person]:
        return people_by_email(self.cleaned_data["committee"])


class CommitteeForm(forms.Form):
    """Once a cycle is open, only its committee may change."""

    committee = CycleForm.base_fields["committee"]

    def clean_committee(self) -> list[Person]:
        return people_by_email(self.cleaned_data["committee"])


class AddPersonForm(forms.Form):
    email = forms.CharField(label="Email of the person to add", max_length=254)

    def clean_email(self) -> Person:
        people = people_by_email(self.cleaned_data["email"])
        if len(people) != 1:
            raise forms.ValidationError("Give one person's email.")
        return people[0]


class TargetForm(forms.Form):
    level = forms.IntegerField(min_value=1)

    def clean_level(self) -> Level:
        level = Level.objects.filter(pk=self.cleaned_data["level"]).first()
        if level is None:
            raise forms.ValidationError("Choose one of the levels offered.")
        return level


class ProgressFilter(forms.Form):
    """The progress page's filters, as GET parameters: a team by name, a manager by email.

    A manager who sees part of a cycle finds only teams and people of their part: the answer
    "no one has that email" tells nothing of the rest of the organisation.
    """

    team = forms.CharField(label="Team", required=False, max_length=100)
    manager = forms.CharField(label="Manager's email", required=False, max_length=254)

    def __init__(self, *args, within: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.all()
        self.people = people if within is None else people.filter(path__startswith=within.path)

    def clean_team(self) -> Team | None:
        name = self.cleaned_data["team"].strip()
        if not name:
            return None
        team = Team.objects.filter(name__iexact=name, members__in=self.people).first()
        if team is None:
            raise forms.ValidationError(f"No team is named {name}.")
        return team

    def clean_manager(self) -> Person | None:
        email = self.cleaned_data["manager"].strip()
        if not email:
            return None
        person = self.people.filter(email=canonical_email(email)).first()
        if person is None:
            raise forms.ValidationError(f"No one has the email {email}.")
        return person

    def apply(self, members):
        """The members the filters keep: a team's members, and everyone below a manager."""
        data = self.cleaned_data
        if data.get("team"):
            members = members.filter(person__team=data["team"])
        if data.get("manager"):
            manager = data["manager"]
            members = members.filter(person__path__startswith=manager.path).exclude(person=manager)
        return members
