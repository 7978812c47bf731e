"""Browser tests: Debian's Chromium, driven by Playwright, against the real server."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ladder.demo.organisation import demo_organisation_create
from ladder.frameworks.services import ladder_import
from tests.conftest import DOTNET, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the test's own database access stays
    # synchronous, which Django would otherwise refuse next to a running loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def dotnet_site(live_server, transactional_db):
    """The real server on a free port, with the bundled ladder imported."""
    ladder_import(source=DOTNET.read_text(), source_name="ladders/dotnet.md", slug="dotnet")
    return live_server.url


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The real server with the bundled ladder and the 40-person demo organisation."""
    demo_organisation_create(people=40, seed=0)
    return live_server.url


def sign_in(page, site, email, password="ladder-demo"):
    """Sign in through the real form with fresh cookies (the demo's password unless given), and
    wait for the signed-in header."""
    page.context.clear_cookies()
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture(scope="session")
def artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir()
    return ARTIFACTS
