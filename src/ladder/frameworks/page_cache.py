"""The ladder's pages as browsers and the cache keep them: per version, per page, per visitor.

A page's content is made once per version (version_cache) and the page around it, which shows
who is signed in, for each request; a page that shows no one is kept whole. Browsers keep a page
by its ETag, which names the version, the page and the visitor, and ask each time whether their
copy is still the one: a new version, or another visitor, gets the page anew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from .models import LadderVersion
from .version_cache import from_version, keep, read, version_stamp

# What a page kept whole is kept under, beside its name: (WHOLE, "level", "TL2").
WHOLE = "for anyone"


def _viewer(request) -> str:
    """Who a page was made for, as its ETag tells: anyone signed out, or one signed-in user in
    one session with one CSRF token (the page shows their name and holds their sign-out form).
    A new sign-in, by the same user or another, gets a new ETag and so a page of its own."""
    user = request.user
    if not user.is_authenticated:
        return "anyone"
    seen = f"{user.pk}:{request.session.session_key}:{request.META.get('CSRF_COOKIE', '')}"
    return salted_hmac("ladder.frameworks.viewer", seen).hexdigest()[:20]


def _etag(request, version: LadderVersion, page: tuple[str, ...]) -> str:
    # Hashed: a page's name holds a level code from the address, which may be any characters.
    named = "\x1f".join((version_stamp(version), *page, _viewer(request)))
    return f'W/"{hashlib.sha256(named.encode()).hexdigest()[:32]}"'


def unchanged_page(request, version: LadderVersion, page: tuple[str, ...]) -> HttpResponse | None:
    """A 304 when the browser's copy of the page, by its ETag, is this one; else None.

    Only the ETag decides: a time (If-Modified-Since) cannot tell one visitor's copy from
    another's, so it is sent as Last-Modified for information but not answered with a 304.
    """
    if "HTTP_IF_NONE_MATCH" not in request.META:
        return None
    not_modified = get_conditional_response(request, etag=_etag(request, version, page))
    if not_modified is not None:
        revalidated(not_modified, request, version, page)
        # No policy on a body-less 304: the browser keeps the one stored with its copy, whose
        # nonce is the one that copy's <style> carries. A new nonce would block it.
        not_modified._csp_exempt = True
    return not_modified


def answer_from_cache(
    request, version: LadderVersion, page: tuple[str, ...]
) -> HttpResponse | None:
    """The answer to a request for a page, without making it: a 304 when the browser has it, or
    the whole page kept for anyone (see version_page); else None."""
    unchanged = unchanged_page(request, version, page)
    if unchanged is not None or not _for_anyone(request):
        return unchanged
    kept = read(version, WHOLE, *page)
    if kept is None:
        return None
    response = HttpResponse(kept)
    revalidated(response, request, version, page)
    return response


def _for_anyone(request) -> bool:
    """Whether the request brings nothing a page shows of its visitor: no session (so no one is
    signed in and no message waits there) and no message in a cookie."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _same_for_anyone(request, response) -> bool:
    """Whether a page just made may be kept whole and sent as it is to anyone else."""
    return (
        _for_anyone(request)
        and response.status_code == 200
        and not response.cookies
        # A page under the Content-Security-Policy nonce (the overview's <style>) holds this
        # request's nonce, which a copy sent to another request would not match.
        and getattr(request, "_csp_nonce", None) is None
        # A page holding a CSRF token (a form) holds this visitor's.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def revalidated(response, request, version: LadderVersion, page: tuple[str, ...]) -> None:
    """A browser may keep the page, asking each time whether it is still the one it has."""
    messages = getattr(request, "_messages", None)
    # A page that showed a one-time message ("Signed out") is not to be shown again from a copy.
    if not (messages is not None and messages.used):
        response["ETag"] = _etag(request, version, page)
        response["Last-Modified"] = http_date(version.imported_at.timestamp())
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def version_page(
    request,
    version: LadderVersion,
    page: tuple[str, ...],
    template: str,
    context: dict,
    *,
    content: str,
    make_context: Callable[[], dict],
) -> HttpResponse:
    """A page whose content (the template `content` of `make_context()`) is made once per
    version and page; the rest (the site's header with the visitor's name, the footer) is
    rendered for each request around it."""
    made = from_version(version, *page, make=lambda: str(render_to_string(content, make_context())))
    response = render(request, template, {**context, "content": mark_safe(made)})
    if _same_for_anyone(request, response):
        # A visitor who is not signed in (most, on a public ladder) then costs no rendering.
        keep(version, response.content, WHOLE, *page)
    revalidated(response, request, version, page)
    return response
