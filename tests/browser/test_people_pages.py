"""A manager signs in and looks at their people, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from ladder.people.models import Person
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_demo_manager_sees_their_reports_and_nobody_else(page, demo_site, artifacts):
    manager = Person.objects.get(email="manager@example.com")
    report = Person.objects.get(email="engineer@example.com")
    outsider = (
        Person.objects.exclude(path__startswith=manager.path)
        .exclude(pk__in=manager.chain_ids())
        .first()
    )

    sign_in(page, demo_site, "manager@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_role("link", name=report.name)).to_be_visible()
    expect(page.get_by_role("link", name=outsider.name)).to_have_count(0)
    page.screenshot(path=artifacts / "people-directory.png", full_page=True)

    page.get_by_role("link", name=report.name).click()
    expect(page).to_have_url(re.compile(rf"/people/{report.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(report.name)
    expect(page.get_by_role("heading", name="Level history")).to_be_visible()
    page.screenshot(path=artifacts / "person.png", full_page=True)

    response = page.goto(f"{demo_site}/people/{outsider.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_a_wrong_password_says_so_and_signs_nobody_in(page, demo_site):
    page.goto(demo_site + "/accounts/login/")
    page.get_by_label("Email").fill("manager@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
