"""Every kind of page passes axe-core's WCAG 2 A and AA rules (contrast included)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from ladder.assessments.models import Assessment
from ladder.people.models import Person
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    results = Axe().run(page, options=RULES)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def test_public_ladder_pages_pass_axe(page, demo_site):
    for path in [
        "/",
        "/ladders/dotnet/levels/TL2/",
        "/ladders/dotnet/compare/TL1/TL2/",
        "/ladders/dotnet/versions/",
        "/ladders/dotnet/search/?q=lead+team",
        "/ladders/dotnet/levels/NOPE/",
        "/accounts/login/",
    ]:
        page.goto(demo_site + path)
        assert violations(page) == [], path


def test_signed_in_pages_pass_axe(page, demo_site):
    engineer = Person.objects.get(email="engineer@example.com")
    draft = Assessment.objects.filter(author=engineer, state="draft").first()
    sign_in(page, demo_site, "engineer@example.com")
    pages = [
        f"/people/{engineer.pk}/",
        f"/people/{engineer.pk}/assessments/",
        f"/people/{engineer.pk}/assessments/side-by-side/",
        f"/people/{engineer.pk}/evidence/",
        f"/people/{engineer.pk}/plan/",
        "/accounts/password_change/",
    ]
    shared = Assessment.objects.filter(person=engineer, state="shared").first()
    pages.append(f"/assessments/{(draft or shared).pk}/")
    for path in pages:
        page.goto(demo_site + path)
        assert violations(page) == [], path

    sign_in(page, demo_site, "manager@example.com")
    for path in ["/reports/", "/people/", f"/teams/{engineer.team.slug}/"]:
        page.goto(demo_site + path)
        assert violations(page) == [], path

    sign_in(page, demo_site, "admin@example.com")
    for path in ["/audit/", "/people/import/", "/teams/"]:
        page.goto(demo_site + path)
        assert violations(page) == [], path


def test_the_check_itself_catches_low_contrast_and_a_missing_label(page):
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#bbb;background:#fff">faint text</p><input type="text">'
        "</main></body></html>"
    )

    found = {line.split(":")[0] for line in violations(page)}

    assert {"color-contrast", "label"} <= found


def test_promotion_round_pages_pass_axe(page, demo_site):
    from ladder.promotions.models import PromotionCase, ReviewCycle

    cycle = ReviewCycle.objects.get(stage=ReviewCycle.Stage.CALIBRATION)
    submitted = PromotionCase.objects.filter(state=PromotionCase.State.SUBMITTED).first()
    shared = Assessment.objects.filter(
        role="manager", state="shared", person__cycle_memberships__cycle=cycle
    ).first()
    sign_in(page, demo_site, "admin@example.com")
    pages = [
        "/cycles/",
        "/cycles/new/",
        f"/cycles/{cycle.pk}/",
        f"/cycles/{cycle.pk}/progress/",
        f"/cycles/{cycle.pk}/calibration/",
        f"/cycles/{cycle.pk}/calibration/assessments/{shared.pk}/adjust/",
        "/cases/",
        f"/cases/{submitted.pk}/decide/",
    ]
    one_of_each_state = {case.state: case for case in PromotionCase.objects.all()}
    pages += [f"/cases/{case.pk}/" for case in one_of_each_state.values()]
    for path in pages:
        page.goto(demo_site + path)
        assert violations(page) == [], path

    engineer = Person.objects.get(email="engineer@example.com")
    sign_in(page, demo_site, "manager@example.com")
    for path in [f"/people/{engineer.pk}/", f"/people/{engineer.pk}/cases/new/"]:
        page.goto(demo_site + path)
        assert violations(page) == [], path
