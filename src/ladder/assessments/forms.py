from django import forms

from ladder.frameworks.models import Criterion

from .models import GrowthItem


class StartAssessmentForm(forms.Form):
    level = forms.ChoiceField(label="Against level")

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in levels}
        self.fields["level"].choices = [
            (pk, f"{level.code} {level.title}") for pk, level in self.levels.items()
        ]

    def clean_level(self):
        return self.levels[self.cleaned_data["level"]]


class EvidenceForm(forms.Form):
    happened_on = forms.DateField(
        label="When", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    text = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}))
    link = forms.URLField(
        label="Link (optional)", required=False, max_length=500, assume_scheme="https"
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=Criterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Criteria it supports",
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = criteria
        self.fields["criteria"].label_from_instance = lambda c: f"{c.level.code}: {c.text}"


class GrowthItemForm(forms.Form):
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    due = forms.DateField(
        required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    state = forms.ChoiceField(choices=GrowthItem.State.choices)

    def __init__(self, *args, item: GrowthItem, owners: dict[int, object], **kwargs):
        # `owners` is read once for all the plan's item forms, rather than a query per form.
        initial = {"owner": item.owner_id, "due": item.due, "state": item.state}
        super().__init__(*args, initial=initial, **kwargs)
        self.owners = owners
        self.fields["owner"].choices = [
            ("", "No owner"),
            *((pk, p.name) for pk, p in owners.items()),
        ]

    def clean_owner(self):
        pk = self.cleaned_data["owner"]
        return self.owners[pk] if pk is not None else None
