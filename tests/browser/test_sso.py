"""Signing in with single sign-on in a real browser, through the real test provider."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_person
from tests.sso.oidc import oidc_provider  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_person_signs_in_through_the_provider_and_lands_on_their_page(
    page,
    live_server,
    transactional_db,
    oidc_provider,  # noqa: F811 (the fixture imported above)
    settings,
):
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Test ID"
    settings.SITE_URL = live_server.url
    oidc_provider.sends(email="eve@example.com", email_verified=True, name="Eve Engineer")
    eve = make_person("Eve Engineer", "eve@example.com", login=False)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Sign in with Test ID").click()
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_label("Username").fill(oidc_provider.username)
    page.get_by_label("Password").fill(oidc_provider.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/people/{eve.pk}/")))
    expect(page.get_by_role("heading", name="Eve Engineer")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
