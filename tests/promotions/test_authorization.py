"""The authorization matrix of the promotion round: every page and action of review cycles,
promotion cases, calibration and reminders, against the whole cast and a committee member.

Outcomes: 200 shown, 302 sent to sign in (anonymous) or on after acting, 400 refused with a
message (a form sent empty), 404 not found (out of scope: whether it exists does not leak).
"""

import re

import pytest

from ladder.promotions import urls as promotion_urls
from tests.conftest import calibration_round

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "engineer", "peer", "manager", "skip", "other_manager", "committee", "admin"]

# url template, method, then the outcome for each actor in ACTORS order. The cycle is in
# calibration; the engineer's case (opened by their manager, not yet ready) is submitted.
MATRIX = [
    ("/cycles/", "get", [302, 404, 404, 200, 200, 200, 200, 200]),
    ("/cycles/new/", "get", [302, 404, 404, 404, 404, 404, 404, 200]),
    ("/cycles/new/", "post", [302, 404, 404, 404, 404, 404, 404, 200]),
    ("/cycles/{cycle}/", "get", [302, 404, 404, 200, 200, 200, 200, 200]),
    ("/cycles/{cycle}/edit/", "get", [302, 404, 404, 404, 404, 404, 404, 200]),
    ("/cycles/{cycle}/advance/", "post", [302, 404, 404, 404, 404, 404, 404, 302]),
    ("/cycles/{cycle}/people/", "post", [302, 404, 404, 404, 404, 404, 404, 302]),
    ("/cycles/{cycle}/progress/", "get", [302, 404, 404, 200, 200, 200, 200, 200]),
    ("/cycles/{cycle}/progress/?format=csv", "get", [302, 404, 404, 200, 200, 200, 200, 200]),
    ("/cycles/{cycle}/members/{member}/target/", "post", [302, 302, 404, 302, 302, 404, 404, 404]),
    ("/cycles/{cycle}/calibration/", "get", [302, 404, 404, 404, 404, 404, 200, 200]),
    ("/cycles/{cycle}/calibration/?format=csv", "get", [302, 404, 404, 404, 404, 404, 200, 200]),
    ("/cycles/{cycle}/calibration/assessments/{assessment}/adjust/", "get", [302, 404, 404, 404, 404, 404, 200, 200]),
    ("/cycles/{cycle}/calibration/assessments/{assessment}/adjust/", "post", [302, 404, 404, 404, 404, 404, 400, 400]),
    ("/cycles/{cycle}/cases.pdf", "get", [302, 404, 404, 404, 404, 404, 200, 200]),
    ("/cases/", "get", [302, 200, 200, 200, 200, 200, 200, 200]),
    ("/people/{engineer}/cases/new/", "get", [302, 404, 404, 200, 200, 404, 404, 200]),
    ("/people/{peer}/cases/new/", "get", [302, 404, 404, 200, 200, 404, 404, 200]),
    ("/people/{peer}/cases/new/", "post", [302, 404, 404, 400, 400, 404, 404, 400]),
    ("/cases/{case}/", "get", [302, 200, 404, 200, 200, 404, 200, 200]),
    ("/cases/{case}/edit/", "get", [302, 404, 404, 302, 302, 404, 404, 302]),
    ("/cases/{case}/submit/", "post", [302, 404, 404, 302, 302, 404, 404, 302]),
    ("/cases/{case}/note/", "post", [302, 404, 404, 400, 400, 404, 404, 404]),
    ("/cases/{case}/decide/", "get", [302, 404, 404, 404, 404, 404, 200, 200]),
    ("/cases/{case}/decide/", "post", [302, 404, 404, 404, 404, 404, 400, 400]),
    ("/cases/{case}/packet.pdf", "get", [302, 404, 404, 200, 200, 404, 200, 200]),
    ("/me/reminders/", "post", [302, 302, 302, 302, 302, 302, 302, 302]),
]  # fmt: skip


@pytest.fixture
def round_(org):
    return calibration_round(org)


CASES = [
    pytest.param(url, method, actor, expected, id=f"{method} {url} as {actor}")
    for url, method, outcomes in MATRIX
    for actor, expected in zip(ACTORS, outcomes, strict=True)
]


@pytest.mark.parametrize("url, method, actor, expected", CASES)
def test_promotion_round_authorization_matrix(client, org, round_, url, method, actor, expected):
    if actor != "anonymous":
        client.force_login(getattr(org, actor).user)

    response = getattr(client, method)(url.format(**round_))

    assert response.status_code == expected


def test_the_matrix_covers_every_route_of_the_round():
    def shape(url: str) -> str:
        return re.sub(r"<int:\w+>|\{\w+\}", "ID", url.split("?")[0])

    routes = {
        shape("/" + str(route.pattern))
        for part in promotion_urls.urlpatterns
        for route in part.url_patterns
    }

    assert routes == {shape(url) for url, _, _ in MATRIX}
