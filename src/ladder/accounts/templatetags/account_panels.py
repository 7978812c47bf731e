"""Sign-in panels other apps' pages show: `{% load account_panels %}`.

The person page (people app) offers an admin to invite someone without a login through this
tag, so people never imports accounts: the dependency runs from the template, downwards.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from ladder.roles import is_admin

from ..models import Invitation

register = template.Library()


@register.inclusion_tag("accounts/_invitation_panel.html", takes_context=True)
def invitation_panel(context, person):
    """For admins, whether `person` can sign in, and a button to invite them if not."""
    request = context["request"]
    if not is_admin(request.user) or person.user_id is not None:
        return {"show": False}
    invitation = Invitation.objects.filter(person=person).first()
    return {
        "show": True,
        "person": person,
        "invitation": invitation,
        "expired": invitation is not None and invitation.is_expired(timezone.now()),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
