"""The Levels page: headcount by level and track today and at the last quarter ends, its chart,
its CSV, and its cost."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ladder.insights import charts
from ladder.insights.levels import quarter_ends
from ladder.people.services import person_create, person_set_level
from tests.insights.builders import TODAY, grow
from tests.insights.html_tables import body, csv_rows, table

pytestmark = pytest.mark.django_db

URL = reverse("insights:levels")
DAY = datetime.timedelta(days=1)


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def headcount(html) -> dict[str, list[str]]:
    """Level number -> [Developer, Tech Lead, total] from the page's table."""
    return {row[0]: row[2:] for row in body(html, "levels-table")}


def test_the_headcount_counts_each_person_at_their_level_and_track(client, org):
    person_create(
        by=org.admin.user,
        name="Sid Senior",
        email="sid@example.com",
        manager=org.manager,
        team=org.core,
        level=org.levels["SR2"],
        level_since=datetime.date(2024, 1, 1),
    )

    html = page(client, org.admin.user)
    rows = headcount(html)

    assert rows["2"] == ["1", "0", "1"]  # Olga, JR2
    assert rows["3"] == ["1", "0", "1"]  # Eve, MD1
    assert rows["4"] == ["1", "0", "1"]  # Pat, MD2
    # Level 6 has two levels, one a track: Sid's SR2 and Mia's TL1, stacked.
    assert rows["6"] == ["1", "1", "2"]
    assert rows["8"] == ["0", "0", "0"]  # every level of the ladder, with people or not
    assert table(html, "levels-table", "tfoot") == [["All levels", "4", "1", "5"]]
    # Sam, Oscar and Ada have no level.
    assert "5 people hold a level and 3 have none yet" in html


def test_the_chart_is_an_svg_named_by_its_title_with_a_bar_per_level(client, org):
    html = page(client, org.admin.user)

    assert 'role="img" aria-labelledby="levels-chart-title levels-chart-desc"' in html
    assert '<title id="levels-chart-title">People by level and track</title>' in html
    assert "Level 6 · SR2 / TL1" in html
    # One pattern per track, so that bars read in print; a legend names them.
    assert 'id="levels-chart-p0"' in html and 'id="levels-chart-p1"' in html
    assert '<ul class="chart-legend"' in html
    assert "Developer</li>" in html and "Tech Lead</li>" in html
    assert 'style="' not in html.split("<main")[1]  # the CSP allows no style attribute


def test_the_csv_holds_the_numbers_of_the_table(client, org):
    grow(org, 6)
    html = page(client, org.admin.user, team="Core")

    header, *rows = csv_rows(client.get(URL, {"team": "Core", "format": "csv"}))

    assert header == ["level", "levels", "Developer", "Tech Lead", "total"]
    assert rows == body(html, "levels-table")
    assert sum(int(row[-1]) for row in rows) == 3 + 3  # Eve, Pat, Mia and three of six


def test_a_filtered_view_counts_only_those_people(client, org):
    assert headcount(page(client, org.admin.user, track="Tech Lead"))["6"] == ["1", "1"]
    by_level = headcount(page(client, org.admin.user, level="MD1"))
    assert by_level == {"3": ["1", "1"]}
    below_oscar = headcount(page(client, org.admin.user, manager="oscar@example.com"))
    assert below_oscar["2"] == ["1", "0", "1"]
    assert sum(int(row[-1]) for row in below_oscar.values()) == 1


# -- the last quarters ---------------------------------------------------------------------------


def test_quarter_ends_are_the_last_four_before_today():
    assert quarter_ends(datetime.date(2026, 11, 26)) == [
        datetime.date(2025, 12, 31),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 9, 30),
    ]
    assert quarter_ends(datetime.date(2026, 1, 1))[-1] == datetime.date(2025, 12, 31)
    assert quarter_ends(datetime.date(2026, 3, 31))[-1] == datetime.date(2025, 12, 31)
    assert quarter_ends(datetime.date(2026, 4, 1))[0] == datetime.date(2025, 6, 30)


def history(html) -> list[list[str]]:
    return [row[1:] for row in body(html, "history-table")]


