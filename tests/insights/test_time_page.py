"""The Time in level page: time in level against each level's Minimum Experience, who may be
stuck, its CSVs and its cost."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ladder.frameworks.experience import add_months, months_between
from ladder.insights import views_time
from ladder.insights.time_in_level import months_ago
from ladder.people.services import person_create
from ladder.promotions import cases
from tests.insights.builders import TODAY, grow
from tests.insights.html_tables import body, csv_rows, table

pytestmark = pytest.mark.django_db

URL = reverse("insights:time")
DAY = datetime.timedelta(days=1)
BUCKETS = ["Below the minimum", "Minimum to twice it", "Twice the minimum or more"]


def hire(org, name, code, since, **kwargs):
    return person_create(
        by=org.admin.user,
        name=name,
        email=f"{name.split()[0].lower()}@example.com",
        manager=kwargs.get("manager", org.manager),
        team=kwargs.get("team", org.core),
        level=org.levels[code],
        level_since=since,
    )


@pytest.fixture
def juniors(org):
    """Four JR1s (a minimum of 12 months) on each side of 12 and 24 months in level, and Pete at
    the top, where no minimum is stated. Eve, Pat, Mia and Olga have all held their levels for
    more than twice their minimums."""
    hire(org, "Bo Below", "JR1", add_months(TODAY, -12) + DAY)
    hire(org, "Cy Minimum", "JR1", add_months(TODAY, -12))
    hire(org, "Di Nearly", "JR1", add_months(TODAY, -24) + DAY)
    hire(org, "Ed Twice", "JR1", add_months(TODAY, -24))
    hire(org, "Pete Principal", "PE1", datetime.date(2020, 1, 1), team=None)
    return org


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(html) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in body(html, "time-table")}


def test_whole_months_against_the_minimum_put_each_person_in_one_bucket(client, juniors):
    html = page(client, juniors.admin.user)

    # Minimum, below, minimum to twice, twice or more, no minimum, total.
    rows = rows_of(html)
    assert rows["JR1 Junior Developer I"] == ["12 months", "1", "2", "1", "0", "4"]
    assert rows["MD1 Mid-level Developer I"] == ["12 months", "0", "0", "1", "0", "1"]
    assert rows["PE1 Principal Engineer"] == ["—", "0", "0", "0", "1", "1"]
    assert table(html, "time-table", "tfoot") == [["All levels", "1", "2", "5", "1", "9"]]
    assert (
        "5 of 9 people with a level have held it for twice its minimum experience or longer; "
        "5 of them have no open promotion case." in html
    )


def test_the_cut_off_dates_agree_with_whole_months_in_level():
    for offset in range(400):
        today = datetime.date(2024, 1, 1) + offset * DAY
        for months in (1, 12, 18, 24, 36):
            cut = months_ago(today, months)
            for since in (cut - DAY, cut, cut + DAY):
                assert (months_between(since, today) >= months) is (since <= cut), (today, since)


def stuck(html) -> list[str]:
    return [row[0] for row in body(html, "stuck-table")]


def test_the_possibly_stuck_are_those_twice_the_minimum_with_no_open_case(client, juniors):
    case = cases.case_open(
        by=juniors.manager.user,
        person=juniors.engineer,
        to_level=juniors.levels["MD2"],
        recommendation="Ready.",
        justification="Long in level.",
        off_cycle=True,
    )

    html = page(client, juniors.admin.user)

    # Longest in level first; Eve's open case takes her off the list.
    assert stuck(html) == ["Mia Manager", "Pat Peer", "Olga Outside", "Ed Twice"]
    ed = next(row for row in body(html, "stuck-table") if row[0] == "Ed Twice")
    assert ed[3:5] == ["24", "12"]
    assert "Not assessed against JR2" in ed[-1]
    assert "4 of them have no open promotion case" in html

    cases.case_submit(by=juniors.manager.user, case=case)
    cases.case_decide(by=juniors.admin.user, case=case, outcome="declined", feedback="Not yet.")
    assert "Eve Engineer" in stuck(page(client, juniors.admin.user))


def test_the_stuck_list_is_paginated(client, juniors, monkeypatch):
    monkeypatch.setattr(views_time, "PER_PAGE", 3)

    first = stuck(page(client, juniors.admin.user))
    second = stuck(page(client, juniors.admin.user, page=2))

    assert len(first) == 3 and len(second) == 2
    assert len(set(first) | set(second)) == 5


def test_filters_narrow_the_view(client, juniors):
    assert list(rows_of(page(client, juniors.admin.user, level="JR1"))) == [
        "JR1 Junior Developer I"
    ]
    other = page(client, juniors.admin.user, team="Other")
    assert stuck(other) == ["Olga Outside"]
    mine = page(client, juniors.manager.user)
    assert "Olga Outside" not in stuck(mine) and "Mia Manager" not in stuck(mine)
    assert "Pat Peer" in stuck(mine)


def test_each_csv_holds_the_numbers_of_its_table(client, juniors):
    grow(juniors, 10)
    html = page(client, juniors.admin.user, track="Developer")

    header, *rows = csv_rows(client.get(URL, {"track": "Developer", "format": "csv"}))
    assert header == ["level", "minimum_months", *BUCKETS, "No minimum stated", "total"]
    shown = [
        [row[0], row[1].removesuffix(" months").replace("—", ""), *row[2:]]
        for row in body(html, "time-table")
    ]
    assert rows == shown

    header, *rows = csv_rows(
        client.get(URL, {"track": "Developer", "format": "csv", "table": "stuck"})
    )
    assert header[:5] == ["name", "email", "level", "since", "months_in_level"]
    listed = body(html, "stuck-table")
    assert [[row[0], row[4]] for row in rows] == [[row[0], row[3]] for row in listed]


def test_the_chart_is_an_svg_named_by_its_title(client, juniors):
    html = page(client, juniors.admin.user)

    assert 'aria-labelledby="time-chart-title time-chart-desc"' in html
    assert "Time in level against the level&#x27;s minimum experience</title>" in html
    assert "JR1 Junior Developer I: below the minimum 1, minimum to twice it 2" in html


def test_no_one_in_view_says_so(client, org):
    html = page(client, org.admin.user, level="PE1")

    assert "No one in this view yet." in html
    assert "No one in this view has held their level for twice its minimum" in html


# -- cost ----------------------------------------------------------------------------------------


def queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("user", ["admin", "skip"])
def test_the_page_costs_the_same_queries_for_5_and_40_more_people(client, juniors, user):
    client.force_login(getattr(juniors, user).user)
    grow(juniors, 5)
    small = [queries(client), queries(client, level="MD1"), queries(client, format="csv")]
    grow(juniors, 35, first=5)
    large = [queries(client), queries(client, level="MD1"), queries(client, format="csv")]

    assert small == large
    assert max(large) <= 20
