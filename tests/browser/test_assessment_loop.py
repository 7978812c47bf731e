"""The whole loop in a real browser: self-assessment, manager assessment, verdict and plan."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db, org):
    return live_server.url, org


def fill_assessment(page, status, ratings):
    for dimension, rating in ratings.items():
        page.get_by_role("group", name=re.compile(dimension)).get_by_label(
            str(rating), exact=True
        ).check()
    criteria = page.locator("fieldset.criterion")
    for index in range(criteria.count()):
        criteria.nth(index).get_by_label(status, exact=True).check()


def confirm(page):
    """The second step of submitting: the answers shown again, and the button that submits."""
    page.get_by_role("button", name="Submit, it cannot be undone").click()


def test_engineer_and_manager_assess_and_the_engineer_sees_verdict_and_plan(page, site, artifacts):
    url, org = site
    ratings = {"Team Contributor": 4, "Technical Leadership": 2, "People Management": 2}

    # The engineer lands on their own page, writes a self-assessment against MD2, saves a
    # draft, submits it once they have seen it again and confirmed, and shares it.
    sign_in(page, url, "eve@example.com", "correct horse")
    expect(page).to_have_url(f"{url}/people/{org.engineer.pk}/")
    page.goto(f"{url}/people/{org.engineer.pk}/assessments/")
    page.get_by_label("Start a self-assessment against").select_option(
        label="MD2 Mid-level Developer II"
    )
    page.get_by_role("button", name="Start self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Self-assessment against MD2")
    fill_assessment(page, "Exceeds", ratings)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("Draft saved")
    page.screenshot(path=artifacts / "self-assessment-form.png", full_page=True)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", name="Submit this assessment?")).to_be_visible()
    expect(page.get_by_text("Submitting cannot be undone")).to_be_visible()
    page.screenshot(path=artifacts / "confirm-submit.png", full_page=True)
    confirm(page)
    expect(page.get_by_role("status").first).to_contain_text("Submitted")
    page.get_by_role("button", name="Share with your managers").click()
    expect(page.locator(".lede .state")).to_have_text("Shared")

    # The manager finds Eve not assessed against MD2 on their reports page and starts from
    # there; beside each answer they see Eve's; they rate one dimension below what MD2
    # expects, submit, confirm and share.
    sign_in(page, url, "mia@example.com", "correct horse")
    page.goto(f"{url}/reports/")
    expect(page.get_by_text("Not assessed against MD2 yet.")).to_be_visible()
    page.get_by_role("button", name="Assess Eve Engineer against MD2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Manager assessment against MD2")
    expect(page.locator(".beside-note")).to_contain_text("Eve Engineer's self-assessment")
    expect(page.locator("fieldset.criterion .beside").first).to_have_text(
        "Self-assessment: Exceeds"
    )
    expect(
        page.get_by_role("group", name=re.compile("Team Contributor")).locator(".beside")
    ).to_have_text("Self-assessment: 4")
    fill_assessment(page, "Meets", {**ratings, "Team Contributor": 3})
    page.screenshot(path=artifacts / "manager-assessment-form.png", full_page=True)
    page.get_by_role("button", name="Submit", exact=True).click()
    confirm(page)
    page.get_by_role("button", name="Share with Eve Engineer").click()
    expect(page.locator(".lede .state")).to_have_text("Shared")

    # The engineer sees the verdict with its reason, both assessments side by side, and a plan.
    sign_in(page, url, "eve@example.com", "correct horse")
    page.goto(f"{url}/people/{org.engineer.pk}/")
    expect(page.locator(".verdict")).to_have_text("Not yet ready for MD2: 1 gap.")
    expect(page.locator(".reasons .gap")).to_contain_text(
        "Team Contributor is rated 3; MD2 expects 4."
    )
    expect(page.locator(".readiness .radar-shape")).to_have_count(4)
    page.screenshot(path=artifacts / "person-readiness.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Self and manager side by side").click()
    expect(page.locator("tr.differs").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ differences, highlighted"))).to_be_visible()
    page.screenshot(path=artifacts / "side-by-side.png", full_page=True)

    page.get_by_role("link", name="Growth plan").click()
    page.get_by_role("button", name="Make a growth plan").click()
    expect(page.locator(".plan-item").first).to_be_visible()
    expect(page.locator(".plan-item", has_text="Team Contributor")).to_have_count(1)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    page.screenshot(path=artifacts / "growth-plan.png", full_page=True)


def test_a_draft_typed_when_the_session_expired_is_offered_back_after_signing_in(page, site):
    url, org = site
    sign_in(page, url, "eve@example.com", "correct horse")
    page.goto(f"{url}/people/{org.engineer.pk}/assessments/")
    page.get_by_label("Start a self-assessment against").select_option(
        label="MD2 Mid-level Developer II"
    )
    page.get_by_role("button", name="Start self-assessment").click()
    first = page.locator("fieldset.criterion").first
    first.get_by_label("Developing", exact=True).check()
    first.get_by_role("textbox").fill("Paired on two features this quarter.")

    page.context.clear_cookies(name="sessionid")  # the session expires before the save
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Email").fill("eve@example.com")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Self-assessment against MD2")
    expect(page.locator(".restore-banner")).to_be_visible()
    page.get_by_role("button", name="Restore them").click()
    first = page.locator("fieldset.criterion").first
    expect(first.get_by_label("Developing", exact=True)).to_be_checked()
    expect(first.get_by_role("textbox")).to_have_value("Paired on two features this quarter.")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status").first).to_contain_text("Draft saved")
    expect(page.locator(".restore-banner")).to_be_hidden()
    first = page.locator("fieldset.criterion").first
    expect(first.get_by_label("Developing", exact=True)).to_be_checked()


def kept_drafts(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage)"
        ".filter(k => k.startsWith('ladder:')).map(k => [k, localStorage.getItem(k)]))"
    )


def start_self_assessment(page, url, org):
    page.goto(f"{url}/people/{org.engineer.pk}/assessments/")
    page.get_by_label("Start a self-assessment against").select_option(
        label="MD2 Mid-level Developer II"
    )
    page.get_by_role("button", name="Start self-assessment").click()
    # The draft page's deferred script must be listening before anything is typed.
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    page.wait_for_load_state("load")
    page.locator("fieldset.criterion").first.get_by_role("textbox").fill("Typed, never saved.")


def test_what_the_browser_keeps_of_a_draft_is_the_users_own_and_goes_on_submit(page, site):
    url, org = site
    sign_in(page, url, "eve@example.com", "correct horse")
    start_self_assessment(page, url, org)

    (key,) = kept_drafts(page)
    assert key.startswith(f"ladder:{org.engineer.user.pk}:assessment-")
    fill_assessment(
        page, "Meets", {"Team Contributor": 3, "Technical Leadership": 2, "People Management": 1}
    )
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", name="Submit this assessment?")).to_be_visible()
    assert len(kept_drafts(page)) == 1  # still a draft while it waits to be confirmed
    confirm(page)

    expect(page.get_by_role("status").first).to_contain_text("Submitted")
    assert kept_drafts(page) == {}


def test_signing_out_drops_every_draft_the_browser_kept(page, site):
    url, org = site
    sign_in(page, url, "eve@example.com", "correct horse")
    start_self_assessment(page, url, org)
    assert len(kept_drafts(page)) == 1

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert kept_drafts(page) == {}
