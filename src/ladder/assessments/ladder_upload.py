"""A new version of a ladder uploaded by an admin: previewed with whose readiness it would move,
then imported once confirmed.

The preview is `frameworks.services.ladder_import_preview` (the checks of `ladder import`) and
`changes.readiness_impact` (what `ladder import --dry-run` prints); the file waits on the server
as a `PendingLadderVersion` until its admin confirms it, and is imported by `ladder_import`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from ladder.frameworks.models import Ladder, LadderVersion
from ladder.frameworks.services import (
    MAX_NOTE_LENGTH,
    ImportPreview,
    ImportRefused,
    check_version_note,
    ladder_import,
    ladder_import_preview,
    source_label,
)
from ladder.people.validation import unsafe_character

from .changes import ReadinessImpact, readiness_impact
from .models import PendingLadderVersion

# A ladder file is tens of kilobytes (the bundled one, ten levels, 34 KB): thirty times that
# is room for any real ladder and bounds the work a preview does.
MAX_BYTES = 1024 * 1024


def decode_ladder(data: bytes) -> str:
    """The file's text, read as `ladder import` reads a file (UTF-8, a BOM allowed); a
    ValidationError saying where it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(
            f"The file is not UTF-8 text: the byte 0x{data[error.start]:02X} on line {line} "
            "cannot be read. Save the file as UTF-8 and upload it again."
        ) from None


class LadderUploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Ladder file",
        help_text="Markdown in the ladder format, as `ladder check` reads it; at most 1 MB.",
    )
    note = forms.CharField(
        required=False,
        label="Why it changed",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Kept with the version, shown in its history and sent to the people whose "
            f"readiness it changes (at most {MAX_NOTE_LENGTH} characters)."
        ),
    )
    # "Import" names the previewed file, which waits on the server.
    pending = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, ladder: Ladder, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.ladder = ladder
        self.user = user

    def clean_note(self) -> str:
        try:
            return check_version_note(self.cleaned_data["note"])
        except ImportRefused as error:
            raise ValidationError(f"{str(error)[:1].upper()}{str(error)[1:]}.") from None

    def clean(self):
        """Gives `source` and `source_name` of a new upload, or the `pending` one confirmed."""
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_BYTES:
                raise ValidationError(
                    f"The file is {upload.size:,} bytes; a ladder file may have at most "
                    f"{MAX_BYTES:,} (1 MB)."
                )
            # The name comes from the browser: it is shown in messages and stored.
            name = "".join(c for c in upload.name if not unsafe_character(c))
            data["source_name"] = source_label(name or "upload.md")
            data["source"] = decode_ladder(upload.read())
            data["pending"] = None
        elif data.get("pending"):
            data["pending"] = get_pending_version(self.user, self.ladder, data["pending"])
        else:
            raise ValidationError("Choose a ladder file to upload.")
        return data


@dataclass(frozen=True)
class UploadPreview:
    preview: ImportPreview
    impact: ReadinessImpact
    pending: PendingLadderVersion

    @property
    def number(self) -> int:
        return self.preview.latest.number + 1


@transaction.atomic
def ladder_version_preview(
    *, by, ladder: Ladder, source: str, source_name: str, note: str
) -> UploadPreview:
    """Check an uploaded version of `ladder` as `ladder import` would, work out whose readiness
    it would change, and keep it for the admin who uploaded it (expired ones are deleted
    meanwhile) until they confirm it. Raises what `ladder_import_preview` raises, and
    `ImportRefused` when the file has the content of the latest version."""
    preview = ladder_import_preview(
        source=source, source_name=source_name, slug=ladder.slug, note=note
    )
    if preview.latest is None:
        raise ImportRefused(
            f"ladder {ladder.slug!r} has no version yet: import one with `ladder import`"
        )
    if preview.unchanged:
        raise ImportRefused(
            f"{source_name} has the content of version {preview.latest.number}, the latest: "
            "there is nothing to import (layout alone is not a change)"
        )
    impact = readiness_impact(ladder=preview.ladder, data=preview.data)
    PendingLadderVersion.objects.expired().delete()
    pending = PendingLadderVersion.objects.create(
        uploaded_by=by,
        ladder=preview.ladder,
        base=preview.latest,
        source_name=source_name,
        source=source,
        note=check_version_note(note),
    )
    return UploadPreview(preview=preview, impact=impact, pending=pending)


def get_pending_version(user, ladder: Ladder, token: str) -> PendingLadderVersion:
    """The version `user` previewed for `ladder` under `token`, or a ValidationError saying to
    upload it again."""
    # Nothing is kept past its time, whoever asks.
    PendingLadderVersion.objects.expired().exclude(token=token).delete()
    pending = PendingLadderVersion.objects.filter(
        token=token, uploaded_by=user, ladder=ladder
    ).first()
    if pending is None:
        raise _gone()
    if pending.is_expired():
        pending.delete()
        raise _expired()
    return pending


@transaction.atomic
def pending_version_import(*, by, pending: PendingLadderVersion) -> LadderVersion:
    """Import the previewed version, with its note, as `by`; once imported it is gone. Refused
    when another version was imported since the preview, which no longer says what this one
    changes."""
    # The ladder locked first, as the import locks it: no other import slips in between the
    # check below and this one. The pending row locked, so a second click waits, then finds
    # nothing left.
    ladder = Ladder.objects.select_for_update().get(pk=pending.ladder_id)
    stored = (
        PendingLadderVersion.objects.select_for_update(of=("self",))
        .filter(pk=pending.pk, uploaded_by=by)
        .select_related("base")
        .first()
    )
    if stored is None:
        raise _gone()
    if stored.is_expired():
        raise _expired()
    latest = ladder.latest_version()
    if latest.pk != stored.base_id:
        raise ValidationError(
            f"Version {latest.number} of {ladder.title} was imported after your preview "
            f"against version {stored.base.number}, so the preview no longer says what this "
            "file changes. Upload it again to see its changes against the latest version."
        )
    result = ladder_import(
        source=stored.source,
        source_name=stored.source_name,
        slug=ladder.slug,
        imported_by=by,
        note=stored.note,
    )
    stored.delete()
    return result.version


def _gone() -> ValidationError:
    return ValidationError(
        "This preview is no longer waiting: it was imported already, or it was not yours. "
        "Upload the file again."
    )


def _expired() -> ValidationError:
    minutes = int(PendingLadderVersion.LIFETIME.total_seconds() // 60)
    return ValidationError(
        f"This preview has expired: a previewed version waits {minutes} minutes to be imported. "
        "Upload the file again."
    )
