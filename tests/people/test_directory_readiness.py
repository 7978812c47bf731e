"""The people directory's readiness, time in level and last assessed columns: each filtered and
sorted in SQL over the stored readiness, a page at a time, and downloaded as CSV."""

import csv
import datetime
import html as html_lib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ladder.assessments.models import StoredReadiness
from ladder.assessments.people_readiness import started_by
from ladder.assessments.readiness import format_date
from ladder.assessments.stored import readiness_refresh
from ladder.frameworks.experience import add_months, first_day_of, months_between
from ladder.people.models import LevelAssignment, Person
from ladder.people.services import person_set_level
from ladder.people.tree import rebuild_paths
from tests.assessments.test_manager_path import shared_manager_assessment

pytestmark = pytest.mark.django_db

EVERYONE = ["Ada Admin", "Eve Engineer", "Mia Manager", "Olga Outside", "Oscar Other", "Pat Peer", "Sam Skip"]  # fmt: skip
# Those with no level: no time in level, no next level, never assessed.
UNPLACED = ["Ada Admin", "Oscar Other", "Sam Skip"]


@pytest.fixture
def standing(org):
    """Eve ready for MD2 (assessed 3 months ago); Pat three months into MD2, meeting SR1, so
    eligible from his first year in MD2 (assessed today); Mia not yet ready for TL2 (assessed 8
    months ago: stale); Olga never assessed; Sam, Oscar and Ada with no level."""
    today = timezone.localdate()
    now = timezone.now()
    shared_manager_assessment(
        org.engineer, org.manager, org.levels["MD2"], shared_at=now - datetime.timedelta(days=92)
    )
    org.pat_since = add_months(today, -3)
    person_set_level(by=None, person=org.peer, level=org.levels["MD2"], since=org.pat_since)
    shared_manager_assessment(org.peer, org.manager, org.levels["SR1"])
    shared_manager_assessment(
        org.manager,
        org.skip,
        org.levels["TL2"],
        status="developing",
        shared_at=now - datetime.timedelta(days=8 * 31),
    )
    return org


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:500]
    return html_lib.unescape(response.content.decode())


def _text(cell: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()


def table(html: str) -> list[dict]:
    """The directory's rows as the page shows them; a day as its `datetime`, next levels
    joined by "; "."""
    body = re.search(
        r'<table class="data-table directory-table">.*?<tbody>(.*?)</tbody>', html, re.S
    )
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) == 1:  # nobody matches
            continue
        name, team, level, time, readiness, assessed, manager = cells
        day = re.search(r'<time datetime="([^"]+)">', assessed)
        rows.append(
            {
                "name": _text(name).removesuffix(" new"),
                "team": _text(team),
                "level": _text(level),
                "time_in_level": _text(time),
                "readiness": "; ".join(_text(part) for part in readiness.split("<br>")),
                "last_assessed": day.group(1) if day else _text(assessed),
                "stale": "Stale" in assessed,
                "manager": _text(manager),
            }
        )
    return rows


def names(client, query="") -> list[str]:
    return [row["name"] for row in table(page(client, f"/people/{query}"))]


