"""The Content-Security-Policy blocks nothing the pages need: no page reports a violation."""

import pytest

from ladder.assessments.models import Assessment
from ladder.people.models import Person
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# Runs before any script of each page: keeps every violation the browser reports.
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile || location.pathname}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched(page):
    """The page, and the violations its console and its listener report."""
    page.add_init_script(LISTEN)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def visit(page, url) -> list[str]:
    response = page.goto(url)
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")
    return page.evaluate("window.cspViolations")


def test_the_main_pages_report_no_violation(watched, demo_site):
    page, console = watched
    engineer = Person.objects.get(email="engineer@example.com")
    draft = Assessment.objects.filter(author=engineer, state="draft").first()
    shared = Assessment.objects.filter(person=engineer, state="shared").first()
    pages = {
        None: [
            "/",
            "/ladders/dotnet/levels/TL2/",
            "/ladders/dotnet/compare/TL1/TL2/",
            "/ladders/dotnet/versions/",
            "/ladders/dotnet/search/?q=lead+team",
            "/ladders/dotnet/print/",
            "/ladders/dotnet/levels/NOPE/",
            "/accounts/login/",
        ],
        "engineer@example.com": [
            f"/people/{engineer.pk}/",
            f"/people/{engineer.pk}/assessments/",
            f"/people/{engineer.pk}/assessments/side-by-side/",
            f"/people/{engineer.pk}/evidence/",
            f"/people/{engineer.pk}/plan/",
            f"/assessments/{(draft or shared).pk}/",
            "/accounts/password_change/",
        ],
        "manager@example.com": ["/reports/", "/people/", f"/teams/{engineer.team.slug}/"],
        "admin@example.com": [
            "/audit/",
            "/people/import/",
            "/teams/",
            "/admin/",
            "/admin/people/person/",
            f"/admin/people/person/{engineer.pk}/change/",
        ],
    }
    found = {}
    for who, paths in pages.items():
        if who:
            sign_in(page, demo_site, who)
        for path in paths:
            found[path] = visit(page, demo_site + path)

    assert {path: seen for path, seen in found.items() if seen} == {}
    assert console == []


def test_the_overview_lays_out_its_track_columns_under_the_policy(watched, demo_site):
    page, _ = watched
    assert visit(page, demo_site + "/") == []

    grid = page.locator(".ladder-grid")
    assert grid.evaluate("e => getComputedStyle(e).getPropertyValue('--tracks').trim()") == "2"
    columns = page.locator(".ladder-head .track-name").evaluate_all(
        "names => names.map(n => getComputedStyle(n).gridColumnStart)"
    )
    assert columns == ["2", "3"]
    join = page.locator(".level-card-join").first
    assert join.evaluate("e => getComputedStyle(e).gridColumnEnd") == "-1"


def test_the_print_button_prints_without_an_inline_handler(watched, demo_site):
    page, _ = watched
    page.add_init_script("window.print = () => { window.printed = true; };")
    assert visit(page, demo_site + "/ladders/dotnet/print/") == []

    page.get_by_role("button", name="Print").click()

    assert page.evaluate("window.printed") is True


def test_a_growth_plans_progress_bar_is_drawn_under_the_policy(watched, demo_site):
    page, _ = watched
    engineer = Person.objects.get(email="engineer@example.com")
    sign_in(page, demo_site, "engineer@example.com")

    assert visit(page, f"{demo_site}/people/{engineer.pk}/plan/") == []

    bar = page.get_by_role("progressbar")
    percent = int(bar.get_attribute("aria-valuenow"))
    drawn = bar.locator("rect").evaluate(
        "r => r.getBoundingClientRect().width / r.ownerSVGElement.getBoundingClientRect().width"
    )
    assert drawn == pytest.approx(percent / 100, abs=0.01)


def test_the_check_itself_catches_an_inline_style_and_script(watched, demo_site):
    page, console = watched
    visit(page, demo_site + "/")

    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">inline</p>');
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )

    page.wait_for_function("window.cspViolations.length >= 2")
    seen = page.evaluate("window.cspViolations")
    assert any(v.startswith("style-src-attr blocked inline") for v in seen), seen
    assert any(v.startswith("script-src-elem blocked inline") for v in seen), seen
    assert page.evaluate("window.ran") is None
