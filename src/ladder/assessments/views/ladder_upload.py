"""Admins upload a new version of a ladder: a preview of what changes and whose readiness, then
the import once confirmed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ladder.frameworks.errors import LadderError
from ladder.frameworks.models import Ladder
from ladder.frameworks.services import ImportRefused
from ladder.notifications.services import mail_send_after, mails_deferred
from ladder.people.permissions import require_admin

from ..ladder_upload import LadderUploadForm, ladder_version_preview, pending_version_import
from ..models import ReadinessChange


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ladder_upload(request, slug):
    """A file and a note; a preview (the changes, whose readiness they move); then "Import".

    The previewed file waits on the server, for this admin only, until "Import" names it.
    """
    require_admin(request.user)
    # A retired ladder has no pages, but an admin who follows an old link is told why nothing
    # can be uploaded to it rather than shown a page not found.
    ladder = get_object_or_404(Ladder, slug=slug)
    form = LadderUploadForm(
        request.POST or None, request.FILES or None, ladder=ladder, user=request.user
    )
    upload = None
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["pending"] is None:
                upload = ladder_version_preview(
                    by=request.user,
                    ladder=ladder,
                    source=data["source"],
                    source_name=data["source_name"],
                    note=data["note"],
                )
            else:
                # Mail to everyone whose readiness moved goes after the answer, not before.
                with mails_deferred() as mail_ids:
                    version = pending_version_import(by=request.user, pending=data["pending"])
                return mail_send_after(_imported(request, version), mail_ids)
        except LadderError as error:
            problems = [str(problem) for problem in error.errors]
        except ImportRefused as error:
            form.add_error(None, f"{str(error)[:1].upper()}{str(error)[1:]}.")
        except ValidationError as error:
            form.add_error(None, error)
    context = {
        # Said on the page itself, before anyone chooses a file.
        "retired": _retired(ladder) if ladder.retired_at and not form.non_field_errors() else "",
        "ladder": ladder,
        "version": ladder.latest_version(),
        "form": form,
        "upload": upload,
        "problems": problems,
    }
    failed = request.method == "POST" and upload is None
    return render(request, "assessments/ladder_upload.html", context, status=400 if failed else 200)


def _retired(ladder: Ladder) -> str:
    return (
        f"{ladder.title} is retired: no version can be added to it. Bring it back first (the "
        f"admin's ladder list, or `ladder retire --undo {ladder.slug}`)."
    )


def _imported(request, version):
    changed = ReadinessChange.objects.filter(version=version).values("person_id").distinct()
    count = changed.count()
    messages.success(
        request,
        f"Imported version {version.number} of {version.ladder.title}. "
        + (
            f"It changed the readiness of {count} {'person' if count == 1 else 'people'}; "
            f"they and their {'manager' if count == 1 else 'managers'} were told by mail."
            if count
            else "It changed no one's readiness."
        ),
    )
    return redirect("frameworks:version", version.ladder.slug, version.number)