def download(client, query="") -> list[dict]:
    response = client.get(f"/people/?{query}{'&' if query else ''}format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people-directory.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# -- the columns ------------------------------------------------------------------------------


def test_each_person_shows_readiness_for_each_next_level_time_in_level_and_last_assessed(
    client, standing
):
    today = timezone.localdate()
    client.force_login(standing.admin.user)

    rows = {row["name"]: row for row in table(page(client, "/people/"))}

    eligible = first_day_of(standing.pat_since, 12)
    assert rows["Eve Engineer"]["readiness"] == "MD2: Ready"
    assert rows["Pat Peer"]["readiness"] == f"SR1: Eligible from {format_date(eligible)}"
    assert rows["Mia Manager"]["readiness"] == "TL2: Not yet"
    assert rows["Olga Outside"]["readiness"] == "MD1: Not assessed"
    assert rows["Sam Skip"]["readiness"] == "—"
    assert rows["Pat Peer"]["time_in_level"] == "3 months"
    eve_months = months_between(datetime.date(2023, 3, 1), today)
    years, months = divmod(eve_months, 12)
    assert rows["Eve Engineer"]["time_in_level"].startswith(f"{years} years")
    assert rows["Eve Engineer"]["level"] == "MD1 Mid-level Developer I"
    shared = timezone.localdate(timezone.now() - datetime.timedelta(days=92))
    assert rows["Eve Engineer"]["last_assessed"] == shared.isoformat()
    assert rows["Pat Peer"]["last_assessed"] == today.isoformat()
    assert rows["Olga Outside"]["last_assessed"] == "Never"
    # A last assessment six months old or more is flagged; a recent one is not.
    assert rows["Mia Manager"]["stale"] and not rows["Eve Engineer"]["stale"]


def test_a_person_on_a_branch_shows_a_verdict_for_every_next_level(client, standing):
    person_set_level(
        by=None, person=standing.peer, level=standing.levels["SR1"], since=timezone.localdate()
    )
    client.force_login(standing.admin.user)

    rows = {row["name"]: row for row in table(page(client, "/people/"))}

    assert rows["Pat Peer"]["readiness"] == "SR2: Not assessed; TL1: Not assessed"


def test_an_eligible_verdict_reads_ready_once_its_day_has_come(client, standing):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    StoredReadiness.objects.filter(person=standing.peer).update(eligible_from=yesterday)
    client.force_login(standing.admin.user)

    rows = {row["name"]: row for row in table(page(client, "/people/"))}

    assert rows["Pat Peer"]["readiness"] == "SR1: Ready"
    assert names(client, "?verdict=ready") == ["Eve Engineer", "Pat Peer"]


# -- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        ("ready", ["Eve Engineer"]),
        ("eligible_from", ["Pat Peer"]),
        ("not_yet", ["Mia Manager"]),
        ("not_assessed", ["Olga Outside"]),
    ],
)
def test_the_readiness_filter_lists_those_at_that_verdict(client, standing, verdict, expected):
    client.force_login(standing.admin.user)

    assert names(client, f"?verdict={verdict}") == expected


def test_a_person_counts_at_their_verdict_closest_to_a_promotion(client, standing):
    # New in SR1, on a branch: eligible for SR2 once his time is in, not assessed against TL1.
    person_set_level(
        by=None, person=standing.peer, level=standing.levels["SR1"], since=timezone.localdate()
    )
    shared_manager_assessment(standing.peer, standing.manager, standing.levels["SR2"])
    client.force_login(standing.admin.user)

    assert "Pat Peer" in names(client, "?verdict=eligible_from")
    assert "Pat Peer" not in names(client, "?verdict=not_assessed")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min_months=12", ["Eve Engineer", "Mia Manager", "Olga Outside"]),
        ("max_months=6", ["Pat Peer"]),
        # Exactly three whole months today: in at three, out at four.
        ("min_months=3&max_months=3", ["Pat Peer"]),
        ("min_months=4&max_months=11", []),
        ("min_months=0", ["Eve Engineer", "Mia Manager", "Olga Outside", "Pat Peer"]),
    ],
)
def test_the_time_in_level_filter_counts_whole_months(client, standing, query, expected):
    client.force_login(standing.admin.user)

    assert names(client, f"?{query}") == expected


def test_the_last_assessed_filters_find_those_assessed_before_a_day_or_never(client, standing):
    month_ago = timezone.localdate() - datetime.timedelta(days=30)
    client.force_login(standing.admin.user)

    assert names(client, f"?assessed_before={month_ago}") == ["Eve Engineer", "Mia Manager"]
    assert names(client, "?never_assessed=on") == ["Ada Admin", "Olga Outside", *UNPLACED[1:]]


def test_readiness_filters_combine_with_the_people_filters(client, standing):
    client.force_login(standing.admin.user)

    assert names(client, "?team=core&min_months=12") == ["Eve Engineer", "Mia Manager"]
    assert names(client, "?team=other&verdict=not_assessed") == ["Olga Outside"]
    assert names(client, "?q=pat&verdict=ready") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_months=abc", "In level at least (months): Enter a whole number."),
        ("max_months=-1", "In level at most (months): Ensure this value is greater than or equal to 0."),
        ("min_months=12&max_months=6", "The least time in level (12 months) is more than the most (6 months)."),
        ("assessed_before=2026-13-01", "Last assessed before: Enter a valid date."),
        ("assessed_before=2026-01-01&never_assessed=on", "Choose people last assessed before a day, or people never assessed, not both."),
        ("verdict=promoted", "Readiness: Select a valid choice. promoted is not one of the available choices."),
        ("sort=height", "Sort by: Select a valid choice. height is not one of the available choices."),
    ],
)  # fmt: skip
def test_a_filter_that_cannot_be_used_is_a_400_naming_it(client, standing, query, message):
    client.force_login(standing.admin.user)

    html = page(client, f"/people/?{query}", status=400)
    csv_response = client.get(f"/people/?{query}&format=csv")

    assert message in html
    assert table(html) == []
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()


