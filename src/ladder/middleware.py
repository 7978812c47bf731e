"""Rules for every response, so that no view has to remember them."""

from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

# The only methods any page here serves, as HTML forms send nothing else. Anything else is
# refused before it reaches a view: TRACE echoes a request back (cross-site tracing), CONNECT
# asks for a tunnel, and class-based views such as Django's sign-in take PUT for POST.
SITE_METHODS = ("GET", "HEAD", "POST")

# URL namespaces that show no person: the ladder itself, readable by anyone.
PUBLIC_NAMESPACES = frozenset({"frameworks"})


def refuse_unserved_methods(get_response):
    """Each view declares its own methods too; this also covers Django's admin and accounts."""

    def middleware(request):
        if request.method not in SITE_METHODS:
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
    """Answer 400 to any query string or form value (or name) holding a NUL character.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a NUL sent in
    any field would otherwise end as a 500 wherever it reaches the database: a comment, a
    search, a filter. Django's form fields refuse it already; this covers every value a view
    reads from `request.GET` or `request.POST` itself, on every page at once.
    """

    def middleware(request):
        for where, values in (("query string", request.GET), ("form", request.POST)):
            for name, items in values.lists():
                if "\x00" in name or any("\x00" in item for item in items):
                    field = name.replace("\x00", "\\0")[:60]
                    return HttpResponseBadRequest(
                        f"The {where} field {field!r} contains a NUL character (\\0), "
                        "which no text here may hold. Remove it and try again.",
                        content_type="text/plain; charset=utf-8",
                    )
        return get_response(request)

    return middleware
