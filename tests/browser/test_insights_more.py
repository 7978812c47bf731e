"""The promotions and gaps insights pages in a real browser: filtering to a team, downloading a
table as CSV with the table's own numbers, a manager's narrower view, and axe-core's rules."""

import csv
import re
from collections import Counter

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from ladder.assessments.models import StoredReadiness
from ladder.people.models import LevelAssignment, Person
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser


def cells(page, table_id: str) -> list[list[str]]:
    """The table's cells as the reader sees them, header first; a dash is an empty cell."""
    rows = page.locator(f"#{table_id} tr")
    found = []
    for index in range(rows.count()):
        texts = rows.nth(index).locator("th, td").all_text_contents()
        found.append(["" if text.strip() == "—" else " ".join(text.split()) for text in texts])
    return found


def downloaded(page, link) -> list[list[str]]:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def filter_team(page, name: str) -> None:
    box = page.get_by_role("combobox", name="Team")
    box.fill(name)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]team="))
    expect(box).to_have_value(name)


def busiest_team_for_promotions() -> tuple[str, int]:
    teams = Counter(
        LevelAssignment.objects.filter(reason="promotion", person__team__isnull=False)
        .values_list("person__team__name", flat=True)
        .order_by()
    )
    return teams.most_common(1)[0]


def test_an_admin_filters_promotions_to_a_team_and_downloads_the_same_numbers(page, demo_site):
    team, _ = busiest_team_for_promotions()
    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/insights/promotions/")
    expect(page.get_by_role("heading", name="Promotions", level=1)).to_be_visible()
    assert violations(page) == []

    filter_team(page, team)

    shown = cells(page, "teams-table")
    assert [row[0] for row in shown[1:]] == [team, "All"]
    quarters = cells(page, "quarters-table")
    assert quarters[-1][0] == "All" and int(quarters[-1][1]) == int(shown[1][1]) > 0
    link = page.locator(".insights-downloads a").first
    assert downloaded(page, link) == quarters
    teams_link = page.locator("#teams-heading ~ .insights-downloads a")
    assert downloaded(page, teams_link) == shown
    assert violations(page) == []


def test_an_admin_filters_gaps_to_a_team_and_downloads_the_same_numbers(page, demo_site):
    assessed = (
        StoredReadiness.objects.exclude(verdict="not_assessed")
        .filter(person__team__isnull=False)
        .values("person__team__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    team = assessed["person__team__name"]
    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/insights/gaps/")
    expect(page.get_by_role("heading", name="Gaps", level=1)).to_be_visible()
    assert violations(page) == []

    filter_team(page, team)

    levels = cells(page, "levels-table")
    assert len(levels) > 1
    link = page.locator("#levels-heading ~ .insights-downloads a")
    assert downloaded(page, link) == levels
    overall = cells(page, "overall-table")
    assert downloaded(page, page.locator("#overall-heading ~ .insights-downloads a")) == overall
    # Each person of the team assessed against a level counts once per gap: no count is more
    # than the people assessed against that level.
    assert all(int(row[4]) <= int(row[5]) for row in levels[1:])
    assert violations(page) == []


def test_a_manager_sees_only_the_people_below_them(page, demo_site):
    manager = Person.objects.get(email="manager@example.com")
    below = Person.objects.reports_of(manager)
    promoted = LevelAssignment.objects.filter(reason="promotion")
    everyone, theirs = promoted.count(), promoted.filter(person__in=below).count()
    assert everyone > theirs  # otherwise the view would show nothing narrower
    sign_in(page, demo_site, "manager@example.com")

    page.goto(demo_site + "/insights/promotions/")

    expect(page.locator(".lede")).to_contain_text(f"Counting everyone below {manager.name}.")
    if theirs:
        quarters = cells(page, "quarters-table")
        # Within the eight quarters: no more than all their reports' promotions ever.
        assert int(quarters[-1][1]) <= theirs
    page.goto(demo_site + "/insights/gaps/")
    with_next = StoredReadiness.objects.filter(person__in=below).values("person").distinct()
    expect(page.locator(".insights-summary")).to_contain_text(
        f"{with_next.count()} people with a next level"
    )
    assert violations(page) == []

    sign_in(page, demo_site, "engineer@example.com")
    response = page.goto(demo_site + "/insights/gaps/")
    assert response.status == 404
