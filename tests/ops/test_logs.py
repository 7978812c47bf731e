"""Request ids and log lines: every request has an id, sent back, shown on the error page and
carried by every log line of the request, in plain text or JSON."""

import io
import json
import logging
import re
import sys

import pytest
from django.test import Client

from ladder.logs import JsonFormatter, RequestIdFilter, printable
from tests.conftest import run_ladder
from tests.prod_urls import FAILURE
from tests.test_production import production

NEW_ID = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("given", ["abc123", "0f8e-4c1d.b2_a", "A" * 100])
def test_a_sane_incoming_request_id_is_kept(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})

    assert response["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given",
    [
        "A" * 101,
        "has space",
        "<script>alert(1)</script>",
        'quote"d',
        "-leading-dash",
        "line\\nbreak",
        "ünïcode",
        "a;b",
    ],
)
def test_an_incoming_request_id_that_is_not_a_sane_token_is_replaced(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})

    assert NEW_ID.fullmatch(response["X-Request-ID"])


@pytest.fixture
def stderr_log():
    """What the site's stderr handler, as the settings configure it, writes."""
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "stderr"]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


@pytest.mark.urls("tests.prod_urls")
def test_the_error_page_shows_the_request_id_and_the_traceback_line_carries_it(stderr_log):
    client = Client(raise_request_exception=False)

    response = client.get("/fail/", headers={"X-Request-ID": "quote-me-42"})

    assert response.status_code == 500
    assert response["X-Request-ID"] == "quote-me-42"
    assert "Quote reference <code>quote-me-42</code>" in response.content.decode()
    stderr = stderr_log.getvalue()
    assert "quote-me-42 ERROR django.request: Internal Server Error: /fail/" in stderr
    assert f"RuntimeError: {FAILURE}" in stderr


@pytest.mark.urls("tests.prod_urls")
def test_the_error_page_answers_even_when_its_template_fails(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]  # 500.html is not found
    client = Client(raise_request_exception=False)

    response = client.get("/fail/", headers={"X-Request-ID": "still-here"})

    assert response.status_code == 500
    assert "Quote reference still-here" in response.content.decode()


def record(message="%s", *args, **fields) -> logging.LogRecord:
    made = logging.LogRecord("ladder.access", logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(fields)
    return made


@pytest.mark.parametrize(
    "path",
    ['/a"b\\c', "/new\nline", "/tab\tand\x00nul", "/ünïcødé/☃", "/\ud800lone-surrogate", "/</x>"],
)
def test_a_json_line_is_valid_json_whatever_the_path(path):
    line = JsonFormatter().format(record("GET %s", path, path=path, status=200, request_id="r1"))

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["path"] == path
    assert parsed["request_id"] == "r1"
    assert parsed["level"] == "INFO" and parsed["logger"] == "ladder.access"


def test_a_json_line_keeps_the_traceback_in_one_field():
    try:
        raise RuntimeError("broken\nover two lines")
    except RuntimeError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RequestIdFilter().filter(failed)

    parsed = json.loads(JsonFormatter().format(failed))

    assert parsed["request_id"] == "-"
    assert "Traceback (most recent call last)" in parsed["traceback"]
    assert "RuntimeError: broken\nover two lines" in parsed["traceback"]


def test_a_plain_line_escapes_control_characters_in_a_path():
    assert printable("/a\nb\x1b[31m") == "/a\\nb\\x1b[31m"


@pytest.mark.parametrize("value", ["jsn", "text", "JSON!"])
def test_a_log_format_the_settings_cannot_read_stops_the_process_naming_the_variable(value):
    result = run_ladder("check", env=production(LOG_FORMAT=value))

    assert result.returncode != 0
    assert f"LOG_FORMAT={value.lower()!r} is not a log format: use plain or json" in result.stderr


@pytest.mark.django_db
def test_the_not_found_page_shows_the_request_id(client):
    response = client.get("/no/such/page", headers={"X-Request-ID": "lost-page-7"})

    assert response.status_code == 404
    assert "Quote reference <code>lost-page-7</code>" in response.content.decode()


@pytest.mark.django_db
def test_the_expired_form_page_shows_the_request_id():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", headers={"X-Request-ID": "expired-form-7"})

    assert response.status_code == 403
    assert "Quote reference <code>expired-form-7</code>" in response.content.decode()
