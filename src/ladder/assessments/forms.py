"""Forms of the assessment, evidence and growth-plan pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.utils.functional import cached_property

from ladder.frameworks.models import Criterion

from .models import Assessment, GrowthItem
from .services import CriterionInput


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


# -- the assessment form ---------------------------------------------------------------------


def _whole_number(value: str) -> int | None:
    """An integer typed in ASCII digits, or None when left blank.

    Python's int() also reads digits of other scripts ("٣" is 3); a form that never offers
    them takes none.
    """
    if value is None or value.strip() == "":
        return None
    try:
        if not value.isascii():
            raise ValueError(value)
        return int(value)
    except ValueError:
        raise ValidationError("Not a number.", code="not_a_number") from None


class WholeNumberField(forms.Field):
    def to_python(self, value):
        return _whole_number(value)


class WholeNumbersField(forms.Field):
    """Every value sent under one name (checkboxes), each a whole number; blanks are dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        numbers = [_whole_number(item) for item in value or []]
        return [number for number in numbers if number is not None]


class TypedText(forms.CharField):
    """Text exactly as typed. What no column can hold (a NUL) is refused by the service, which
    names where it was typed, rather than by the field."""

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class _SuffixedForm(forms.Form):
    """Names its inputs "<field>-<row>" ("rating-0", "status-12"), as the page has always
    named them, rather than Django's "<prefix>-<field>"."""

    def add_prefix(self, field_name):
        return f"{field_name}-{self.prefix}"


class RatingForm(_SuffixedForm):
    rating = WholeNumberField(required=False)


class CriterionForm(_SuffixedForm):
    status = TypedText()
    comment = TypedText()
    evidence = WholeNumbersField(required=False)


class RowFormSet(forms.BaseFormSet):
    """One form per row the assessment already has, keyed by the row (a rating's position, a
    criterion's id). The rows come from the assessment, never from the request, so the page
    sends no management form and no count of its own."""

    def __init__(self, data=None, *, rows, **kwargs):
        self.rows = list(rows)
        super().__init__(data, **kwargs)
        self.absolute_max = max(self.absolute_max, len(self.rows))

    def total_form_count(self):
        return len(self.rows)

    def initial_form_count(self):
        return len(self.rows)

    def add_prefix(self, index):
        return str(self.rows[index]) if isinstance(index, int) else super().add_prefix(index)

    @cached_property
    def management_form(self):
        count = len(self.rows)
        counts = {
            TOTAL_FORM_COUNT: count,
            INITIAL_FORM_COUNT: count,
            MIN_NUM_FORM_COUNT: 0,
            MAX_NUM_FORM_COUNT: count,
        }
        form = ManagementForm(
            {f"{self.prefix}-{name}": value for name, value in counts.items()}, prefix=self.prefix
        )
        form.full_clean()
        return form


RatingFormSet = forms.formset_factory(RatingForm, formset=RowFormSet, extra=0)
CriterionFormSet = forms.formset_factory(CriterionForm, formset=RowFormSet, extra=0)


class AssessmentAnswersForm(forms.Form):
    """A draft's answers as the page sends them: the revision it was loaded at, the summary, a
    rating per dimension (formset `ratings`) and status, comment and evidence per criterion
    (formset `criteria`). Only numbers can be malformed; everything else is the service's to
    judge, so that a refused save keeps exactly what was typed."""

    revision = WholeNumberField(required=False)
    summary = TypedText()

    def __init__(self, data, *, assessment: Assessment, **kwargs):
        super().__init__(data, **kwargs)
        self.dimensions = [r.dimension for r in assessment.ratings.all()]
        self.criterion_ids = [c.criterion_id for c in assessment.criteria.all()]
        positions = [r.position for r in assessment.ratings.all()]
        self.ratings = RatingFormSet(data, rows=positions, prefix="ratings")
        self.criteria = CriterionFormSet(data, rows=self.criterion_ids, prefix="criteria")

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.ratings.is_valid(), self.criteria.is_valid()])

    def answers(self) -> dict:
        """The keyword arguments of `services.assessment_save`, but for author and assessment."""
        return {
            "revision": self.cleaned_data["revision"] or 0,
            "summary": self.cleaned_data["summary"],
            "ratings": {
                dimension: form.cleaned_data["rating"]
                for dimension, form in zip(self.dimensions, self.ratings, strict=True)
            },
            "criteria": {
                pk: CriterionInput(
                    status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"],
                    evidence_ids=form.cleaned_data["evidence"],
                )
                for pk, form in zip(self.criterion_ids, self.criteria, strict=True)
            },
        }


class ConfirmSubmitForm(forms.Form):
    """The second step of submitting: the revision of the draft the author was shown."""

    revision = WholeNumberField()
