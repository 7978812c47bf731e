"""The Readiness page: the funnel by level and team from stored readiness read as of today, when
those eligible later become eligible, who has not been assessed, its CSVs and its cost."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ladder.assessments.models import Assessment, StoredReadiness
from ladder.assessments.stored import readiness_refresh
from ladder.frameworks.experience import add_months, first_day_of
from ladder.insights import views_readiness
from ladder.people.services import person_create
from tests.insights.builders import TODAY, grow
from tests.insights.html_tables import body, csv_rows, table
from tests.promotions.test_cases import shared

pytestmark = pytest.mark.django_db

URL = reverse("insights:readiness")
STAGES = ["Ready", "Eligible later", "Not yet", "Not assessed", "No next level"]


@pytest.fixture
def funnel(org):
    """Eve (MD1) ready for MD2; Pat (MD2) not yet ready for SR1; Nia (JR1, two months in)
    meeting JR2 but for time; Pete (PE1, no team) at the top; Olga (JR2) and Mia (TL1) not
    assessed."""
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    shared(org.manager, org.peer, org.levels["SR1"], "manager", status="developing")
    org.nia = person_create(
        by=org.admin.user,
        name="Nia New",
        email="nia@example.com",
        manager=org.manager,
        team=org.core,
        level=org.levels["JR1"],
        level_since=add_months(TODAY, -2),
    )
    shared(org.manager, org.nia, org.levels["JR2"], "manager")
    org.pete = person_create(
        by=org.admin.user,
        name="Pete Principal",
        email="pete@example.com",
        manager=org.skip,
        level=org.levels["PE1"],
        level_since=datetime.date(2020, 1, 1),
    )
    return org


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(html, table_id) -> dict[str, list[int]]:
    return {row[0]: [int(cell) for cell in row[1:]] for row in body(html, table_id)}


def test_the_funnel_counts_each_person_once_by_level(client, funnel):
    html = page(client, funnel.admin.user)

    # Ready, eligible later, not yet, not assessed, no next level, total.
    assert rows_of(html, "readiness-levels-table") == {
        "JR1 Junior Developer I": [0, 1, 0, 0, 0, 1],
        "JR2 Junior Developer II": [0, 0, 0, 1, 0, 1],
        "MD1 Mid-level Developer I": [1, 0, 0, 0, 0, 1],
        "MD2 Mid-level Developer II": [0, 0, 1, 0, 0, 1],
        "TL1 Tech Lead": [0, 0, 0, 1, 0, 1],
        "PE1 Principal Engineer": [0, 0, 0, 0, 1, 1],
    }
    assert table(html, "readiness-levels-table", "tfoot") == [
        ["Everyone", "1", "1", "1", "2", "1", "6"]
    ]
    eligible = first_day_of(add_months(TODAY, -2), 12)
    assert (
        f"1 of 6 people with a level is ready for their next level; 1 more is eligible by "
        f"{eligible:%B %Y}." in html
    )


def test_the_funnel_by_team_puts_those_on_no_team_last(client, funnel):
    html = page(client, funnel.admin.user)

    assert rows_of(html, "readiness-teams-table") == {
        "Core": [1, 1, 1, 1, 0, 4],
        "Other": [0, 0, 0, 1, 0, 1],
        "No team": [0, 0, 0, 0, 1, 1],
    }


def test_eligible_later_is_listed_by_the_month_it_comes(client, funnel):
    html = page(client, funnel.admin.user)

    month = first_day_of(add_months(TODAY, -2), 12)
    assert body(html, "readiness-eligible-table") == [[f"{month:%B %Y}", "1"]]


def test_a_date_that_has_passed_counts_as_ready_when_read(client, funnel):
    # Stored while Nia still had time to serve; the day has come since.
    StoredReadiness.objects.filter(person=funnel.nia, position=0).update(
        verdict="eligible_from", eligible_from=TODAY
    )

    html = page(client, funnel.admin.user)

    assert rows_of(html, "readiness-levels-table")["JR1 Junior Developer I"][:2] == [1, 0]
    assert "2 of 6 people with a level are ready for their next level." in html
    assert "No one in this view is waiting only on time in level." in html


def unassessed(html) -> dict[str, str]:
    return {row[0]: row[-1] for row in body(html, "readiness-unassessed-table")}


def test_people_never_or_long_ago_assessed_are_listed_never_first(client, funnel, settings):
    settings.INSIGHTS_NOT_ASSESSED_MONTHS = 6
    assessment = Assessment.objects.get(person=funnel.peer, state="shared")
    long_ago = add_months(TODAY, -7)
    Assessment.objects.filter(pk=assessment.pk).update(
        shared_at=datetime.datetime.combine(long_ago, datetime.time(12), tzinfo=datetime.UTC)
    )
    readiness_refresh([funnel.peer.pk])

    html = page(client, funnel.admin.user)

    listed = body(html, "readiness-unassessed-table")
    assert [row[0] for row in listed] == [
        "Mia Manager",
        "Olga Outside",
        "Pete Principal",
        "Pat Peer",
    ]
    assert listed[0][-1] == "Never"
    assert listed[-1][-1] == f"{long_ago.day} {long_ago:%b %Y}"
    assert "Not assessed for 6 months or more" in html

    settings.INSIGHTS_NOT_ASSESSED_MONTHS = 8
    assert "Pat Peer" not in unassessed(page(client, funnel.admin.user))


def test_the_not_assessed_list_is_paginated(client, funnel, monkeypatch):
    monkeypatch.setattr(views_readiness, "PER_PAGE", 2)

    first = unassessed(page(client, funnel.admin.user))
    second = unassessed(page(client, funnel.admin.user, page=2))

    assert len(first) == 2 and len(second) == 1
    assert set(first) | set(second) == {"Mia Manager", "Olga Outside", "Pete Principal"}
    assert "Page 1 of 2" in page(client, funnel.admin.user)


def test_the_team_table_is_paginated_and_keeps_the_totals(client, funnel, monkeypatch):
    monkeypatch.setattr(views_readiness, "TEAMS_PER_PAGE", 2)

    html = page(client, funnel.admin.user, teams=2)

    assert list(rows_of(html, "readiness-teams-table")) == ["No team"]
    assert table(html, "readiness-teams-table", "tfoot")[0][-1] == "6"
    assert "teams 3–3 of 3" in html


def test_filters_narrow_the_funnel(client, funnel):
    core = page(client, funnel.admin.user, team="Core")
    assert table(core, "readiness-levels-table", "tfoot")[0][1:] == ["1", "1", "1", "1", "0", "4"]

    tech_leads = page(client, funnel.admin.user, track="Tech Lead")
    assert rows_of(tech_leads, "readiness-levels-table") == {"TL1 Tech Lead": [0, 0, 0, 1, 0, 1]}

    mine = page(client, funnel.manager.user)
    assert "1 of 3 people with a level is ready" in mine


def test_each_csv_holds_the_numbers_of_its_table(client, funnel):
    grow(funnel, 12)
    html = page(client, funnel.admin.user, team="Core")

    for table_name, table_id, heading in [
        ("levels", "readiness-levels-table", "level"),
        ("teams", "readiness-teams-table", "team"),
    ]:
        response = client.get(URL, {"team": "Core", "format": "csv", "table": table_name})
        header, *rows = csv_rows(response)
        assert header == [heading, *STAGES, "total"]
        assert rows == body(html, table_id)

    header, *rows = csv_rows(
        client.get(URL, {"team": "Core", "format": "csv", "table": "eligible"})
    )
    shown = body(html, "readiness-eligible-table")
    assert [row[1] for row in rows] == [row[1] for row in shown]

    header, *rows = csv_rows(
        client.get(URL, {"team": "Core", "format": "csv", "table": "not_assessed"})
    )
    assert header == ["name", "email", "level", "team", "manager_email", "last_assessed_on"]
    assert [row[0] for row in rows] == list(unassessed(html))
    assert {row[3] for row in rows} == {"Core"}


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, funnel):
    person_create(
        by=funnel.admin.user,
        name="=HYPERLINK(1)",
        email="formula@example.com",
        manager=funnel.manager,
        level=funnel.levels["MD1"],
        level_since=TODAY,
    )
    client.force_login(funnel.admin.user)

    rows = csv_rows(client.get(URL, {"format": "csv", "table": "not_assessed"}))

    assert [row[0] for row in rows if "HYPERLINK" in row[0]] == ["'=HYPERLINK(1)"]


def test_the_charts_are_svgs_named_by_their_titles(client, funnel):
    html = page(client, funnel.admin.user)

    for chart_id in ["readiness-levels-chart", "readiness-teams-chart"]:
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    assert "Readiness for the next level, by current level</title>" in html
    assert "MD1 Mid-level Developer I: ready 1;" in html


def test_no_one_in_view_says_so(client, org):
    html = page(client, org.admin.user, level="PE1")

    assert "No one in this view yet." in html
    assert "0 of 0 people with a level are ready" in html


# -- cost ----------------------------------------------------------------------------------------


def queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("user", ["admin", "manager"])
def test_the_page_costs_the_same_queries_for_5_and_40_more_people(client, funnel, user):
    client.force_login(getattr(funnel, user).user)
    grow(funnel, 5)
    small = [queries(client, team="Core"), queries(client, format="csv")]
    grow(funnel, 35, first=5)
    large = [queries(client, team="Core"), queries(client, format="csv")]

    assert small == large
    assert max(large) <= 20
