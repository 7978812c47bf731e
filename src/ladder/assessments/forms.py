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
    happened_on = forms.DateField(label="When", widget=forms.DateInput(attrs={"type": "date"}))
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


class GrowthItemForm(forms.ModelForm):
    class Meta:
        model = GrowthItem
        fields = ["owner", "due", "state"]
        widgets = {"due": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
