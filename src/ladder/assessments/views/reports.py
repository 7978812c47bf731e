"""A manager's reports and each one's readiness for their next level."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ladder.people.models import Person

from .. import permissions
from ..selectors import readiness_of_many, standings_of


@login_required
@require_safe
def reports(request):
    me = permissions.get_manager(request.user)
    today = timezone.localdate()
    reports = Person.objects.reports_of(me).select_related("team").order_by("name", "pk")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    people = list(page.object_list)
    # Only this page's people are judged, so a large organisation costs no more per page.
    standings = standings_of(people, today)
    verdicts = readiness_of_many(people, standings, today)
    rows = [
        {
            "person": person,
            "standing": standings[person.pk],
            "target": verdicts[person.pk][0],
            "readiness": verdicts[person.pk][1],
            "direct": person.manager_id == me.pk,
        }
        for person in people
    ]
    return render(request, "assessments/reports.html", {"rows": rows, "page": page, "query": ""})
