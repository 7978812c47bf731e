"""The Levels, Readiness and Time in level pages in a real browser: an admin filters each to a
team and downloads its CSV, which holds the table's own numbers; a manager sees only the people
below them; every page passes axe-core's rules."""

import csv
import re

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from ladder.assessments.models import StoredStanding
from ladder.people.models import Person
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

# Each page, its heading, and the table (with the heading of its section) its first CSV holds.
PAGES = [
    ("/insights/", "Levels", "levels-table", "now-heading"),
    ("/insights/readiness/", "Readiness", "readiness-levels-table", "by-level-heading"),
    ("/insights/time-in-level/", "Time in level", "time-table", "distribution-heading"),
]


def body_cells(page, table_id: str) -> list[list[str]]:
    """The table's body as the reader sees it; a dash is an empty cell, "12 months" is 12."""
    rows = page.locator(f"#{table_id} tbody tr")
    found = []
    for index in range(rows.count()):
        texts = rows.nth(index).locator("th, td").all_text_contents()
        found.append(
            [
                re.sub(
                    r"^(\d+) months?$", r"\1", "" if text.strip() == "—" else " ".join(text.split())
                )
                for text in texts
            ]
        )
    return found


def downloaded(page, link) -> list[list[str]]:
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def largest_team() -> tuple[str, int]:
    """The team with the most people holding a level, and how many."""
    row = (
        StoredStanding.objects.filter(current__isnull=False, person__team__isnull=False)
        .values("person__team__name")
        .annotate(people=Count("pk"))
        .order_by("-people", "person__team__name")
        .first()
    )
    return row["person__team__name"], row["people"]


@pytest.mark.parametrize("path,heading,table_id,section", PAGES)
def test_an_admin_filters_to_a_team_and_downloads_the_tables_numbers(
    page, demo_site, path, heading, table_id, section
):
    team, people = largest_team()
    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + path)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(".+")).first).to_be_visible()
    assert violations(page) == [], path

    box = page.get_by_role("combobox", name="Team")
    box.fill(team)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]team="))
    expect(box).to_have_value(team)

    shown = body_cells(page, table_id)
    assert sum(int(row[-1]) for row in shown) == people
    header, *rows = downloaded(page, page.locator(f"#{section} ~ .insights-downloads a"))
    assert header[-1] == "total"
    assert rows == shown
    assert violations(page) == [], path


def test_a_bad_filter_is_explained_on_the_page(page, demo_site):
    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/insights/readiness/?team=No+such+team")

    expect(page.get_by_role("alert")).to_contain_text("No team is called “No such team”.")
    assert page.locator("svg[role=img]").count() == 0
    assert violations(page) == []


def test_a_manager_sees_only_the_people_below_them(page, demo_site):
    manager = Person.objects.get(email="manager@example.com")
    below = Person.objects.reports_of(manager)
    with_level = StoredStanding.objects.filter(person__in=below, current__isnull=False).count()
    sign_in(page, demo_site, "manager@example.com")

    for path, _heading, table_id, _ in PAGES:
        page.goto(demo_site + path)
        expect(page.get_by_text(f"Counting everyone below {manager.name}.")).to_be_visible()
        total = page.locator(f"#{table_id} tfoot td").last.text_content()
        assert int(total) == with_level, path
        assert violations(page) == [], path

    page.goto(demo_site + "/insights/readiness/")
    listed = set(page.locator("#readiness-unassessed-table tbody th").all_text_contents())
    assert listed and listed <= set(below.values_list("name", flat=True))


def test_an_engineer_finds_no_insights(page, demo_site):
    sign_in(page, demo_site, "engineer@example.com")
    expect(page.get_by_role("navigation", name="Main").get_by_text("Insights")).to_have_count(0)

    response = page.goto(demo_site + "/insights/")
    assert response.status == 404
