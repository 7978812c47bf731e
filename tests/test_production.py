"""Running in production: settings from the environment, errors that leave a trace, headers
every page sends, methods no page serves, SQLite under concurrent writers, and what stays off."""

import email
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from ladder import settings as site_settings
from ladder.middleware import API_METHODS
from tests.conftest import ROOT, run_ladder
from tests.prod_urls import FAILURE

# What a production deployment sets at the least (see README and .env.example).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "ladder.example.com,127.0.0.1",
}


def production(**extra: str) -> dict:
    """This process's environment as a deployment would have it, with PRODUCTION and `extra`."""
    # The browser tests' conftest allows async-unsafe calls for this process; a deployment
    # never does, and Django's checks say so.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "ladder.settings", **PRODUCTION, **extra}


HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
]


def settings_under(environment: dict) -> subprocess.CompletedProcess:
    """Load the settings in a fresh process with `environment`; print the HTTPS ones as JSON."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {HTTPS_SETTINGS!r}}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


def loaded(environment: dict) -> dict:
    result = settings_under(environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- HTTPS, HSTS, cookies and trusted origins, from the environment


def test_with_debug_off_https_hsts_and_secure_cookies_are_on_by_default():
    assert loaded(PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "CSRF_TRUSTED_ORIGINS": [],
    }


def test_with_debug_off_the_session_cookie_is_secure_and_hidden_from_scripts():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_with_debug_on_nothing_insists_on_https():
    development = loaded({"DEBUG": "1"})

    assert not development["SECURE_SSL_REDIRECT"]
    assert not development["SESSION_COOKIE_SECURE"] and not development["CSRF_COOKIE_SECURE"]
    assert development["SECURE_HSTS_SECONDS"] == 0


def test_each_https_setting_can_be_set_from_the_environment():
    assert loaded(
        {
            **PRODUCTION,
            "SECURE_SSL_REDIRECT": "off",
            "SESSION_COOKIE_SECURE": "no",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "3600",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0",
            "SECURE_HSTS_PRELOAD": "1",
            "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
            "CSRF_TRUSTED_ORIGINS": "https://ladder.example.com, https://*.example.org:8443",
        }
    ) == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://ladder.example.com", "https://*.example.org:8443"],
    }


def test_a_value_the_settings_cannot_read_stops_the_process_naming_the_variable():
    result = settings_under({**PRODUCTION, "SESSION_COOKIE_SECURE": "ture"})

    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE='ture' is not a yes/no value" in result.stderr


@pytest.mark.parametrize("value", ["ture", "enabled", "2", "-1", "yes please"])
def test_a_yes_no_setting_refuses_what_is_not_yes_or_no(monkeypatch, value):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", value)

    with pytest.raises(ImproperlyConfigured, match=r"^SECURE_SSL_REDIRECT=.* is not a yes/no"):
        site_settings.env_bool("SECURE_SSL_REDIRECT", default=True)


@pytest.mark.parametrize(
    "value, expected",
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("Off", False)],
)
def test_a_yes_no_setting_reads_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", value)

    assert site_settings.env_bool("SECURE_SSL_REDIRECT", default=not expected) is expected


def test_an_empty_yes_no_setting_takes_the_default(monkeypatch):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "")

    assert site_settings.env_bool("SECURE_SSL_REDIRECT", default=True) is True


@pytest.mark.parametrize("value", ["a year", "-5", "1e6", "3600s", "9" * 40])
def test_a_number_setting_refuses_what_is_not_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("SECURE_HSTS_SECONDS", value)

    with pytest.raises(ImproperlyConfigured, match=r"^SECURE_HSTS_SECONDS=.* is not a whole"):
        site_settings.env_int("SECURE_HSTS_SECONDS", default=0)


@pytest.mark.parametrize("value, refused", [("600", False), ("601", True), ("9" * 18, True)])
def test_a_number_setting_with_a_maximum_refuses_more(monkeypatch, value, refused):
    monkeypatch.setenv("INSIGHTS_NOT_ASSESSED_MONTHS", value)

    def read():
        return site_settings.env_int(
            "INSIGHTS_NOT_ASSESSED_MONTHS", default=6, minimum=1, maximum=600
        )

    if refused:
        with pytest.raises(ImproperlyConfigured, match=r"is more than 600$"):
            read()
    else:
        assert read() == 600


@pytest.mark.parametrize(
    "value, expected",
    [
        ("HTTP_X_FORWARDED_PROTO,https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Proto, https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Ssl,on", ("HTTP_X_FORWARDED_SSL", "on")),
    ],
)
def test_the_proxy_ssl_header_reads_as_django_wants_it(monkeypatch, value, expected):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", value)

    assert site_settings.env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER") == expected


@pytest.mark.parametrize(
    "value", ["HTTP_X_FORWARDED_PROTO", "X-Forwarded-Proto,", "X Forwarded,https", "a,b,c"]
)
def test_the_proxy_ssl_header_refuses_anything_but_a_header_and_a_value(monkeypatch, value):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", value)

    with pytest.raises(ImproperlyConfigured, match=r"^SECURE_PROXY_SSL_HEADER=.* is not a header"):
        site_settings.env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")


@pytest.mark.parametrize(
    "origin", ["ladder.example.com", "https://ladder.example.com/", "ftp://example.com", "https://"]
)
def test_trusted_origins_refuse_what_is_not_an_origin(monkeypatch, origin):
    monkeypatch.setenv("CSRF_TRUSTED_ORIGINS", f"https://ok.example.com,{origin}")

    with pytest.raises(
        ImproperlyConfigured, match=rf"^CSRF_TRUSTED_ORIGINS: '{re.escape(origin)}'"
    ):
        site_settings.env_origins("CSRF_TRUSTED_ORIGINS")


def test_env_example_documents_every_variable_the_settings_read():
    source = Path(site_settings.__file__).read_text()
    read = set(re.findall(r'\benv(?:\.\w+|_\w+)\(\s*"([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^(?:# )?([A-Z_]+)=", example, re.MULTILINE))

    assert {"DEBUG", "SECURE_PROXY_SSL_HEADER", "ADMINS", "EMAIL_URL"} <= read
    assert read - documented == set()


def test_check_deploy_finds_nothing_to_warn_about_with_production_settings():
    result = subprocess.run(
        [Path(sys.executable).with_name("ladder"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert result.stderr == ""


# -- errors: a traceback on stderr, and a mail to the admins


def test_admins_are_read_as_names_and_addresses(monkeypatch):
    monkeypatch.setenv("ADMINS", "Ops Team <ops@example.com>, dev@example.com,")

    assert site_settings.env_admins("ADMINS") == [
        ("Ops Team", "ops@example.com"),
        ("dev@example.com", "dev@example.com"),
    ]


@pytest.mark.parametrize("entry", ["ops", "Ops <ops>", "Ops <ops@example.com", "a@b c@d"])
def test_admins_refuse_what_is_not_an_address(monkeypatch, entry):
    monkeypatch.setenv("ADMINS", f"ok@example.com,{entry}")

    with pytest.raises(ImproperlyConfigured, match=rf"^ADMINS: '{re.escape(entry)}' is not an"):
        site_settings.env_admins("ADMINS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen on port {port} within {seconds} s")


def test_a_500_under_gunicorn_leaves_its_traceback_on_stderr_and_mails_the_admins(tmp_path):
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    environment = production(
        DJANGO_SETTINGS_MODULE="tests.prod_settings",
        DATABASE_URL=f"sqlite:///{tmp_path}/production.sqlite3",
        # As behind a proxy that ends TLS: the header tells the request came over HTTPS.
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto,https",
        ADMINS="Ops <ops@example.com>",
        EMAIL_URL="consolemail://",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [str(gunicorn), "ladder.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/fail/", headers={"X-Forwarded-Proto": "https"}
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)
        assert answer.value.code == 500
        assert "Something went wrong" in answer.value.read().decode()
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=30)

    assert "ERROR django.request: Internal Server Error: /fail/" in stderr
    assert "Traceback (most recent call last):" in stderr
    assert f"RuntimeError: {FAILURE}" in stderr
    # The console mail backend, the default, prints the mail to the admins.
    mail = email.message_from_string(stdout.split("\n" + "-" * 79)[0])
    assert mail["To"] == "ops@example.com"
    assert mail["Subject"] == "[Django] ERROR (EXTERNAL IP): Internal Server Error: /fail/"
    body = mail.get_payload(decode=True).decode()
    assert f"RuntimeError at /fail/\n{FAILURE}" in body and "Traceback" in body


@pytest.mark.urls("tests.prod_urls")
def test_an_error_is_mailed_to_the_admins_with_its_traceback(client, settings, mailoutbox):
    settings.ADMINS = [("Ops", "ops@example.com"), ("Dev", "dev@example.com")]
    client.raise_request_exception = False

    response = client.get("/fail/")

    assert response.status_code == 500
    (mail,) = mailoutbox
    assert mail.to == ["ops@example.com", "dev@example.com"]
    assert "Internal Server Error: /fail/" in mail.subject
    assert "Traceback" in mail.body and FAILURE in mail.body


@pytest.mark.urls("tests.prod_urls")
def test_without_admins_an_error_mails_nobody(client, settings, mailoutbox):
    settings.ADMINS = []
    client.raise_request_exception = False

    assert client.get("/fail/").status_code == 500
    assert mailoutbox == []


# -- every URL of the site


def sample_route(pattern) -> str:
    """The pattern's path with every parameter given the value 1 (or a value it accepts)."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?\w+>", "1", str(pattern))
    regex = str(pattern).removeprefix("^").removesuffix("$")
    regex = re.sub(r"\(\?P<\w+>(\w+)(?:\|\w+)*\)", r"\1", regex)  # a choice: the first one
    regex = re.sub(r"\(\?P<\w+>\.[*+]\)", "1", regex)  # anything
    if re.search(r"[\\^$.*+?()\[\]{}|]", regex):
        pytest.fail(f"no sample path for the URL pattern {pattern}: teach sample_route")
    return regex


