"""The SCIM tokens page: admins make a token for an identity provider, see it once, revoke it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ladder.roles import require_admin

from .models import ScimToken
from .resources import resource_id
from .tokens import scim_token_create, scim_token_revoke


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request):
    require_admin(request.user)
    created = error = None
    if request.method == "POST" and "revoke" in request.POST:
        token = ScimToken.objects.filter(pk=_integer(request.POST["revoke"])).first()
        if token is not None:
            scim_token_revoke(by=request.user, token=token)
    elif request.method == "POST":
        try:
            created = scim_token_create(by=request.user, name=request.POST.get("name", ""))
        except ValidationError as refused:
            error = " ".join(refused.messages)
    context = {
        "tokens": ScimToken.objects.select_related("created_by"),
        # The token's text is in this response only: nothing stores it.
        "created": created,
        "error": error,
        "endpoint": request.build_absolute_uri(reverse("scim:users")).removesuffix("Users"),
    }
    return render(request, "scim/tokens.html", context, status=400 if error else 200)


def _integer(value: str) -> int | None:
    return resource_id(value)
