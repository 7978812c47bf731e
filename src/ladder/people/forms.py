import datetime

from django import forms
from django.utils import timezone

from ladder.frameworks.models import Ladder, Level

from .csv_rows import decode_csv
from .imports import get_pending_import
from .models import Team
from .validation import unsafe_character

NEW_FOR = datetime.timedelta(days=30)


def new_people(people, now: datetime.datetime | None = None):
    """Those who joined in the last 30 days and are not yet placed in the organisation: no
    manager and no level. Single sign-on and provisioning create people so; an admin then
    gives them both. Admins themselves (HR, often on no ladder) are not waiting for either."""
    joined = (now or timezone.now()) - NEW_FOR
    return (
        people.filter(manager__isnull=True, created_at__gte=joined)
        .exclude(level_history__isnull=False)
        .exclude(user__is_superuser=True)
    )


class DirectoryFilter(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=100)
    # Typed, not chosen: a large organisation has a thousand teams or more, too many for a menu.
    team = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Any team"}),
    )
    level = forms.ChoiceField(required=False)
    track = forms.ChoiceField(required=False)
    new = forms.BooleanField(label="New only", required=False)

    def __init__(self, *args, people, admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["new"]  # only admins see those outside every manager's chain
        current = Level.objects.filter(
            pk__in=people.filter(level_history__end__isnull=True).values("level_history__level")
        )
        # One pass over everyone's current level gives both menus.
        held = set(current.values_list("code", "track"))
        codes = sorted({code for code, _ in held})
        tracks = sorted({track for _, track in held})
        self.fields["level"].choices = [("", "All levels"), *[(c, c) for c in codes]]
        self.fields["track"].choices = [("", "All tracks"), *[(t, t) for t in tracks]]

    def apply(self, people):
        if not self.is_bound or not self.is_valid():
            return people
        data = self.cleaned_data
        if data["q"]:
            people = people.filter(name__icontains=data["q"])
        if data["team"].strip():
            people = people.filter(team__in=Team.objects.matching(data["team"]))
        if data["level"]:
            people = people.filter(
                level_history__end__isnull=True, level_history__level__code=data["level"]
            )
        if data.get("new"):
            people = new_people(people)
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
    # "Apply" names the previewed file, which waits on the server: the file itself would pass
    # Django's limit on form data.
    pending = forms.CharField(required=False, widget=forms.HiddenInput)

    MAX_BYTES = 5 * 1024 * 1024

    def __init__(self, *args, ladders, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ladder"].queryset = ladders
        self.user = user

    def clean(self):
        """Gives `text` and `name` of a new upload, or the `pending` import being applied."""
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("The file is larger than 5 MB.")
            # The name comes from the browser: it is shown in messages and stored.
            data["name"] = (
                "".join(c for c in upload.name if not unsafe_character(c)) or "upload.csv"
            )
            data["text"] = decode_csv(upload.read(), data["name"])
            data["pending"] = None
        elif data.get("pending"):
            data["pending"] = get_pending_import(self.user, data["pending"])
        else:
            raise forms.ValidationError("Choose a CSV file to import.")
        return data
