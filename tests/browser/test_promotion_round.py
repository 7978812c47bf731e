"""A whole promotion round in a real browser, with mail delivered to a real SMTP server: the
admin opens a cycle, the engineer self-assesses, the manager assesses, shares and opens a case,
the committee member approves it in calibration, and the engineer is promoted."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from ladder.promotions.models import PromotionCase, ReviewCycle
from tests.browser.conftest import sign_in
from tests.smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse"
# What MD2 expects in each dimension: the manager rates Eve at it.
MD2_RATINGS = {"Team Contributor": 4, "Technical Leadership": 2, "People Management": 2}


@pytest.fixture
def site(live_server, transactional_db, org, smtp_server):  # noqa: F811
    return live_server.url, org, smtp_server


def answer(page, status, ratings):
    for dimension, rating in ratings.items():
        page.get_by_role("group", name=re.compile(dimension)).get_by_label(
            str(rating), exact=True
        ).check()
    criteria = page.locator("fieldset.criterion")
    for index in range(criteria.count()):
        criteria.nth(index).get_by_label(status, exact=True).check()


def submit_and_share(page, share_button):
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_role("button", name="Submit, it cannot be undone").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted")
    page.get_by_role("button", name=share_button).click()
    expect(page.locator(".lede .state")).to_have_text("Shared")


def test_a_promotion_round_from_opening_the_cycle_to_the_new_level(page, site, artifacts):
    url, org, mail = site
    today = timezone.localdate()

    # The admin creates the cycle with Oscar on its committee, and opens it.
    sign_in(page, url, "ada@example.com", PASSWORD)
    page.goto(f"{url}/cycles/new/")
    page.get_by_label("Name").fill("Autumn round")
    page.get_by_label("Everyone").check()
    for label, days in [
        ("Self-assessments due", 7),
        ("Manager assessments due", 14),
        ("Calibration", 21),
        ("Decisions take effect", 30),
    ]:
        page.get_by_label(label, exact=True).fill(str(today + datetime.timedelta(days=days)))
    page.get_by_label("Committee").fill("oscar@example.com")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Autumn round")
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.locator("[aria-current=step]")).to_have_text("Open")
    cycle = ReviewCycle.objects.get(name="Autumn round")

    # Eve lands on her own page, finds her task against MD2 and writes her self-assessment.
    sign_in(page, url, "eve@example.com", PASSWORD)
    expect(page).to_have_url(f"{url}/people/{org.engineer.pk}/")
    tasks = page.get_by_role("region", name="Review tasks and promotion")
    expect(tasks).to_contain_text("Autumn round")
    tasks.get_by_role("button", name="Start the self-assessment against MD2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Self-assessment against MD2")
    answer(page, "Exceeds", MD2_RATINGS)
    submit_and_share(page, "Share with your managers")

    # Mia assesses Eve from Eve's page, shares it, and opens a case for MD2.
    sign_in(page, url, "mia@example.com", PASSWORD)
    page.goto(f"{url}/people/{org.engineer.pk}/")
    page.get_by_role("button", name="Start the manager assessment against MD2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Manager assessment against MD2")
    answer(page, "Meets", MD2_RATINGS)
    submit_and_share(page, "Share with Eve Engineer")
    page.goto(f"{url}/people/{org.engineer.pk}/")
    expect(page.get_by_text("Ready for MD2.").first).to_be_visible()
    page.get_by_role("link", name="Open a promotion case").click()
    page.get_by_label("Recommendation").fill("Eve runs the payments work end to end.")
    page.get_by_role("button", name="Open the case as a draft").click()
    page.get_by_role("link", name="Submit for decision").click()
    page.get_by_role("button", name="Submit for decision").click()
    case = PromotionCase.objects.get(person=org.engineer)
    assert case.state == PromotionCase.State.SUBMITTED and case.cycle == cycle

    # The admin moves the cycle to calibration.
    sign_in(page, url, "ada@example.com", PASSWORD)
    page.goto(f"{url}/cycles/{cycle.pk}/")
    page.get_by_role("button", name="Start calibration").click()
    expect(page.locator("[aria-current=step]")).to_have_text("Calibration")

    # Oscar, on the committee, sees Eve ready on the calibration page and approves the case.
    sign_in(page, url, "oscar@example.com", PASSWORD)
    page.goto(f"{url}/cycles/{cycle.pk}/calibration/")
    row = page.get_by_role("row", name=re.compile("Eve Engineer"))
    expect(row).to_contain_text("MD2")
    expect(row).to_contain_text("Ready")
    page.screenshot(path=artifacts / "calibration.png", full_page=True)
    page.goto(f"{url}/cases/{case.pk}/")
    page.get_by_role("link", name="Decide").click()
    page.get_by_label("Approve").check()
    page.get_by_label("Feedback").fill("Clear evidence at MD2 across every dimension.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".state-approved").first).to_be_visible()

    # Eve's level history shows the promotion, from the cycle's date, and her plan has moved on
    # to the level after MD2.
    sign_in(page, url, "eve@example.com", PASSWORD)
    history = page.get_by_role("region", name="Level history")
    expect(history).to_contain_text("MD2")
    expect(history).to_contain_text("Promotion")
    effective = cycle.effective_on
    expect(history.locator(f"time[datetime='{effective:%Y-%m-%d}']").first).to_be_visible()
    page.goto(f"{url}/people/{org.engineer.pk}/plan/")
    expect(page.locator("main")).to_contain_text("SR1")

    # The mails of the round reached the SMTP server: the cycle's opening (sent by the
    # reminders run), Mia's shared assessment and the decision, to Eve and to Mia.
    call_command("send-reminders", verbosity=0)
    subjects = [message["Subject"] for message in mail.to("eve@example.com")]
    assert any("Autumn round" in subject for subject in subjects), subjects
    assert any("shared" in subject.lower() for subject in subjects), subjects
    assert any("approved" in subject.lower() for subject in subjects), subjects
    assert any("approved" in m["Subject"].lower() for m in mail.to("mia@example.com"))