def every_url(patterns=None, prefix="/", namespace=""):
    """(path, namespace, name) of every URL the site answers, the Django admin's included."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + sample_route(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_url(entry.url_patterns, path, namespace or entry.namespace or "")
        else:
            yield path, namespace, entry.name


URLS = list(every_url())


def test_the_url_walk_reaches_the_pages_of_every_part_of_the_site():
    names = {f"{namespace}:{name}" for _, namespace, name in URLS}

    assert {
        "people:person",
        "people:export",
        "assessments:plan",
        "audit:log",
        "frameworks:overview",
        "admin:index",
        ":login",
        "insights:levels",
        "insights:readiness",
        "insights:time",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method", ["TRACE", "TRACK", "CONNECT", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"]
)
def test_methods_no_page_serves_are_refused_on_every_url(client, method):
    # The SCIM API serves PUT, PATCH and DELETE (without a token: 401); tests/scim checks it.
    # The JSON API answers each path's methods as its schema lists them; tests/api checks it.
    answers = {
        path: client.generic(method, path)
        for path, namespace, _ in URLS
        if not (namespace == "scim" and method in API_METHODS) and namespace != "api"
    }

    assert {path: r.status_code for path, r in answers.items() if r.status_code != 405} == {}
    assert {r["Allow"] for r in answers.values()} == {"GET, HEAD, POST"}


# The pages that take a form; every other page only shows, and must say so.
POSTED_TO = {
    ":login",
    ":logout",
    ":password_change",
    ":password_reset",
    ":password_reset_confirm",
    "accounts:invite",
    "accounts:invitation_accept",
    "people:upload",
    "assessments:start",
    "assessments:detail",
    "assessments:share",
    "assessments:evidence",
    "assessments:plan-generate",
    "assessments:plan-item",
    "assessments:ladder-upload",
    "promotions:cycle-new",
    "promotions:cycle-edit",
    "promotions:cycle-advance",
    "promotions:cycle-add-person",
    "promotions:task-target",
    "promotions:adjust",
    "promotions:case-new",
    "promotions:case-edit",
    "promotions:case-submit",
    "promotions:case-note",
    "promotions:case-decide",
    "promotions:reminders",
    "scim_tokens:tokens",
    "api_tokens:tokens",
    "api_tokens:revoke",
    "api_tokens:service-account-new",
    "api_tokens:service-account",
}


def test_every_page_that_only_shows_refuses_a_post(admin_client):
    # Signed in as an admin, so that a refusal comes from the page's declared methods, not
    # from sign-in or permission checks. The Django admin is Django's own and left out, and
    # the SCIM API and the JSON API, which sign in with tokens of their own and are tested in
    # tests/scim and tests/api (each operation's methods are in the API's schema).
    answers = {
        path: admin_client.post(path).status_code
        for path, namespace, name in URLS
        if namespace not in ("admin", "scim", "api") and f"{namespace}:{name}" not in POSTED_TO
    }

    assert len(answers) > 20
    assert {path: code for path, code in answers.items() if code != 405} == {}


def test_every_page_showing_people_may_not_be_stored_by_any_cache(admin_client):
    # Every URL outside the public ladder: its people, assessments, evidence, plans, reports,
    # audit, CSV import and export, accounts and admin pages; whatever their status.
    for path, namespace, _ in URLS:
        if namespace == "frameworks":
            continue
        control = admin_client.get(path).get("Cache-Control", "")
        assert {"private", "no-store"} <= set(re.split(r",\s*", control)), path


def test_the_public_ladder_pages_may_still_be_cached(admin_client, dotnet_version):
    for path in ["/", "/ladders/dotnet/", "/ladders/dotnet/levels/MD1/"]:
        response = admin_client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_a_person_page_is_sent_private_and_not_stored(client, org):
    client.force_login(org.manager.user)

    response = client.get(f"/people/{org.engineer.pk}/")

    assert response.status_code == 200
    assert set(re.split(r",\s*", response["Cache-Control"])) == {"private", "no-store"}


# -- Content-Security-Policy

TEMPLATES = sorted((ROOT / "src" / "ladder").glob("**/templates/**/*.html"))
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style(?![^>]*\bnonce=)[^>]*>|\sstyle=|\son[a-z]+=|javascript:",
    re.IGNORECASE,
)


def test_pages_send_a_content_security_policy_without_unsafe_inline(client, dotnet_version):
    header = client.get("/ladders/dotnet/")["Content-Security-Policy"]
    policy = dict(directive.split(" ", 1) for directive in header.split("; "))

    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w+/=]+'", policy["style-src"])
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style_the_policy_would_block(template):
    assert INLINE_CODE.findall(template.read_text()) == []


# -- SQLite under concurrent writers

WRITERS = """
import sys, threading
import django
django.setup()
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction

