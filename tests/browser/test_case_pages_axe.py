"""Every page of a promotion case passes axe-core, for each kind of reader."""

import pytest

from ladder.promotions import cases
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations
from tests.promotions.test_cases import cycle, opened, ready  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_every_case_page_passes_axe(page, live_server, transactional_db, ready, cycle):  # noqa: F811
    case = opened(ready, justification="Shipped the rewrite.")
    other = cases.case_open(
        by=ready.manager.user,
        person=ready.peer,
        to_level=ready.levels["SR1"],
        recommendation="Pat runs the platform.",
        justification="The platform shows it.",
    )
    cases.case_submit(by=ready.manager.user, case=other)
    pages = {
        "mia@example.com": [
            "/cases/",
            f"/people/{ready.engineer.pk}/cases/new/",
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/edit/",
            f"/cases/{case.pk}/submit/",
        ],
        "sam@example.com": [f"/cases/{other.pk}/", f"/cases/{other.pk}/note/"],
        "cora@example.com": [f"/cases/{other.pk}/decide/"],
        "pat@example.com": [f"/cases/{other.pk}/"],
    }
    for email, paths in pages.items():
        sign_in(page, live_server.url, email, "correct horse")
        for path in paths:
            page.goto(live_server.url + path)
            assert violations(page) == [], path