# -- sorting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", EVERYONE),
        ("-name", EVERYONE[::-1]),
        ("verdict", ["Eve Engineer", "Pat Peer", "Mia Manager", "Olga Outside", *UNPLACED]),
        ("-verdict", ["Olga Outside", "Mia Manager", "Pat Peer", "Eve Engineer", *UNPLACED]),
        ("level", ["Olga Outside", "Eve Engineer", "Pat Peer", "Mia Manager", *UNPLACED]),
        ("-level", ["Mia Manager", "Pat Peer", "Eve Engineer", "Olga Outside", *UNPLACED]),
        ("time", ["Pat Peer", "Olga Outside", "Eve Engineer", "Mia Manager", *UNPLACED]),
        ("-time", ["Mia Manager", "Eve Engineer", "Olga Outside", "Pat Peer", *UNPLACED]),
        ("assessed", ["Mia Manager", "Eve Engineer", "Pat Peer", "Ada Admin", "Olga Outside", *UNPLACED[1:]]),
        ("-assessed", ["Pat Peer", "Eve Engineer", "Mia Manager", "Ada Admin", "Olga Outside", *UNPLACED[1:]]),
    ],
)  # fmt: skip
def test_each_column_sorts_both_ways_with_those_without_a_value_last(
    client, standing, sort, expected
):
    client.force_login(standing.admin.user)

    assert names(client, f"?sort={sort}") == expected


def test_those_eligible_later_sort_by_the_day_they_become_eligible(client, standing):
    soon = timezone.localdate() + datetime.timedelta(days=10)
    later = timezone.localdate() + datetime.timedelta(days=100)
    StoredReadiness.objects.filter(person=standing.peer).update(
        verdict="eligible_from", eligible_from=later
    )
    StoredReadiness.objects.filter(person=standing.outsider).update(
        verdict="eligible_from", eligible_from=soon
    )
    client.force_login(standing.admin.user)

    assert names(client, "?verdict=eligible_from&sort=verdict") == ["Olga Outside", "Pat Peer"]
    assert names(client, "?verdict=eligible_from&sort=-verdict") == ["Pat Peer", "Olga Outside"]


def test_the_column_headings_sort_keeping_the_filters_and_announce_the_order(client, standing):
    client.force_login(standing.admin.user)

    html = page(client, "/people/?team=core&sort=verdict&page=1")

    heads = re.findall(r"<th scope=\"col\"([^>]*)><a href=\"([^\"]+)\">([^<]+?) ?<", html)
    assert heads == [
        ("", "?team=core&sort=name", "Name"),
        ("", "?team=core&sort=level", "Level"),
        ("", "?team=core&sort=time", "Time in level"),
        (' aria-sort="ascending"', "?team=core&sort=-verdict", "Readiness"),
        ("", "?team=core&sort=assessed", "Last assessed"),
    ]
    assert "3 people, readiness, closest to promotion first" in html
    assert '<option value="verdict" selected>' in html


# -- pages and the CSV ------------------------------------------------------------------------


def add_people(count, *, manager, level, since=datetime.date(2020, 1, 1)):
    first = Person.objects.filter(name__startswith="Report ").count()
    people = Person.objects.bulk_create(
        Person(name=f"Report {n:03}", email=f"report{n}@example.com", manager=manager)
        for n in range(first, first + count)
    )
    rebuild_paths()
    LevelAssignment.objects.bulk_create(
        LevelAssignment(person=person, level=level, start=since, reason="hire") for person in people
    )
    # Written round the services, so their readiness is worked out and stored here.
    readiness_refresh([person.pk for person in people])
    return people


def test_the_directory_is_a_page_of_fifty_at_a_time_keeping_filters_and_order(client, standing):
    add_people(60, manager=standing.manager, level=standing.levels["MD1"])
    client.force_login(standing.admin.user)

    first = page(client, "/people/?verdict=not_assessed&sort=-name")
    second = page(client, "/people/?verdict=not_assessed&sort=-name&page=2")

    # 60 reports and Olga are not assessed: 50 on the first page, by name from Z to A.
    assert "61 people" in first
    assert [row["name"] for row in table(first)][:2] == ["Report 059", "Report 058"]
    assert len(table(first)) == 50
    assert [row["name"] for row in table(second)][-2:] == ["Report 000", "Olga Outside"]
    assert len(table(second)) == 11
    assert 'href="?verdict=not_assessed&sort=-name&page=2" rel="next"' in first
    assert "Page 2 of 2" in second