call_command("migrate", "auth", verbosity=0)
failures = []

def write(writer):
    try:
        for n in range(30):
            with transaction.atomic():
                Group.objects.count()  # a read first, as services do before they write
                Group.objects.create(name=f"writer {writer}, group {n}")
    except Exception as error:
        failures.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(writer,)) for writer in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(Group.objects.count(), failures)
"""


def test_concurrent_writers_on_sqlite_all_succeed(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WRITERS],
        cwd=ROOT,
        env=production(DATABASE_URL=f"sqlite:///{tmp_path}/writers.sqlite3"),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "240 []"


# -- what stays off in production


def test_seed_demo_refuses_a_production_database_from_the_command_line(tmp_path):
    database = tmp_path / "production.sqlite3"

    result = run_ladder(
        "seed-demo",
        "--people",
        "40",
        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{database}"},
    )

    assert result.returncode == 1
    assert "DEBUG is off, so this looks like a production database" in result.stderr
    assert not database.exists()  # not even opened


@pytest.mark.django_db
def test_a_reset_signs_in_so_no_reset_complete_page_is_served(client):
    assert client.get("/accounts/reset/done/").status_code == 404


@pytest.mark.parametrize("name", ["password_reset_complete", "admin_password_reset"])
def test_no_page_links_to_a_reset_page_that_is_not_served(name):
    # The Django admin's sign-in page offers "Forgotten your password?" only when
    # admin_password_reset resolves: admins reset theirs on the site's own page.
    with pytest.raises(NoReverseMatch):
        reverse(name)
