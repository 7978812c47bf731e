"""Single sign-on's pages with and without a provider, password sign-in turned off, and the
settings that refuse to start."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, make_person

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "engineer", "admin"]

# Without a provider, single sign-on's pages do not exist for anyone; with one, anyone may
# start, and a callback that Ladder did not start is refused.
MATRIX = [
    (False, "/sso/login/", "get", [404, 404, 404]),
    (False, "/sso/callback/?code=x&state=y", "get", [404, 404, 404]),
    (False, "/sso/login/", "post", [405, 405, 405]),
    (True, "/sso/login/", "get", [302, 302, 302]),
    (True, "/sso/callback/?code=x&state=y", "get", [400, 400, 400]),
    (True, "/sso/callback/", "post", [405, 405, 405]),
]
CASES = [
    pytest.param(
        configured,
        url,
        method,
        actor,
        expected,
        id=f"{method} {url} as {actor} {'with' if configured else 'without'} a provider",
    )
    for configured, url, method, outcomes in MATRIX
    for actor, expected in zip(ACTORS, outcomes, strict=True)
]


@pytest.mark.parametrize("configured, url, method, actor, expected", CASES)
def test_single_sign_on_authorization_matrix(
    client, request, org, configured, url, method, actor, expected
):
    if configured:
        request.getfixturevalue("provider")
    if actor != "anonymous":
        client.force_login(getattr(org, actor).user)

    response = getattr(client, method)(url)

    assert response.status_code == expected


def test_without_a_provider_the_sign_in_page_offers_no_button(client):
    page = client.get("/accounts/login/").content.decode()

    assert "Sign in with" not in page
    assert 'name="password"' in page


def test_with_a_provider_the_sign_in_page_offers_it_above_the_password_form(client, provider):
    page = client.get("/accounts/login/?next=/teams/").content.decode()

    assert '<a class="button" href="/sso/login/?next=/teams/">Sign in with Test ID</a>' in page
    assert page.index("Sign in with Test ID") < page.index('name="password"')


@pytest.fixture
def password_sign_in_off(provider, settings):
    settings.PASSWORD_SIGN_IN = False
    return provider


def test_with_password_sign_in_off_the_page_shows_only_the_provider(client, password_sign_in_off):
    page = client.get("/accounts/login/").content.decode()

    assert "Sign in with Test ID" in page
    assert 'name="password"' not in page


def test_with_password_sign_in_off_a_members_password_is_refused(client, password_sign_in_off):
    make_person("Eve Engineer", "eve@example.com")

    response = client.post(
        "/accounts/login/", {"username": "eve@example.com", "password": "correct horse"}
    )

    assert "_auth_user_id" not in client.session
    assert "Please enter a correct" in response.content.decode()


def test_with_password_sign_in_off_an_admin_still_signs_in_through_break_glass(
    client, password_sign_in_off
):
    ada = make_person("Ada Admin", "ada@example.com", admin=True)
    page = client.get("/accounts/login/?break-glass=1").content.decode()
    assert 'name="password"' in page
    assert "Signing in with a password is for admins only." in page

    client.post(
        "/accounts/login/?break-glass=1",
        {"username": "ada@example.com", "password": "correct horse"},
    )

    assert client.session["_auth_user_id"] == str(ada.user.pk)


def run_settings(**environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "PASSWORD_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "ladder.settings", "DEBUG": "1", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


CLIENT = {"OIDC_CLIENT_ID": "ladder", "OIDC_CLIENT_SECRET": "s3cret"}


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"PASSWORD_SIGN_IN": "0"}, "PASSWORD_SIGN_IN=0 turns password sign-in off"),
        ({"OIDC_ISSUER": "https://id.example.com"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": "http://id.example.com", **CLIENT}, "is not an issuer URL"),
        ({"OIDC_ISSUER": "id.example.com", **CLIENT}, "is not an issuer URL"),
        ({"OIDC_CREATE_PEOPLE": "maybe"}, "OIDC_CREATE_PEOPLE='maybe' is not a yes/no value"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_start(environment, message):
    result = run_settings(**environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_password_sign_in_may_be_turned_off_once_a_provider_is_set():
    result = run_settings(
        PASSWORD_SIGN_IN="0", OIDC_ISSUER="https://login.example.com/tenant/v2.0", **CLIENT
    )

    assert result.returncode == 0, result.stderr
