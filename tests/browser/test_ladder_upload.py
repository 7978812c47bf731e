"""An admin uploads a new version of the ladder in a real browser: the preview shows what changes
and whose readiness moves, the import keeps that list with the version and its note."""

import re

import pytest
from playwright.sync_api import expect

from ladder.assessments.changes import readiness_impact
from ladder.assessments.models import ReadinessChange
from ladder.frameworks.models import Ladder, LadderVersion
from ladder.frameworks.parse import parse
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations
from tests.conftest import DOTNET

pytestmark = pytest.mark.browser

NOTE = "MD1 now asks for two years before a promotion is considered."


def two_years_in_md1() -> str:
    return DOTNET.read_text().replace(
        "1 or more years of practical experience in MD1",
        "2 or more years of practical experience in MD1",
    )


def test_an_admin_uploads_a_version_sees_its_impact_and_imports_it(
    page, demo_site, artifacts, tmp_path
):
    text = two_years_in_md1()
    expected = readiness_impact(
        ladder=Ladder.objects.get(slug="dotnet"), data=parse(text, path="dotnet-v2.md")
    )
    assert expected, "the demo has someone in MD1 whose verdict the longer minimum moves"
    first = expected.changes[0]
    file = tmp_path / "dotnet-v2.md"
    file.write_text(text, encoding="utf-8")

    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/ladders/dotnet/versions/")
    page.get_by_role("link", name="Upload a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Upload a new version of .NET Developer Career Ladder"
    )
    assert violations(page) == []

    page.get_by_label("Ladder file").set_input_files(str(file))
    page.get_by_label("Why it changed").fill(NOTE)
    page.get_by_role("button", name="Preview changes").click()

    expect(page.get_by_role("heading", name="Preview of version 2")).to_be_visible()
    expect(page.get_by_role("heading", name="Level MD1")).to_be_visible()
    impact = page.locator("section", has=page.get_by_role("heading", name="Whose readiness"))
    expect(impact).to_contain_text(
        f"{len(expected.changes)} verdict{'s' if len(expected.changes) > 1 else ''} "
        "for a next level would change"
    )
    row = impact.get_by_role("row", name=re.compile(re.escape(first.person.name)))
    expect(row.first).to_contain_text(first.after)
    page.screenshot(path=artifacts / "ladder-upload-preview.png", full_page=True)
    assert violations(page) == []
    assert LadderVersion.objects.count() == 1

    page.get_by_role("button", name="Import version 2").click()

    expect(page).to_have_url(re.compile(r"/ladders/dotnet/versions/2/$"))
    expect(page.get_by_role("status")).to_contain_text("Imported version 2")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Version 2 of .NET Developer Career Ladder"
    )
    expect(page.get_by_text(NOTE)).to_be_visible()
    changes = page.locator(".readiness-change-table")
    row = changes.get_by_role("row", name=re.compile(re.escape(first.person.name)))
    expect(row.first).to_contain_text(first.after)
    page.screenshot(path=artifacts / "ladder-version.png", full_page=True)
    assert violations(page) == []
    assert ReadinessChange.objects.count() == len(expected.changes)

    page.get_by_role("link", name="History").first.click()
    expect(page.get_by_role("cell", name=NOTE)).to_be_visible()


def test_a_file_with_errors_is_shown_with_its_lines_and_nothing_imported(page, demo_site, tmp_path):
    file = tmp_path / "broken.md"
    file.write_text(DOTNET.read_text().replace("## Principal Engineer (PE1)", "## Oops (MD1)"))

    sign_in(page, demo_site, "admin@example.com")
    page.goto(demo_site + "/ladders/dotnet/versions/new/")
    page.get_by_label("Ladder file").set_input_files(str(file))
    page.get_by_role("button", name="Preview changes").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(re.compile(r"errors? in the file; nothing was imported"))
    expect(alert).to_contain_text("broken.md:")
    expect(alert).to_contain_text("duplicate level code MD1")
    assert violations(page) == []
    assert LadderVersion.objects.count() == 1
