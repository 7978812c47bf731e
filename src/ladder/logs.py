"""Log lines that can be traced back to one request: its id on every line, plain or JSON.

Every request gets an id (the proxy's X-Request-ID when it is a sane token, else a new one),
sent back as X-Request-ID and shown on the error page, so that a user quoting it leads to the
lines of their request, traceback included.
"""

import contextvars
import datetime
import json
import logging
import re
import secrets

# What an incoming X-Request-ID may be: a short token a proxy or client made up. Anything else
# (too long, spaces, quotes, control characters) is replaced, never echoed or logged, so a
# header cannot forge a log line or put markup on the error page.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
NO_REQUEST = "-"

current_request_id = contextvars.ContextVar("request_id", default=NO_REQUEST)

# Where the middleware leaves the request's id and its user's for the server's access line,
# which is written after the response has left the middleware (WSGI environ keys with a dot
# are the application's own, PEP 3333).
ENVIRON_REQUEST_ID = "ladder.request_id"
ENVIRON_USER_ID = "ladder.user_id"

# The access line's fields, kept as their own keys in JSON.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "bytes", "user_id")


def new_request_id() -> str:
    return secrets.token_hex(16)


def request_id_from(header: str | None) -> str:
    """The incoming header if it is a sane token, else a new id."""
    if header and REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def request_id(get_response):
    """Give every request an id, for its log lines and for the X-Request-ID of its response."""

    def middleware(request):
        rid = request_id_from(request.headers.get("X-Request-ID"))
        request.META[ENVIRON_REQUEST_ID] = rid
        # For pages to show, as {{ request.request_id }}.
        request.request_id = rid
        token = current_request_id.set(rid)
        try:
            response = get_response(request)
            # The user is known only once the middleware below has run; reading it here costs
            # no query on a page that looked at it already, which is nearly every page.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                request.META[ENVIRON_USER_ID] = user.pk
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = rid
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    """Put the id of the request being served on every record (`-` outside a request), unless
    the record brings its own, as the access line does."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback is a string field, so it stays on that line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
            # Which of gunicorn's workers wrote it.
            "process": record.process,
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # default=str: a message argument or field of any type still makes a line.
        return json.dumps(line, default=str)


def printable(text: str) -> str:
    """`text` with control characters escaped, so that a path cannot break a plain line."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
