"""Who a request to the API acts as: the owner of its bearer token, within the token's scopes.

A token never does more than its owner could on the pages, as the same permission modules
decide: the request's user is the owner. Scopes only narrow it. Reading needs `read`; any
other method needs `write`; an admin's token acts as an admin only with `admin`, and as the
person they are otherwise. What is outside a token's scopes answers 404, as a page the owner
may not see does.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.http import Http404
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from ladder.roles import is_admin

from .models import Scope
from .tokens import token_for

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refuse_save(*args, **kwargs):
    raise RuntimeError("A token's narrowed view of its owner is never saved.")


def without_admin_rights(user):
    """The owner as pages would see them were they no admin: a copy, never saved."""
    narrowed = copy.copy(user)
    narrowed.is_superuser = narrowed.is_staff = False
    narrowed.save = _refuse_save
    return narrowed


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ladder_pat_...`; a missing, unknown, expired or revoked token is
    a 401."""

    openapi_description = (
        "A personal access token, made on your tokens page: `Authorization: Bearer ladder_pat_…`."
    )

    def authenticate(self, request, token):
        found = token_for(token)
        if found is None:
            return None
        needed = Scope.READ if request.method in READ_METHODS else Scope.WRITE
        if not found.has_scope(needed):
            raise Http404("Not found")
        user = found.owner
        if is_admin(user) and not found.has_scope(Scope.ADMIN):
            user = without_admin_rights(user)
        request.user = user
        return found


class TokenThrottle(AuthRateThrottle):
    """At most API_THROTTLE_RATE requests per token (e.g. "600/min"), counted in the cache that
    every app server shares; more answer 429 with Retry-After."""

    scope = "api"
    # The settings accept these words; django-ninja reads only the short forms.
    LONG_PERIODS = {"second": "sec", "minute": "min"}

    def __init__(self):
        super().__init__(rate=settings.API_THROTTLE_RATE)

    def parse_rate(self, rate):
        if rate is not None:
            count, _, period = rate.partition("/")
            rate = f"{count}/{self.LONG_PERIODS.get(period, period)}"
        return super().parse_rate(rate)

    def get_cache_key(self, request) -> str:
        token = getattr(request, "auth", None)
        if token is None:
            return super().get_cache_key(request)
        # One counter per token, keyed by its digest: random, so never shared with a token
        # whose row once had the same id.
        return self.cache_format % {"scope": self.scope, "ident": token.digest}

    def allow_request(self, request) -> bool:
        # Read each time, so that a changed setting (or a test's) applies without a restart.
        self.rate = settings.API_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)
