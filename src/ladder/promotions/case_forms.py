"""Forms of the promotion case pages: opening and editing a case, a skip-level note, the decision,
and the filters of the case list."""

from __future__ import annotations

from django import forms

from ladder.assessments.readiness import Readiness, Verdict, format_date

from .models import CaseNote, PromotionCase, ReviewCycle

State = PromotionCase.State
TEXT = {"rows": 6, "cols": 80}


def describe_fields(form: forms.Form) -> None:
    """Point each field that has help at it, for screen readers: the templates show a field's
    help in an element with the id "<the field's id>-help"."""
    for name, field in form.fields.items():
        if field.help_text:
            field.widget.attrs["aria-describedby"] = f"{form.auto_id % name}-help"


def verdict_words(readiness: Readiness) -> str:
    """A verdict in a few words, for a choice among levels."""
    if readiness.verdict == Verdict.READY:
        return "ready"
    if readiness.verdict == Verdict.ELIGIBLE_FROM:
        return f"eligible from {format_date(readiness.eligible_from)}"
    if readiness.verdict == Verdict.NOT_ASSESSED:
        return "not assessed yet"
    count = len(readiness.gaps)
    return f"not yet ready, {count} {'gap' if count == 1 else 'gaps'}"


class CaseForm(forms.Form):
    """Open a case (with `cycles`) or edit a draft (without). `levels` are the person's next
    levels, `readiness` each one's verdict by level pk: the justification is required where the
    person is not ready, and the form marks it required when no next level is ready."""

    to_level = forms.ChoiceField(label="Promote to")
    recommendation = forms.CharField(
        label="Recommendation",
        help_text="Why this person should be promoted now, in your words.",
        widget=forms.Textarea(attrs=TEXT),
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    cycle = forms.ChoiceField(label="Review cycle", required=False)

    OFF_CYCLE = "off"

    def __init__(
        self,
        *args,
        levels: list,
        readiness: dict[int, Readiness],
        cycles: list[ReviewCycle] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in levels}
        self.fields["to_level"].choices = [
            (pk, f"{level.code} {level.title}: {verdict_words(readiness[level.pk])}")
            for pk, level in self.levels.items()
        ]
        ready = [pk for pk, r in readiness.items() if r.verdict == Verdict.READY]
        field = self.fields["justification"]
        if not ready:
            field.required = True
            field.help_text = (
                "Required: the person is not ready by the ladder's rules. Say why you recommend "
                "the promotion anyway; the packet shows the unmet reasons beside it."
            )
        else:
            field.help_text = (
                "Required for a level the person is not ready for: say why promote anyway."
            )
        if cycles:
            # Someone in a running cycle may still be promoted off-cycle, but only when chosen:
            # the running cycle comes first and is the one chosen until then.
            self.cycles = {str(cycle.pk): cycle for cycle in cycles}
            field = self.fields["cycle"]
            field.choices = [
                *((pk, c.name) for pk, c in self.cycles.items()),
                (self.OFF_CYCLE, "Off-cycle (decided by an admin, effective on a date given then)"),
            ]
            field.initial = next(iter(self.cycles))
            field.required = True
            field.help_text = (
                "A cycle's committee decides the case, effective on the cycle's date; an admin "
                "decides an off-cycle case."
            )
        else:
            del self.fields["cycle"]
        describe_fields(self)

    def clean_to_level(self):
        return self.levels[self.cleaned_data["to_level"]]

    def clean_cycle(self):
        return self.cycles.get(self.cleaned_data["cycle"])

    def clean(self):
        cleaned = super().clean()
        if "cycle" in self.fields and "cycle" in cleaned:
            # What case_open() is told: off-cycle, said in so many words, or the cycle chosen.
            cleaned["off_cycle"] = cleaned["cycle"] is None
        return cleaned


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Note", choices=CaseNote.Kind.choices, widget=forms.RadioSelect, initial="endorsement"
    )
    text = forms.CharField(
        label="Text",
        required=False,
        help_text="Optional for an endorsement; a comment says something.",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_fields(self)


OUTCOMES = [(State.APPROVED, "Approve"), (State.DECLINED, "Decline"), (State.DEFERRED, "Defer")]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision", choices=OUTCOMES, widget=forms.RadioSelect)
    feedback = forms.CharField(
        label="Feedback",
        help_text="The person and their manager read it. If the case is declined, each line "
        "becomes an item of the person's growth plan for the same level.",
        widget=forms.Textarea(attrs=TEXT),
    )
    effective_on = forms.DateField(
        label="Takes effect on",
        required=False,
        help_text="For an approval: the day the new level starts.",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, case: PromotionCase, **kwargs):
        super().__init__(*args, **kwargs)
        if case.cycle_id is not None:
            # A cycle's decisions all take effect on its one date.
            del self.fields["effective_on"]
        describe_fields(self)


class CaseFilter(forms.Form):
    OFF_CYCLE = "off"

    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any state"), *State.choices]
    )
    cycle = forms.ChoiceField(label="Cycle", required=False)

    def __init__(self, *args, cycles: list[ReviewCycle], **kwargs):
        super().__init__(*args, **kwargs)
        self.cycles = {str(cycle.pk): cycle for cycle in cycles}
        self.fields["cycle"].choices = [
            ("", "Any cycle"),
            (self.OFF_CYCLE, "Off-cycle"),
            *((str(c.pk), c.name) for c in cycles),
        ]

    def chosen_cycle(self) -> ReviewCycle | None:
        """The one cycle the list is filtered to, if it is."""
        return self.cycles.get(self.cleaned_data["cycle"]) if self.is_valid() else None

    def apply(self, cases):
        if not self.is_valid():
            return cases
        if state := self.cleaned_data["state"]:
            cases = cases.filter(state=state)
        cycle = self.cleaned_data["cycle"]
        if cycle == self.OFF_CYCLE:
            cases = cases.filter(cycle__isnull=True)
        elif cycle:
            cases = cases.filter(cycle_id=int(cycle))
        return cases
