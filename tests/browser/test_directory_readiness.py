"""The people directory in a real browser: an admin sorts it by readiness, filters it to one
verdict and downloads what it shows; the page passes axe-core's rules."""

import csv
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ladder.assessments.people_readiness import with_readiness, with_verdict
from ladder.people.models import Person
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser


def cells(page, column: int) -> list[str]:
    """The text of one column of the directory's rows, as the reader sees it."""
    rows = page.locator("table.directory-table tbody tr")
    return [" ".join(rows.nth(i).locator("td").nth(column).inner_text().split()) for i in range(rows.count())]  # fmt: skip


def readiness(page) -> list[str]:
    """Each row's verdicts, one per next level, joined as the CSV joins them."""
    rows = page.locator("table.directory-table tbody tr")
    return ["; ".join(rows.nth(i).locator("td .verdict").all_text_contents()) for i in range(rows.count())]  # fmt: skip


def test_an_admin_sorts_by_readiness_filters_and_downloads_what_is_shown(
    page, demo_site, artifacts
):
    everyone = with_readiness(Person.objects.all(), timezone.localdate())
    not_yet = with_verdict(everyone, "not_yet").count()
    assert with_verdict(everyone, "ready").exists() and not_yet  # the demo has both
    sign_in(page, demo_site, "admin@example.com")

    page.goto(demo_site + "/people/")
    assert violations(page) == []
    page.locator("table.directory-table thead").get_by_role("link", name="Readiness").click()

    expect(page).to_have_url(re.compile(r"\?sort=verdict$"))
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Readiness")
    assert re.search(r": Ready\b", readiness(page)[0])

    page.get_by_role("combobox", name="Readiness:", exact=True).select_option("not_yet")
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_role("status")).to_contain_text(f"{not_yet} people")
    shown = cells(page, 0)
    assert len(shown) == min(not_yet, 50)
    assert all("Not yet" in text for text in readiness(page))
    assert violations(page) == []
    page.screenshot(path=artifacts / "people-directory-readiness.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    with open(info.value.path(), newline="", encoding="utf-8") as file:
        header, *lines = list(csv.reader(file))

    assert info.value.suggested_filename == "people-directory.csv"
    assert len(lines) == not_yet
    name, verdicts = header.index("name"), header.index("readiness")
    assert [line[name] for line in lines][: len(shown)] == [text.removesuffix(" new") for text in shown]  # fmt: skip
    assert [line[verdicts] for line in lines][: len(shown)] == readiness(page)
