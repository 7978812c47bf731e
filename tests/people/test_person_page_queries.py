"""The person page reads each thing once per request: at most 20 queries for the admin, the
person and their manager, however many people the organisation has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.assessments.services import assessment_start, growth_plan_generate
from tests.insights.builders import grow
from tests.promotions.test_cases import assessed
from tests.promotions.test_cycles import make_cycle

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def page_queries(client, org) -> dict[str, list[str]]:
    """The queries of the engineer's page as each viewer asks for it."""
    seen = {}
    for name in ("admin", "engineer", "manager"):
        client.force_login(getattr(org, name).user)
        # Once first, so that what is kept per ladder version is kept, as on a running site.
        client.get(f"/people/{org.engineer.pk}/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/people/{org.engineer.pk}/")
        assert response.status_code == 200
        seen[name] = [query["sql"] for query in captured.captured_queries]
    return seen


@pytest.fixture
def engineer_page(org):
    """The engineer with everything their page shows: a self and a manager assessment, a growth
    plan, and an open review task with its self-assessment begun."""
    assessed(org)
    growth_plan_generate(by=org.manager.user, person=org.engineer)
    make_cycle(org)
    assessment_start(author=org.engineer, person=org.engineer, level=org.levels["MD2"], role="self")
    return org


def test_the_person_page_makes_at_most_20_queries_for_the_admin_the_person_and_their_manager(
    client, engineer_page
):
    for viewer, queries in page_queries(client, engineer_page).items():
        assert len(queries) <= MAX_QUERIES, (viewer, len(queries), queries)


def test_the_person_page_reads_its_history_and_its_ladder_once(client, engineer_page):
    for viewer, queries in page_queries(client, engineer_page).items():
        history = [q for q in queries if 'FROM "people_levelassignment"' in q]
        criteria = [q for q in queries if 'FROM "frameworks_criterion"' in q]
        # The ladder is built from its rows once per version, then read from the cache.
        assert len(history) == 1 and len(criteria) <= 1, viewer


def test_the_person_page_makes_as_many_queries_with_200_more_people(client, engineer_page):
    before = {viewer: len(q) for viewer, q in page_queries(client, engineer_page).items()}
    grow(engineer_page, 200)
    after = {viewer: len(q) for viewer, q in page_queries(client, engineer_page).items()}
    assert after == before


def test_the_person_page_still_shows_readiness_the_chart_and_the_plan(client, engineer_page):
    client.force_login(engineer_page.manager.user)
    page = client.get(f"/people/{engineer_page.engineer.pk}/").content.decode()
    assert "Readiness for" in page
    assert "Self rating" in page and "Manager rating" in page
    assert "Growth plan progress" in page
    assert "Manager assessment" in page  # the open review task