def test_the_csv_holds_every_row_the_filters_give_in_the_pages_order(client, standing):
    add_people(60, manager=standing.manager, level=standing.levels["MD1"])
    client.force_login(standing.admin.user)
    query = "min_months=12&sort=-time"

    shown = table(page(client, f"/people/?{query}")) + table(
        page(client, f"/people/?{query}&page=2")
    )
    downloaded = download(client, query)

    assert len(shown) == len(downloaded) == 63
    for row, line in zip(shown, downloaded, strict=True):
        assert row["name"] == line["name"]
        assert row["team"] == (line["team"] or "—")
        assert row["level"] == f"{line['level']} {line['level_title']}"
        assert row["time_in_level"] == line["time_in_level"]
        assert row["readiness"] == line["readiness"]
        assert row["last_assessed"] == (line["last_assessed"] or "Never")
        assert row["manager"] == (line["manager"] or "—")
    eve = next(line for line in downloaded if line["name"] == "Eve Engineer")
    assert eve["email"] == "eve@example.com"
    assert eve["months_in_level"] == str(
        months_between(datetime.date(2023, 3, 1), timezone.localdate())
    )


def test_the_csv_shows_a_cell_a_spreadsheet_would_run_as_text(client, standing):
    Person.objects.filter(pk=standing.outsider.pk).update(name='=HYPERLINK("http://x")')
    standing.other.name = "@SUM(A1)"
    standing.other.save()
    client.force_login(standing.admin.user)

    line = next(line for line in download(client, "verdict=not_assessed"))

    assert line["name"] == '\'=HYPERLINK("http://x")'
    assert line["team"] == "'@SUM(A1)"


# -- who sees whom ----------------------------------------------------------------------------


def test_a_manager_sees_and_downloads_their_chain_only(client, standing):
    client.force_login(standing.skip.user)
    chain = ["Eve Engineer", "Mia Manager", "Olga Outside", "Oscar Other", "Pat Peer"]

    assert names(client) == chain
    assert [line["name"] for line in download(client)] == chain
    assert names(client, "?verdict=not_yet") == ["Mia Manager"]

    client.force_login(standing.manager.user)
    assert names(client, "?sort=verdict") == ["Eve Engineer", "Pat Peer"]
    assert [line["name"] for line in download(client, "sort=verdict")] == ["Eve Engineer", "Pat Peer"]  # fmt: skip


def test_someone_without_reports_finds_neither_the_page_nor_its_csv(client, standing):
    client.force_login(standing.engineer.user)

    assert client.get("/people/").status_code == 404
    assert client.get("/people/?format=csv").status_code == 404


# -- a fixed number of queries ----------------------------------------------------------------


URLS = [
    "/people/",
    "/people/?sort=verdict",
    "/people/?sort=-time&verdict=not_assessed",
    "/people/?min_months=12&max_months=100&sort=assessed",
    "/people/?assessed_before=2030-01-01&sort=-level",
    "/people/?never_assessed=on&team=core&page=2",
    "/people/?format=csv&sort=-verdict",
]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def grow(org, count):
    """`count` more reports of Mia in Core, half of them assessed against MD2."""
    people = add_people(count, manager=org.manager, level=org.levels["MD1"])
    Person.objects.filter(pk__in=[p.pk for p in people]).update(team=org.core)
    for person in people[::2]:
        shared_manager_assessment(person, org.manager, org.levels["MD2"])


@pytest.mark.parametrize("who", ["admin", "skip"])
def test_the_directory_makes_as_many_queries_for_40_people_as_for_5(client, standing, who):
    client.force_login(getattr(standing, who).user)
    grow(standing, 5)
    few = [queries(client, url) for url in URLS]

    grow(standing, 35)
    many = [queries(client, url) for url in URLS]

    assert many == few
    assert max(many) <= 20


# -- the rule behind the time filter ----------------------------------------------------------


def test_started_by_gives_exactly_the_starts_with_so_many_whole_months():
    start = datetime.date(2023, 12, 1)
    days = [start + datetime.timedelta(days=n) for n in range(0, 500, 3)]
    for today in [datetime.date(2025, 2, 28), datetime.date(2025, 3, 31), datetime.date(2024, 2, 29)]:  # fmt: skip
        for months in (0, 1, 2, 11, 12, 13):
            by = started_by(today, months)
            assert [d for d in days if months_between(d, today) >= months] == [
                d for d in days if d <= by
            ], (today, months)


def test_the_directory_keeps_its_address_and_its_place_in_the_menu(client, standing):
    client.force_login(standing.admin.user)

    assert reverse("assessments:directory") == "/people/"
    assert 'href="/people/" aria-current="page">People</a>' in page(client, "/people/")
