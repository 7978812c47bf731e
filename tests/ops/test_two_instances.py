"""Scaling out: two `ladder serve` instances on one PostgreSQL database and one Redis cache
answer as one site. A session made on one is valid on the other, and a ladder version imported
through one is served by the other at once, however warm its pages were.

Both need PostgreSQL and Redis at 127.0.0.1 (CI always has them); the test fails, never skips,
when either does not answer. It makes a database of its own, whichever the suite runs on.
"""

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis

from ladder.frameworks.bundled import BUNDLED_LADDER
from tests.conftest import ROOT, run_ladder
from tests.ops.conftest import own_postgres_database
from tests.test_production import free_port, production

CACHE_URL = "redis://127.0.0.1:6379/6"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "ladder-demo"  # seed-demo's admin
LEVEL_PAGE = "/ladders/dotnet/levels/MD1/"
OLD_TEXT = "- Delivering features end to end on their own,"
NEW_TEXT = "- Delivering features end to end on their own, served alike by every instance,"


def ladder(*args: str, env: dict) -> None:
    result = run_ladder(*args, env=env)
    assert result.returncode == 0, f"ladder {' '.join(args)}: {result.stderr}"


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ladder serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"ladder serve at {url} was not ready within {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def database():
    """A PostgreSQL database of this module's own, dropped at the end."""
    with own_postgres_database("ladder_two_instances") as url:
        yield url


@pytest.fixture(scope="module")
def cache():
    """The Redis database both instances share, emptied first: a page cached by an earlier
    run, for the same version number of another database, must not be served here."""
    client = redis.Redis.from_url(CACHE_URL, socket_connect_timeout=10)
    try:
        client.flushdb()
    except redis.ConnectionError as error:
        pytest.fail(f"this test needs Redis at {CACHE_URL}: {error}")
    yield CACHE_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def instances(database, cache, tmp_path_factory):
    """Two `ladder serve --workers 1` on two ports, configured as a production would be."""
    environment = production(
        DATABASE_URL=database,
        CACHE_URL=cache,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP between the test and the servers, as behind a proxy that ends TLS.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        PYTHONUNBUFFERED="1",
    )
    ladder("migrate", "--no-input", env=environment)
    ladder("import", "--bundled", env=environment)
    ladder("seed-demo", "--people", "10", "--allow-production", env=environment)
    logs = tmp_path_factory.mktemp("serve")
    serve = Path(sys.executable).with_name("ladder")
    processes, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = logs / f"{name}.log"
            processes.append(
                subprocess.Popen(
                    [str(serve), "serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                    cwd=ROOT,
                    env=environment,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
            wait_until_ready(urls[-1], processes[-1], log)
        yield urls
    finally:
        for process in processes:
            stop(process)


class Browser:
    """Cookies kept per host as a browser keeps them (the port does not count), and forms
    posted with the CSRF token of the page they are on."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=60) as response:
            assert response.status == 200, url
            return response.read().decode()

    def post(self, url: str, fields: dict, files: dict | None = None) -> tuple[str, str]:
        """Post `fields` (and `files`: name -> (filename, bytes)) with the page's CSRF token;
        the page answered, after redirects, and its URL."""
        fields = {"csrfmiddlewaretoken": self.csrf_token(url), **fields}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": content_type, "Referer": url}
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            pytest.fail(f"POST {url}: {error.code}\n{error.read().decode()[:3000]}")

    def csrf_token(self, url: str) -> str:
        page = self.get(url)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def sign_in(self, url: str, email: str, password: str) -> None:
        page, where = self.post(
            f"{url}/accounts/login/", {"username": email, "password": password, "next": "/me/"}
        )
        assert "/people/" in where, page[:3000]

    def session(self) -> str:
        return next(c.value for c in self.cookies if c.name == "sessionid")


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/markdown\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def test_a_session_made_on_one_instance_is_valid_on_the_other(instances):
    a, b = instances
    browser = Browser()
    browser.sign_in(a, ADMIN_EMAIL, ADMIN_PASSWORD)

    # Only the session cookie goes to B, in a request of its own: nothing else carries over.
    request = urllib.request.Request(
        f"{b}/me/", headers={"Cookie": f"sessionid={browser.session()}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
        assert re.fullmatch(rf"{b}/people/\d+/", response.url), response.url
    assert ADMIN_EMAIL in page
    assert "Sign out" in page


def test_a_version_imported_through_one_instance_is_served_by_the_other_at_once(instances):
    a, b = instances
    anonymous = Browser()
    # Every page the import changes is warm on B (and on A) before it: whatever B or the cache
    # kept of version 1 would show below.
    for url in (a, b, b):
        for path in ("/", "/ladders/dotnet/", LEVEL_PAGE, "/ladders/dotnet/compare/MD1/MD2/"):
            page = anonymous.get(f"{url}{path}")
        assert "version 1 (imported" in page and NEW_TEXT not in page
    source = BUNDLED_LADDER.read_text()
    assert OLD_TEXT in source
    admin = Browser()
    admin.sign_in(a, ADMIN_EMAIL, ADMIN_PASSWORD)
    upload = f"{a}/ladders/dotnet/versions/new/"

    preview, _ = admin.post(
        upload,
        {"note": "Served alike by every instance."},
        files={"file": ("dotnet.md", source.replace(OLD_TEXT, NEW_TEXT).encode())},
    )
    pending = re.search(r'name="pending" value="([^"]+)"', preview)
    assert pending, preview[:3000]
    done, where = admin.post(upload, {"pending": pending[1]})
    assert where == f"{a}/ladders/dotnet/versions/2/", done[:3000]

    for path in (LEVEL_PAGE, "/ladders/dotnet/compare/MD1/MD2/"):
        page = anonymous.get(f"{b}{path}")
        assert NEW_TEXT[2:] in page, path
        assert "version 2 (imported" in page, path
    overview = anonymous.get(f"{b}/ladders/dotnet/")
    assert "version 2 (imported" in overview
