"""The authorization matrix of the promotion round: every page and action of review cycles,
promotion cases, calibration and reminders, against the whole cast and a committee member.

Outcomes: 200 shown, 302 sent to sign in (anonymous) or on after acting, 400 refused with a
message (a form sent empty), 404 not found (out of scope: whether it exists does not leak).
"""

import datetime
import re

import pytest
from django.utils import timezone

from ladder.assessments import services as assessment_services
from ladder.assessments.models import Assessment
from ladder.frameworks.models import Ladder
from ladder.people.tree import rebuild_paths
from ladder.promotions import cases, cycles
from ladder.promotions import urls as promotion_urls
from tests.conftest import make_person

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
    """A cycle of everyone in calibration, Cora on its committee, a shared manager assessment
    of the engineer against MD2, and the engineer's submitted case."""
    org.committee = make_person("Cora Committee", "cora@example.com")
    rebuild_paths()
    org.committee.refresh_from_db()
    today = timezone.localdate()
    cycle = cycles.cycle_create(
        by=org.admin.user,
        name="2026 H2",
        ladder=Ladder.objects.get(slug="dotnet"),
        scope="everyone",
        self_due=today,
        manager_due=today,
        calibration_on=today,
        effective_on=today + datetime.timedelta(days=30),
        committee=[org.committee],
    )
    cycle = cycles.cycle_advance(by=org.admin.user, cycle=cycle)
    assessment = assessment_services.assessment_start(
        author=org.manager, person=org.engineer, level=org.levels["MD2"], role="manager"
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        state="submitted", submitted_at=assessment.created_at
    )
    assessment.refresh_from_db()
    assessment_services.assessment_share(author=org.manager, assessment=assessment)
    cycle = cycles.cycle_advance(by=org.admin.user, cycle=cycle)
    case = cases.case_open(
        by=org.manager.user,
        person=org.engineer,
        to_level=org.levels["MD2"],
        recommendation="Ready in all but time.",
        justification="Leads the payments work already.",
    )
    cases.case_submit(by=org.manager.user, case=case)
    return {
        "cycle": cycle.pk,
        "member": cycle.members.get(person=org.engineer).pk,
        "assessment": assessment.pk,
        "case": case.pk,
        "engineer": org.engineer.pk,
        "peer": org.peer.pk,
    }


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
