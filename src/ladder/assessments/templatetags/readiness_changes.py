"""Readiness a ladder version changed, on the version's page: `{% load readiness_changes %}`.

The version page belongs to the ladder layer, below people and assessments; it shows the list
through this tag, so the ladder never imports assessments: the dependency runs from the
template, downwards.
"""

from __future__ import annotations

from django import template
from django.core.paginator import Paginator
from django.db.models import Q

from ladder.frameworks.models import LadderVersion
from ladder.people.models import Person
from ladder.people.permissions import person_of, visible_people
from ladder.roles import is_admin

from ..changes import changes_of_version

register = template.Library()

PER_PAGE = 50
PARAM = "changes"


@register.inclusion_tag("assessments/_readiness_changes.html", takes_context=True)
def version_readiness_changes(context, version: LadderVersion) -> dict:
    """Whose readiness the version changed and how: an admin sees everyone, anyone else
    themself and the people they manage; a visitor who is not signed in, nothing."""
    request = context["request"]
    user = request.user
    admin = is_admin(user)
    me = person_of(user)
    if not (admin or me):
        return {"show": False}
    people = None
    if not admin:
        people = Person.objects.filter(Q(pk__in=visible_people(user).values("pk")) | Q(pk=me.pk))
    changes = changes_of_version(version, people)
    page = Paginator(changes, PER_PAGE).get_page(request.GET.get(PARAM))
    query = request.GET.copy()
    query.pop(PARAM, None)
    return {
        "show": True,
        "admin": admin,
        "page": page,
        "param": PARAM,
        "query": query.urlencode(),
        "people": changes.order_by().values("person_id").distinct().count(),
    }