def test_the_history_counts_who_held_a_level_at_each_quarter_end(client, org):
    ends = quarter_ends(TODAY)
    # Pat moves from MD2 to SR1 the day after the second quarter end; Nia joins after the third.
    person_set_level(
        by=org.admin.user,
        person=org.peer,
        level=org.levels["SR1"],
        since=ends[1] + DAY,
        reason="promotion",
    )
    person_create(
        by=org.admin.user,
        name="Nia New",
        email="nia@example.com",
        manager=org.manager,
        team=org.core,
        level=org.levels["JR1"],
        level_since=ends[2] + DAY,
    )

    html = page(client, org.admin.user)

    # Developer, Tech Lead, total, change: four quarter ends, then today.
    assert history(html) == [
        ["3", "1", "4", "—"],
        ["3", "1", "4", "0"],
        ["3", "1", "4", "0"],
        ["4", "1", "5", "+1"],
        ["4", "1", "5", "0"],
    ]
    # A level filter counts the level held on each day.
    assert [row[-3] for row in history(page(client, org.admin.user, level="MD2"))] == [
        "1",
        "1",
        "0",
        "0",
        "0",
    ]
    assert [row[-3] for row in history(page(client, org.admin.user, level="SR1"))] == [
        "0",
        "0",
        "1",
        "1",
        "1",
    ]
    assert "1 more than at the end of" in html


def test_the_history_csv_holds_the_numbers_of_its_table(client, org):
    grow(org, 8)
    html = page(client, org.admin.user)

    header, *rows = csv_rows(client.get(URL, {"format": "csv", "table": "history"}))

    assert header == ["day", "when", "Developer", "Tech Lead", "total", "change"]
    shown = [[cell.replace("—", "").lstrip("+") for cell in row] for row in history(html)]
    assert [row[2:] for row in rows] == shown
    assert [row[0] for row in rows] == [day.isoformat() for day in [*quarter_ends(TODAY), TODAY]]


def test_an_empty_view_says_so(client, org):
    html = page(client, org.admin.user, manager="mia@example.com", level="PE1")

    assert "No one in this view yet." in html


# -- cost ----------------------------------------------------------------------------------------


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"team": "Core", "manager": "sam@example.com"}])
def test_the_page_costs_the_same_queries_for_5_and_40_more_people(client, org, params):
    client.force_login(org.admin.user)
    grow(org, 5)
    small = queries(client, URL, **params), queries(client, URL, format="csv", **params)
    grow(org, 35, first=5)
    large = queries(client, URL, **params), queries(client, URL, format="csv", **params)

    assert small == large
    assert max(large) <= 20


# -- the chart helper ----------------------------------------------------------------------------


def test_a_stacked_chart_scales_its_bars_to_round_ticks():
    chart = charts.stacked_bars(
        id="c",
        title="T",
        description="D",
        series=["A", "B"],
        rows=[("One", [3, 2]), ("Two", [0, 7])],
    )

    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8]
    one, two = chart.bars
    assert (one.total, two.total) == (5, 7)
    # A zero draws no segment; the others are as long as their share of the axis.
    assert [s.value for s in two.segments] == [7]
    width = float(chart.plot_right) - float(chart.plot_left)
    assert float(one.segments[0].width) == pytest.approx(width * 3 / 8, abs=0.1)
    assert '<title id="c-title">T</title>' in str(chart)


def test_a_chart_refuses_a_row_with_the_wrong_number_of_values():
    with pytest.raises(ValueError, match="2 values for 3 series"):
        charts.stacked_bars(id="c", title="T", description="", series="ABC", rows=[("x", [1, 2])])


def test_a_chart_of_nothing_says_no_one_is_in_view():
    chart = charts.bars(id="c", title="T", description="", rows=[("x", 0)])

    assert chart.is_empty
    assert "No one in this view yet." in str(chart) and "<svg" not in str(chart)


def test_a_chart_escapes_its_labels():
    chart = charts.bars(id="c", title="<b>", description="", rows=[("<script>", 1)])

    assert "<script>" not in str(chart) and "&lt;script&gt;" in str(chart)
