"""The gaps page: the criteria and ratings most often not yet met, per next level and across the
organisation, counted from stored readiness."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.assessments import services as assessment_services
from ladder.insights.filters import InsightsFilter
from ladder.insights.gaps import gaps_report
from ladder.insights.scope import Scope
from ladder.people.models import Person
from tests.insights.test_promotions_page import csv_of, newcomer, table_of

pytestmark = pytest.mark.django_db

URL = "/insights/gaps/"


def assessed(org, person, code, *, not_met=0, below=0):
    """Their manager's assessment of `person` against `code`, shared: the first `not_met`
    criteria developing, the rest met; the first dimension `below` what the level expects."""
    level = org.levels[code]
    author = person.manager
    assessment = assessment_services.assessment_start(
        author=author, person=person, level=level, role="manager"
    )
    expected = level.expected_ratings.by_dimension()
    first = next(iter(expected))
    assessment_services.assessment_save(
        author=author,
        assessment=assessment,
        revision=assessment.revision,
        summary="",
        ratings={d: rating - (below if d == first else 0) for d, rating in expected.items()},
        criteria={
            item.criterion_id: assessment_services.CriterionInput(
                "developing" if index < not_met else "meets", "", []
            )
            for index, item in enumerate(assessment.criteria.order_by("criterion__position"))
        },
    )
    assessment_services.assessment_submit(author=author, assessment=assessment)
    return assessment_services.assessment_share(author=author, assessment=assessment)


def criteria(org, code):
    return [c.text for c in org.levels[code].criteria.order_by("position")]


def dimension(org, code):
    return next(iter(org.levels[code].expected_ratings.by_dimension()))


@pytest.fixture
def gaps(org):
    """The engineer and Nia (both MD1, Core, below Mia) assessed against MD2, the outsider (JR2,
    Other) against MD1; the peer (MD2) and Mia (TL1) not assessed against their next levels."""
    org.nia = newcomer(org, "Nia New", "nia@example.com", "MD1", datetime.date(2024, 1, 1))
    assessed(org, org.engineer, "MD2", not_met=2, below=1)
    assessed(org, org.nia, "MD2", not_met=1)
    assessed(org, org.outsider, "MD1", not_met=1, below=1)
    return org


def everyone(**filters):
    scope = Scope(manager=None)
    form = InsightsFilter(filters, scope=scope)
    assert form.is_valid(), form.errors
    return gaps_report(scope=scope, filters=form)


def listed(level):
    return [(gap.kind, gap.text, gap.people, gap.percent) for gap in level.gaps]


def test_gaps_per_next_level_are_ranked_by_the_people_they_hold_back(gaps):
    report = everyone()

    md1, md2 = (next(level for level in report.levels if level.code == c) for c in ("MD1", "MD2"))
    first, second = criteria(gaps, "MD2")[:2]
    assert (md2.assessed, md2.not_assessed, md2.distinct) == (2, 0, 3)
    assert listed(md2) == [
        ("criterion", first, 2, 100),
        ("criterion", second, 1, 50),
        ("dimension", dimension(gaps, "MD2"), 1, 50),
    ]
    assert md2.gaps[0].where == "Responsibilities"
    assert md2.gaps[2].where == "Competency rating"
    assert [(g.text, g.people) for g in md1.gaps] == [
        (criteria(gaps, "MD1")[0], 1),
        (dimension(gaps, "MD1"), 1),
    ]


def test_levels_come_lowest_first_and_people_not_assessed_are_counted_apart(gaps):
    report = everyone()

    assert [(level.code, level.assessed, level.not_assessed) for level in report.levels] == [
        ("MD1", 1, 0),
        ("MD2", 2, 0),
        ("SR1", 0, 1),
        ("TL2", 0, 1),
    ]
    assert (report.assessed, report.with_next, report.not_assessed) == (3, 5, 2)


def test_across_every_level_a_dimension_is_one_gap_and_each_person_counts_once(gaps):
    overall = everyone().overall

    assert [(item.gap.text, item.gap.people, item.codes) for item in overall[:2]] == [
        (criteria(gaps, "MD2")[0], 2, ["MD2"]),
        (dimension(gaps, "MD2"), 2, ["MD1", "MD2"]),
    ]
    assert overall[1].gap.assessed == 3 and overall[1].gap.percent == 67


def test_only_the_top_gaps_are_listed(gaps):
    report = gaps_report(scope=Scope(manager=None), top=1)

    md2 = next(level for level in report.levels if level.code == "MD2")
    assert len(md2.gaps) == 1 and md2.distinct == 3 and len(report.overall) == 1


def test_a_manager_counts_only_the_people_below_them(gaps):
    report = gaps_report(scope=Scope(manager=gaps.manager))

    assert [(level.code, level.assessed) for level in report.levels] == [("MD2", 2), ("SR1", 0)]


def test_filters_choose_people_by_team_and_by_the_level_they_hold(gaps):
    by_team = everyone(team="Other")
    by_level = everyone(level="MD1")

    assert [level.code for level in by_team.levels] == ["MD1"]
    assert [(level.code, level.assessed) for level in by_level.levels] == [("MD2", 2)]


def test_with_no_assessments_there_is_nothing_to_count(org):
    report = everyone()

    assert report.assessed == 0 and report.overall == []
    assert all(level.gaps == [] for level in report.levels)


# -- the page -----------------------------------------------------------------------------------


def test_who_reaches_the_page(client, org):
    assert client.get(URL).status_code == 302  # to sign in
    for person, status in [(org.admin, 200), (org.manager, 200), (org.engineer, 404)]:
        client.force_login(person.user)
        assert client.get(URL).status_code == status, person.name


def test_the_page_sums_up_in_words_and_its_tables_equal_their_csv(client, gaps):
    client.force_login(gaps.admin.user)

    page = client.get(URL).content.decode()

    summary = page.split('class="insights-summary">')[1].split("</p>")[0]
    assert summary.startswith("3 of 5 people with a next level have a shared manager assessment")
    assert "not yet met by 2 of them (67%)" in summary
    assert page.count("<svg") >= 3  # across every level, MD1, MD2
    levels = table_of(page, "The 10 most common gaps per next level")
    assert levels[0] == ["Next level", "Rank", "Gap", "Where", "People", "Assessed", "Share (%)"]
    assert levels[1] == ["MD1", "1", criteria(gaps, "MD1")[0], "Responsibilities", "1", "1", "100"]
    for table, caption in [
        ("levels", "The 10 most common gaps per next level"),
        ("overall", "The 10 most common gaps across every level"),
    ]:
        download = client.get(URL, {"format": "csv", "table": table})
        assert csv_of(download) == table_of(page, caption), table
    assert csv_of(client.get(URL, {"format": "csv"})) == levels


def test_a_manager_filtered_to_a_team_sees_only_its_gaps(client, gaps):
    client.force_login(gaps.manager.user)

    page = client.get(URL, {"team": "Core"}).content.decode()

    rows = table_of(page, "The 10 most common gaps per next level")[1:]
    assert {row[0] for row in rows} == {"MD2"}
    assert csv_of(client.get(URL, {"team": "Core", "format": "csv"}))[1:] == rows


def test_a_filter_naming_nothing_is_an_error_on_the_page_and_a_400_for_the_csv(client, org):
    client.force_login(org.admin.user)

    page = client.get(URL, {"manager": "nobody@example.com"}).content.decode()
    download = client.get(URL, {"manager": "nobody@example.com", "format": "csv"})

    assert "No one in this view has the address" in page and "<svg" not in page
    assert download.status_code == 400 and "nobody@example.com" in download.content.decode()


def test_with_no_shared_assessments_the_page_says_so(client, org):
    client.force_login(org.admin.user)

    page = client.get(URL).content.decode()

    assert "has a shared manager assessment against it yet, so there are no gaps to count" in page
    assert "<table" not in page


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_the_page_costs_as_many_queries_for_many_people_as_for_few(client, org, who):
    client.force_login(getattr(org, who).user)

    def grow(count: int) -> None:
        start = Person.objects.count()
        for n in range(start, start + count):
            person = newcomer(org, f"P {n}", f"p{n}@example.com", "MD1", datetime.date(2024, 1, 1))
            assessed(org, person, "MD2", not_met=n % 4, below=n % 2)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context)

    grow(2)
    few = queries()
    grow(12)
    many = queries()

    assert many <= few <= 20
    # Everyone with a next level: Mia's reports, and for the admin also Mia and the outsider.
    expected = {"admin": "14 of 18 people", "manager": "14 of 16 people"}[who]
    assert expected in client.get(URL).content.decode()
