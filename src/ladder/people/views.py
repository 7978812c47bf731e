"""People pages: person, team, CSV import with preview, and the signed-in person. The directory,
which shows readiness, is served by the assessments app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from ladder.frameworks.models import Ladder, LadderVersion
from ladder.frameworks.selectors import get_version

from . import permissions
from .forms import PeopleUploadForm
from .imports import pending_import_apply, people_csv, people_import_preview
from .models import Team
from .tenure import level_history, level_tenure


def nav_context(request):
    user = request.user
    return {
        "nav_directory": permissions.may_use_directory(user),
        "nav_admin": permissions.is_admin(user),
        "nav_person": permissions.person_of(user),
    }


def _with_tenure(people, today):
    """Time in level from the whole history, as the person page counts it (needs
    `with_level_history()`)."""
    for person in people:
        person.tenure = level_tenure(person.history, today)
    return people


def _query_without(request, param: str) -> str:
    """The request's query string without `param`, for links to another page of a list."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


REPORTS_PER_PAGE = 25
MEMBERS_PER_PAGE = 50


@login_required
@require_safe
def person_detail(request, pk):
    person = permissions.get_visible_person(request.user, pk)
    # The readiness and promotion panels work out the standing from the same history.
    history = level_history(request, person)
    today = timezone.localdate()
    context = {
        "person": person,
        "history": history,
        "tenure": level_tenure(history, today),
        "chain": person.manager_chain(),
        # A manager of a whole department may have hundreds of direct reports: a page at a time.
        "reports": Paginator(person.reports.order_by("name", "pk"), REPORTS_PER_PAGE).get_page(
            request.GET.get("reports")
        ),
        "reports_query": _query_without(request, "reports"),
        "is_self": permissions.person_of(request.user) == person,
    }
    return render(request, "people/person.html", context)


@login_required
@require_safe
def me(request):
    person = permissions.person_of(request.user)
    if person is None:
        return render(request, "people/no_person.html")
    return redirect("people:person", pk=person.pk)


@login_required
@require_safe
def team_detail(request, slug):
    team = permissions.get_visible_team(request.user, slug)
    members = (
        permissions.visible_team_members(request.user, team)
        .select_related("manager")
        .with_current_level()
        .with_level_history()
        .order_by("name", "pk")
    )
    # Histories are read for one page of members only, so a team of thousands stays light.
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    _with_tenure(page.object_list, timezone.localdate())
    context = {
        "team": team,
        "page": page,
        "members": page.object_list,
        "total": page.paginator.count,
        "query": _query_without(request, "page"),
    }
    return render(request, "people/team.html", context)


@login_required
@require_safe
def teams(request):
    permissions.require_admin(request.user)
    rows = Team.objects.annotate(size=Count("members")).order_by("name")
    return render(request, "people/teams.html", {"teams": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    """Admins import a people CSV: the same checks as the CLI, and a preview before applying.

    The previewed file waits on the server, for this admin only, until "Apply" names it.
    """
    permissions.require_admin(request.user)
    form = PeopleUploadForm(
        request.POST or None,
        request.FILES or None,
        ladders=Ladder.objects.active(),
        user=request.user,
    )
    plan = pending = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["pending"] is None:
            plan, pending = people_import_preview(
                by=request.user,
                text=form.cleaned_data["text"],
                filename=form.cleaned_data["name"],
                version=_latest_version(form.cleaned_data["ladder"]),
            )
        else:
            try:
                plan = pending_import_apply(by=request.user, pending=form.cleaned_data["pending"])
            except ValidationError as error:
                form.add_error(None, error)
            if plan is not None and plan.applied:
                created = [c.email for c in plan.changes if c.kind == "new person"]
                context = {"plan": plan, "created": created}
                return render(request, "people/upload_done.html", context)
    context = {"form": form, "plan": plan, "pending": pending}
    return render(request, "people/upload.html", context)


def _latest_version(ladder: Ladder) -> LadderVersion:
    try:
        return get_version(ladder)
    except LadderVersion.DoesNotExist:
        raise Http404("No version yet") from None


@login_required
@require_safe
def export(request):
    permissions.require_admin(request.user)
    response = HttpResponse(people_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response
