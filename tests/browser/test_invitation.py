"""Joining by invitation in a real browser: the admin invites a newcomer from their page, the mail
arrives at a real SMTP server, and its link leads the newcomer to set a password and in; then
forgetting that password and resetting it from the sign-in page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import RULES
from tests.conftest import make_person
from tests.smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/accounts/\S+")


@pytest.fixture
def site(live_server, transactional_db, org, smtp_server, settings):  # noqa: F811
    settings.SITE_URL = live_server.url
    newcomer = make_person("Nina New", "nina@example.com", team=org.core, login=False)
    return live_server.url, org, newcomer, smtp_server


def no_violations(page) -> None:
    found = Axe().run(page, options=RULES).response["violations"]
    assert [f"{v['id']}: {v['nodes'][0]['target']}" for v in found] == [], page.url


def test_a_newcomer_accepts_an_invitation_from_the_mail_and_later_resets_the_password(
    page, site, artifacts
):
    url, org, newcomer, mail = site

    sign_in(page, url, "ada@example.com", "correct horse")
    page.goto(f"{url}/people/{newcomer.pk}/")
    panel = page.get_by_role("region", name="Sign-in")
    expect(panel).to_contain_text("cannot sign in")
    no_violations(page)
    panel.get_by_role("button", name="Invite to sign in").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation sent to Nina New")
    expect(page.get_by_role("region", name="Sign-in")).to_contain_text("Invited")
    page.goto(f"{url}/accounts/invite/?everyone=1")
    expect(page.get_by_role("heading", level=2)).to_contain_text("1 person to invite")
    no_violations(page)

    [message] = mail.to("nina@example.com")
    [link] = LINK.findall(message.get_content())
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nina New")
    assert "/accounts/invitation/accept/" in page.url  # the secret left the address bar
    no_violations(page)
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password confirmation").fill("password")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("alert").first).to_contain_text("too common")
    page.get_by_label("New password", exact=True).fill("quartz lantern meadow 42")
    page.get_by_label("New password confirmation").fill("quartz lantern meadow 42")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(f"{url}/people/{newcomer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nina New")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=artifacts / "invitation-accepted.png", full_page=True)

    # The link worked once.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You can sign in already")

    # Forgot it already: reset from the sign-in page.
    page.goto(f"{url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    no_violations(page)
    page.get_by_label("Email").fill("Nina@Example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your mail")
    no_violations(page)
    reset = mail.to("nina@example.com")[-1]
    assert reset["Subject"] == "Reset your Ladder password"
    [link] = LINK.findall(reset.get_content())
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    no_violations(page)
    page.get_by_label("New password", exact=True).fill("violet harbour engine 77")
    page.get_by_label("New password confirmation").fill("violet harbour engine 77")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(f"{url}/people/{newcomer.pk}/")
    sign_in(page, url, "nina@example.com", "violet harbour engine 77")
