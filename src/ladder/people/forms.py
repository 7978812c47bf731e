from django import forms

from ladder.frameworks.models import Ladder, Level

from .models import Team


class DirectoryFilter(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, to_field_name="slug", empty_label="All teams"
    )
    level = forms.ChoiceField(required=False)
    track = forms.ChoiceField(required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(members__in=people).distinct()
        current = Level.objects.filter(
            pk__in=people.filter(level_history__end__isnull=True).values("level_history__level")
        )
        codes = sorted(set(current.values_list("code", flat=True)))
        tracks = sorted(set(current.values_list("track", flat=True)))
        self.fields["level"].choices = [("", "All levels"), *[(c, c) for c in codes]]
        self.fields["track"].choices = [("", "All tracks"), *[(t, t) for t in tracks]]

    def apply(self, people):
        if not self.is_bound or not self.is_valid():
            return people
        data = self.cleaned_data
        if data["q"]:
            people = people.filter(name__icontains=data["q"])
        if data["team"]:
            people = people.filter(team=data["team"])
        if data["level"]:
            people = people.filter(
                level_history__end__isnull=True, level_history__level__code=data["level"]
            )
        if data["track"]:
            people = people.filter(
                level_history__end__isnull=True, level_history__level__track=data["track"]
            )
        return people


class PeopleUploadForm(forms.Form):
    ladder = forms.ModelChoiceField(queryset=Ladder.objects.none(), empty_label=None)
    file = forms.FileField(
        required=False,
        label="People CSV",
        help_text="Columns: email,name,manager_email,team,level_code,level_since (YYYY-MM-DD).",
    )
    # The previewed file's text travels back with "Apply", and is checked again then.
    text = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(required=False, widget=forms.HiddenInput)

    MAX_BYTES = 5 * 1024 * 1024

    def __init__(self, *args, ladders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ladder"].queryset = ladders

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("The file is larger than 5 MB.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError("The file is not UTF-8 text.") from error
            data["name"] = upload.name
        elif not data.get("text"):
            raise forms.ValidationError("Choose a CSV file to import.")
        data["name"] = data.get("name") or "upload.csv"
        return data
