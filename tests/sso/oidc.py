"""A real OpenID Connect provider for the whole test run, and a way through its pages; the
fixtures are used here (conftest.py) and by the browser test.

The provider (tests/sso/provider/) is django-oauth-toolkit in its own process, with its own
SQLite database and an RSA key made for the run. Ladder talks to it over HTTP exactly as to
Entra ID or Keycloak: discovery, keys, the token exchange.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ROOT

# The redirect URIs registered at the provider: the test client's host, and the live server's
# (on localhost, any port).
REDIRECT_URIS = "http://testserver/sso/callback/ http://localhost/sso/callback/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HiddenInputs(HTMLParser):
    """The hidden fields of a page's form, which the provider's approval page posts back."""

    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def hidden_inputs(html: str) -> dict:
    parser = HiddenInputs()
    parser.feed(html)
    return parser.fields


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    username: str
    password: str
    control: Path
    process: subprocess.Popen = field(repr=False)

    def sends(self, **claims) -> None:
        """What the provider puts in its next ID tokens: `email`, `email_verified` (None
        leaves it out), `name`, and `tamper` to spoil the token."""
        self.control.write_text(json.dumps(claims))

    def approve(self, authorize_url: str) -> str:
        """Log in at the provider as its user and approve Ladder, as a person would in their
        browser; the URL the provider then sends the browser back to."""
        browser = requests.Session()
        login_page = browser.get(authorize_url, timeout=10)
        assert urlsplit(login_page.url).path == "/accounts/login/", login_page.url
        approval = browser.post(
            login_page.url,
            data={
                **hidden_inputs(login_page.text),
                "username": self.username,
                "password": self.password,
            },
            timeout=10,
        )
        assert urlsplit(approval.url).path == "/o/authorize/", approval.text
        approved = browser.post(
            approval.url,
            data={**hidden_inputs(approval.text), "allow": "Authorize"},
            allow_redirects=False,
            timeout=10,
        )
        assert approved.status_code == 302, approved.text
        return approved.headers["Location"]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("the test provider did not start within 60 s")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    password = secrets.token_urlsafe(12)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings",
        "PYTHONPATH": str(ROOT),
        "PROVIDER_SECRET_KEY": secrets.token_urlsafe(50),
        "PROVIDER_DATABASE": str(folder / "provider.sqlite3"),
        "PROVIDER_KEY_FILE": str(key_file),
        "PROVIDER_ISSUER": issuer,
        "PROVIDER_CONTROL": str(folder / "control.json"),
        "PROVIDER_USERNAME": "eve",
        "PROVIDER_EMAIL": "eve@example.com",
        "PROVIDER_PASSWORD": password,
        "PROVIDER_CLIENT_ID": "ladder-" + secrets.token_hex(4),
        "PROVIDER_CLIENT_SECRET": secrets.token_urlsafe(32),
        "PROVIDER_REDIRECT_URIS": REDIRECT_URIS,
    }
    subprocess.run(
        [sys.executable, "-m", "tests.sso.provider.prepare"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log = folder / "provider.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(issuer + "/.well-known/openid-configuration", process, log)
        yield Provider(
            issuer=issuer,
            client_id=env["PROVIDER_CLIENT_ID"],
            client_secret=env["PROVIDER_CLIENT_SECRET"],
            username="eve",
            password=password,
            control=Path(env["PROVIDER_CONTROL"]),
            process=process,
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def provider(oidc_provider, settings):
    """Ladder set up to sign in with the test provider, which sends its defaults: Eve's
    verified address, an honest token."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Test ID"
    settings.SITE_URL = "http://testserver"
    oidc_provider.sends(email="eve@example.com", email_verified=True, name="Eve Engineer")
    yield oidc_provider
    oidc_provider.control.unlink(missing_ok=True)
