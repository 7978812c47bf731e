"""The admin searches the people list by team and pages through the audit log, in a real
browser."""

import re

import pytest
from playwright.sync_api import expect

from ladder.audit.models import AuditEvent
from ladder.people.models import Person, Team
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_admin_finds_a_teams_people_by_typing_part_of_its_name(page, demo_site, artifacts):
    engineer = Person.objects.select_related("team").get(email="engineer@example.com")
    typed = engineer.team.name[:5].upper()
    expected = Person.objects.filter(team__in=Team.objects.matching(typed)).count()

    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/people/")
    page.get_by_role("searchbox", name="Team").fill(typed)
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(rf"[?&]team={re.escape(typed)}"))
    expect(page.get_by_role("status")).to_contain_text(f"{expected} people")
    expect(page.get_by_role("link", name=engineer.name)).to_be_visible()
    page.screenshot(path=artifacts / "people-team-search.png", full_page=True)


def test_the_admin_pages_older_then_newer_through_the_audit_log(page, demo_site, artifacts):
    newest = AuditEvent.objects.order_by("-at", "-pk").first()
    assert AuditEvent.objects.count() > 50

    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/audit/")
    rows = page.get_by_role("region", name="Events").locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(newest.target_label)
    last_of_first_page = rows.last.inner_text()

    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(re.compile(r"[?&]before=\d+_\d+"))
    expect(rows.first).not_to_have_text(last_of_first_page)
    page.screenshot(path=artifacts / "audit-older.png", full_page=True)

    page.get_by_role("link", name="← Newer").click()
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text(newest.target_label)
