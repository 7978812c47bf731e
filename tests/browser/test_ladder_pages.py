"""Reading the bundled ladder in a real browser, as an engineer would."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_engineer_reads_the_overview_follows_tl2_and_finds_the_seed(
    page, dotnet_site, artifacts
):
    page.goto(dotnet_site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(".NET Developer Career Ladder")
    expect(page.locator(".level-card")).to_have_count(10)
    page.screenshot(path=artifacts / "overview.png", full_page=True)

    page.get_by_role("link", name="TL2 Tech Lead").click()

    expect(page).to_have_url(re.compile(r"/ladders/dotnet/levels/TL2/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("TL2 Tech Lead")
    expect(page.get_by_text("Leading multiple teams or sub-teams.")).to_be_visible()
    ratings = page.get_by_role("table", name=re.compile(r"^Competency Ratings"))
    expect(ratings.get_by_role("row", name="Technical Leadership")).to_contain_text("5")
    expect(
        page.get_by_text("A Tech Lead at level 7 takes charge of multiple teams", exact=False)
    ).to_be_visible()
    page.screenshot(path=artifacts / "level-tl2.png", full_page=True)


def test_an_engineer_compares_tl1_with_tl2(page, dotnet_site, artifacts):
    page.goto(dotnet_site + "/ladders/dotnet/levels/TL1/")

    page.get_by_role("link", name="Compare TL1 with TL2").click()

    expect(page).to_have_url(re.compile(r"/compare/TL1/TL2/$"))
    row = page.locator(".compare-ratings").get_by_role(
        "row", name=re.compile("Technical Leadership")
    )
    expect(row).to_contain_text("▲ +1")
    expect(page.locator(".radar-shape")).to_have_count(2)
    page.screenshot(path=artifacts / "compare-tl1-tl2.png", full_page=True)

    page.get_by_label("From").select_option("SR1")
    page.get_by_label("To").select_option("SR2")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare/SR1/SR2/$"))


def test_an_engineer_searches_the_ladder(page, dotnet_site, artifacts):
    page.goto(dotnet_site + "/")

    page.get_by_role("searchbox", name="Search the ladder").fill("evangelizing")
    page.get_by_role("searchbox", name="Search the ladder").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("for “evangelizing”")
    expect(page.locator("mark").first).to_have_text(re.compile("evangelizing", re.I))
    page.screenshot(path=artifacts / "search.png")
    page.locator(".search-results a").first.click()
    expect(page).to_have_url(re.compile(r"/levels/TL2/$"))


def test_an_unknown_level_shows_the_sites_404_page(page, dotnet_site):
    response = page.goto(dotnet_site + "/ladders/dotnet/levels/ZZ9/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("link", name="Go to the ladder")).to_be_visible()


def pdf_pages(page) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))


def test_the_ladder_prints_one_level_per_page(page, dotnet_site, artifacts):
    page.goto(dotnet_site + "/ladders/dotnet/levels/TL2/")
    assert pdf_pages(page) == 1

    page.goto(dotnet_site + "/")
    page.get_by_role("link", name="Every level on one page, to print").click()
    expect(page.locator("article.level-page")).to_have_count(10)
    (artifacts / "ladder.pdf").write_bytes(page.pdf(format="A4"))
    assert pdf_pages(page) == 10


def test_pages_fit_a_phone_screen(browser, dotnet_site, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in [
        "/",
        "/ladders/dotnet/levels/TL2/",
        "/ladders/dotnet/compare/TL1/TL2/",
        "/ladders/dotnet/search/?q=team",
    ]:
        page.goto(dotnet_site + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.goto(dotnet_site + "/ladders/dotnet/compare/TL1/TL2/")
    page.screenshot(path=artifacts / "phone-compare.png", full_page=True)
    context.close()
