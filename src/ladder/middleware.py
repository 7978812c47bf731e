"""Rules for every response, so that no view has to remember them."""

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import patch_cache_control

# The only methods any page here serves, as HTML forms send nothing else. Anything else is
# refused before it reaches a view: TRACE echoes a request back (cross-site tracing), CONNECT
# asks for a tunnel, and class-based views such as Django's sign-in take PUT for POST.
SITE_METHODS = ("GET", "HEAD", "POST")

# URL namespaces that show no person: the ladder itself, readable by anyone.
PUBLIC_NAMESPACES = frozenset({"frameworks"})


# The SCIM API (RFC 7644) and the JSON API replace, patch and delete: their views take these,
# and answer any other method themselves with an error of their own kind.
API_PREFIXES, API_METHODS = ("/scim/v2/", "/api/v1/"), ("PUT", "PATCH", "DELETE")
JSON_API_PREFIX = "/api/v1/"


def refuse_unserved_methods(get_response):
    """Each view declares its own methods too; this also covers Django's admin and accounts."""

    def middleware(request):
        if request.path_info.startswith(JSON_API_PREFIX):
            # The JSON API knows each path's own methods: it answers any other with a 405
            # whose Allow lists exactly those, as its schema does.
            response = get_response(request)
            if response.status_code == 404 and request.resolver_match is None:
                # No path of the API's matched (an id holding a slash, a typo): its 404 is a
                # problem document too, not the site's page.
                body = {"type": "about:blank", "title": "Not Found", "status": 404}
                body["detail"] = "No such address in the API: its paths are at /api/v1/docs/."
                return JsonResponse(body, status=404, content_type="application/problem+json")
            return response
        served = request.method in API_METHODS and request.path_info.startswith(API_PREFIXES)
        if request.method not in SITE_METHODS and not served:
            return HttpResponseNotAllowed(SITE_METHODS)
        return get_response(request)

    return middleware


def people_pages_not_stored(get_response):
    """Every page outside the public ladder shows people: no cache may keep a copy.

    no-store rather than only private: private keeps shared proxies from storing a page, but a
    browser still writes it to its disk cache, where the next user of a shared computer could
    open someone's assessment with the back button after sign-out. The cost is a fetch on
    going back, which these pages can afford. Deciding by namespace means a new app or page is
    covered without anyone remembering to.
    """

    def middleware(request):
        response = get_response(request)
        match = request.resolver_match
        if match is not None and not PUBLIC_NAMESPACES.intersection(match.namespaces[:1]):
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def refuse_nul(get_response):
    """Keep the NUL character from every value a request brings: the path, a header, a cookie,
    the query string or a form field.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a NUL anywhere
    would otherwise end as a 500 wherever it reaches the database: a comment, a search, a
    session key, the user agent a failed sign-in records. Django's form fields refuse it
    already; this covers everything a view or middleware reads for itself, on every page at
    once. A cookie holding one is dropped, as if never sent (a bad session cookie must not
    lock its owner out of every page); anything else is a 400 naming where it was, as a
    problem document (RFC 9457) on the JSON API.
    """

    def refused(request, where: str) -> HttpResponse:
        where = where.replace("\x00", "\\0")[:80]
        detail = f"The {where} contains a NUL character (\\0), which no text here may hold."
        if request.path_info.startswith(JSON_API_PREFIX):
            body = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": detail}
            return JsonResponse(body, status=400, content_type="application/problem+json")
        return HttpResponseBadRequest(
            f"{detail} Remove it and try again.", content_type="text/plain; charset=utf-8"
        )

    def middleware(request):
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        if "\x00" in request.path:
            return refused(request, "address")
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                return refused(
                    request, f"header {key.removeprefix('HTTP_').replace('_', '-').title()}"
                )
        # The JSON API reads its body itself (as JSON, refusing NUL there): reading it as a form
        # here would use up the stream it reads from.
        form = () if request.path_info.startswith(JSON_API_PREFIX) else (("form", request.POST),)
        for where, values in (("query string", request.GET), *form):
            for name, items in values.lists():
                if "\x00" in name or any("\x00" in item for item in items):
                    return refused(request, f"{where} field {name!r}")
        return get_response(request)

    return middleware
