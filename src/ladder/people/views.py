"""People pages: directory, person, team, CSV import with preview, and the signed-in person."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ladder.assessments.views import person_panel
from ladder.frameworks.models import Ladder
from ladder.frameworks.selectors import get_version

from . import permissions
from .forms import DirectoryFilter, PeopleUploadForm
from .imports import people_csv, people_import
from .models import LevelAssignment, Team
from .tenure import level_tenure


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


@login_required
def directory(request):
    if not permissions.may_use_directory(request.user):
        raise Http404("Not found")
    people = permissions.visible_people(request.user)
    form = DirectoryFilter(request.GET or None, people=people)
    people = (
        form.apply(people)
        .select_related("team", "manager")
        .with_current_level()
        .with_level_history()
    )
    page = Paginator(people.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    _with_tenure(page.object_list, timezone.localdate())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "total": page.paginator.count,
    }
    return render(request, "people/directory.html", context)


@login_required
def person_detail(request, pk):
    person = permissions.get_visible_person(request.user, pk)
    history = list(
        LevelAssignment.objects.filter(person=person).select_related("level").order_by("-start")
    )
    today = timezone.localdate()
    context = {
        "person": person,
        "history": history,
        "tenure": level_tenure(history, today),
        "chain": person.manager_chain(),
        "reports": person.reports.select_related("team").order_by("name"),
        "is_self": permissions.person_of(request.user) == person,
        **person_panel(request, person),
    }
    return render(request, "people/person.html", context)


@login_required
def me(request):
    person = permissions.person_of(request.user)
    if person is None:
        return render(request, "people/no_person.html")
    return redirect("people:person", pk=person.pk)


@login_required
def team_detail(request, slug):
    team = get_object_or_404(Team, slug=slug)
    visible = permissions.visible_people(request.user).values("pk")
    members = (
        team.members.filter(pk__in=visible)
        if not permissions.is_admin(request.user)
        else team.members.all()
    )
    me = permissions.person_of(request.user)
    if me is not None and me.team_id == team.pk:
        members = members | team.members.filter(pk=me.pk)
    members = list(
        members.select_related("manager").with_current_level().with_level_history().order_by("name")
    )
    if not members and not permissions.is_admin(request.user):
        raise Http404("Not found")
    _with_tenure(members, timezone.localdate())
    return render(request, "people/team.html", {"team": team, "members": members})


@login_required
def teams(request):
    permissions.require_admin(request.user)
    rows = Team.objects.annotate(size=Count("members")).order_by("name")
    return render(request, "people/teams.html", {"teams": rows})


@login_required
def upload(request):
    """Admins import a people CSV: the same checks as the CLI, and a preview before applying."""
    permissions.require_admin(request.user)
    form = PeopleUploadForm(
        request.POST or None, request.FILES or None, ladders=Ladder.objects.all()
    )
    plan = None
    if request.method == "POST" and form.is_valid():
        version = get_version(form.cleaned_data["ladder"])
        apply = "apply" in request.POST
        plan = people_import(
            by=request.user,
            text=form.cleaned_data["text"],
            path=form.cleaned_data["name"],
            version=version,
            apply=apply,
        )
        if plan.applied:
            return render(request, "people/upload_done.html", {"plan": plan})
    return render(request, "people/upload.html", {"form": form, "plan": plan})


@login_required
def export(request):
    permissions.require_admin(request.user)
    response = HttpResponse(people_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response
