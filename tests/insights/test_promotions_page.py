"""The promotions page: promotions per quarter, per review cycle, by level and team, and the wait
from first being judged ready to the promotion."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.models import Assessment
from ladder.frameworks.experience import first_day_of, months_between
from ladder.insights.promotions import Quarter, last_quarters, promotions_report
from ladder.insights.scope import Scope
from ladder.people.models import Person
from ladder.people.services import person_set_level
from ladder.people.tree import rebuild_paths
from ladder.promotions import cases
from tests.conftest import make_person
from tests.promotions.test_cases import cycle, shared

__all__ = ["cycle"]  # fixtures

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def back_date(assessment: Assessment, day: datetime.date) -> None:
    """The assessment as if shared on `day` (the service stamps the moment it runs)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    Assessment.objects.filter(pk=assessment.pk).update(shared_at=moment)


def assessed_on(org, person, code, day, *, status="meets"):
    """Their manager's assessment of `person` against `code`, shared on `day`."""
    assessment = shared(person.manager, person, org.levels[code], "manager", status=status)
    back_date(assessment, day)
    return assessment


def promote(org, person, code, on):
    return person_set_level(
        by=org.admin.user, person=person, level=org.levels[code], since=on, reason="promotion"
    )


def approve_off_cycle(org, person, code, on):
    """A case for `person`, opened by their manager, approved by the admin from `on`."""
    case = cases.case_open(
        by=person.manager.user,
        person=person,
        to_level=org.levels[code],
        recommendation="Ready.",
        justification="Promote anyway.",
        off_cycle=True,
    )
    case = cases.case_submit(by=person.manager.user, case=case)
    return cases.case_decide(
        by=org.admin.user, case=case, outcome="approved", feedback="Well done.", effective_on=on
    )


def newcomer(org, name, email, code, start, *, manager=None, team=None):
    person = make_person(name, email, manager=manager or org.manager, team=team or org.core)
    rebuild_paths()
    person.refresh_from_db()
    person_set_level(by=org.admin.user, person=person, level=org.levels[code], since=start)
    return person


def everyone():
    return promotions_report(scope=Scope(manager=None), today=TODAY)


# -- quarters -----------------------------------------------------------------------------------


def test_quarters_run_from_the_seventh_before_to_the_current_one():
    quarters = last_quarters(datetime.date(2026, 2, 14))

    assert [q.label for q in quarters] == [
        "Q2 2024", "Q3 2024", "Q4 2024", "Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026",
    ]  # fmt: skip
    assert (quarters[0].start, quarters[-1].end) == (
        datetime.date(2024, 4, 1),
        datetime.date(2026, 3, 31),
    )
    assert Quarter(2025, 4).end == datetime.date(2025, 12, 31)


# -- the counts ---------------------------------------------------------------------------------


def test_promotions_are_counted_in_the_quarter_they_took_effect_by_level_and_team(org):
    promote(org, org.engineer, "MD2", TODAY - 20 * DAY)
    promote(org, org.peer, "SR1", TODAY - 200 * DAY)
    promote(org, org.outsider, "MD1", TODAY - 400 * DAY)
    # Outside the eight quarters, a hire, and a correction are not promotions in the window.
    promote(org, org.manager, "TL2", last_quarters(TODAY)[0].start - DAY)
    newcomer(org, "Hal Hire", "hal@example.com", "JR1", TODAY - 30 * DAY)

    report = everyone()

    counted = {row.label: row.promotions for row in report.by_quarter if row.promotions}
    expected = {}
    for day in (TODAY - 20 * DAY, TODAY - 200 * DAY, TODAY - 400 * DAY):
        label = Quarter.of(day).label
        expected[label] = expected.get(label, 0) + 1
    assert counted == expected
    assert len(report.by_quarter) == 8 and report.total.promotions == 3
    assert [(row.label, row.promotions) for row in report.by_level] == [
        ("MD1", 1), ("MD2", 1), ("SR1", 1),
    ]  # fmt: skip
    assert [(row.label, row.promotions) for row in report.by_team] == [("Core", 2), ("Other", 1)]


def test_someone_promoted_with_no_team_is_counted_under_no_team(org):
    promote(org, org.skip, "MD2", TODAY - 5 * DAY)

    assert [(row.label, row.promotions) for row in everyone().by_team] == [("No team", 1)]


def test_a_manager_sees_only_promotions_below_them(org):
    promote(org, org.engineer, "MD2", TODAY - 20 * DAY)
    promote(org, org.outsider, "MD1", TODAY - 20 * DAY)

    mine = promotions_report(scope=Scope(manager=org.manager), today=TODAY)

    assert [p.person_id for p in mine.promotions] == [org.engineer.pk]


# -- the wait from first ready ------------------------------------------------------------------


def test_the_wait_runs_from_the_shared_assessment_that_first_judged_them_ready(org):
    assessed_on(org, org.engineer, "MD2", TODAY - 300 * DAY, status="developing")
    ready = TODAY - 130 * DAY
    assessed_on(org, org.engineer, "MD2", ready)
    assessed_on(org, org.engineer, "MD2", TODAY - 60 * DAY)
    approve_off_cycle(org, org.engineer, "MD2", TODAY - 10 * DAY)

    (promotion,) = everyone().promotions

    assert promotion.ready_on == ready
    assert promotion.months_waited == months_between(ready, TODAY - 10 * DAY) >= 3
    assert everyone().total.median_months == promotion.months_waited


def test_someone_assessed_before_their_time_in_level_was_up_was_ready_on_the_day_it_was(org):
    start = TODAY - 400 * DAY
    nia = newcomer(org, "Nia New", "nia@example.com", "MD1", start)
    assessed_on(org, nia, "MD2", start + 10 * DAY)
    promote(org, nia, "MD2", TODAY - 5 * DAY)

    (promotion,) = everyone().promotions

    assert promotion.ready_on == first_day_of(start, 12)


def test_a_later_assessment_that_was_not_ready_takes_the_place_of_an_eligible_date_not_yet_reached(
    org,
):
    start = TODAY - 400 * DAY
    nia = newcomer(org, "Nia New", "nia@example.com", "MD1", start)
    assessed_on(org, nia, "MD2", start + 10 * DAY)
    # Shared before the year in MD1 was up: from then on readiness rested on this one.
    assessed_on(org, nia, "MD2", start + 100 * DAY, status="developing")
    promote(org, nia, "MD2", TODAY - 5 * DAY)

    (promotion,) = everyone().promotions

    assert promotion.ready_on is None and promotion.months_waited is None


def test_assessments_against_another_level_or_before_the_level_began_do_not_count(org):
    assessed_on(org, org.engineer, "MD1", TODAY - 100 * DAY)
    # The engineer holds MD1 from 1 March 2023.
    assessed_on(org, org.engineer, "MD2", datetime.date(2023, 2, 1))
    promote(org, org.engineer, "MD2", TODAY - 5 * DAY)

    report = everyone()

    assert [p.ready_on for p in report.promotions] == [None]
    assert report.total.timed == 0 and report.total.median_months is None


# -- review cycles ------------------------------------------------------------------------------


def test_each_cycle_counts_its_decisions_and_off_cycle_cases_come_last(org, cycle):
    assessed_on(org, org.engineer, "MD2", TODAY - 20 * DAY)
    case = cases.case_open(
        by=org.manager.user, person=org.engineer, to_level=org.levels["MD2"], recommendation="Yes."
    )
    cases.case_submit(by=org.manager.user, case=case)
    cases.case_decide(by=org.committee.user, case=case, outcome="approved", feedback="Yes.")
    declined = cases.case_open(
        by=org.manager.user,
        person=org.peer,
        to_level=org.levels["SR1"],
        recommendation="Maybe.",
        justification="Strong year.",
    )
    cases.case_submit(by=org.manager.user, case=declined)
    cases.case_decide(by=org.committee.user, case=declined, outcome="declined", feedback="Later.")
    cases.case_open(
        by=org.other_manager.user,
        person=org.outsider,
        to_level=org.levels["MD1"],
        recommendation="Soon.",
        justification="Strong year.",
    )

    report = everyone()

    rows = [(r.name, r.approved, r.declined, r.deferred, r.open) for r in report.cycles]
    assert rows == [("2026 round", 1, 1, 0, 0), ("Off-cycle", 0, 0, 0, 1)]
    assert report.cycles[0].approved_percent == 50
    # Approved, but taking effect on the cycle's date, still ahead: not yet a promotion.
    assert report.promotions == []


def test_a_cycle_whose_decisions_took_effect_before_the_eight_quarters_is_left_out(org, cycle):
    first = last_quarters(TODAY)[0].start
    cycle.__class__.objects.filter(pk=cycle.pk).update(
        self_due=first - 40 * DAY,
        manager_due=first - 30 * DAY,
        calibration_on=first - 20 * DAY,
        effective_on=first - DAY,
    )
    case = cases.case_open(
        by=org.manager.user,
        person=org.peer,
        to_level=org.levels["SR1"],
        recommendation="Maybe.",
        justification="Strong year.",
    )
    assert case.cycle == cycle

    assert everyone().cycles == []


# -- the page -----------------------------------------------------------------------------------

URL = "/insights/promotions/"


def table_of(page: str, caption: str) -> list[list[str]]:
    """The cells of the table with this caption, header row first, in plain text."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cell, self.caption = [], None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append({"caption": "", "rows": []})
            elif tag == "caption":
                self.caption = ""
            elif tag == "tr":
                self.tables[-1]["rows"].append([])
            elif tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "caption":
                self.tables[-1]["caption"] = " ".join(self.caption.split())
                self.caption = None
            elif tag in ("td", "th") and self.cell is not None:
                # An empty cell shows as a dash, and is empty in the CSV.
                text = " ".join(self.cell.split())
                self.tables[-1]["rows"][-1].append("" if text == "—" else text)
                self.cell = None

        def handle_data(self, data):
            if self.caption is not None:
                self.caption += data
            elif self.cell is not None:
                self.cell += data

    parser = Tables()
    parser.feed(page)
    for table in parser.tables:
        if table["caption"].startswith(caption):
            return table["rows"]
    raise AssertionError(f"no table captioned {caption!r}")


def csv_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_who_reaches_the_page(client, org):
    assert client.get(URL).status_code == 302  # to sign in
    for person, status in [(org.admin, 200), (org.manager, 200), (org.engineer, 404)]:
        client.force_login(person.user)
        assert client.get(URL).status_code == status, person.name


def test_the_page_says_in_words_what_it_counts_and_shows_the_same_numbers_as_its_csv(client, org):
    assessed_on(org, org.engineer, "MD2", TODAY - 130 * DAY)
    approve_off_cycle(org, org.engineer, "MD2", TODAY - 10 * DAY)
    promote(org, org.outsider, "MD1", TODAY - 200 * DAY)
    client.force_login(org.admin.user)

    page = client.get(URL).content.decode()

    quarters = table_of(page, "Promotions per quarter")
    assert len(quarters) == 1 + 8 + 1  # header, eight quarters, all
    assert quarters[-1][:2] == ["All", "2"]
    summary = page.split('class="insights-summary">')[1].split("</p>")[0]
    assert summary.startswith("2 promotions took effect from")
    assert "1 of them came after a shared manager assessment first judged the person ready" in (
        summary
    )
    assert "<svg" in page
    for table, caption in [
        ("quarters", "Promotions per quarter"),
        ("levels", "Promotions by level"),
        ("teams", "Promotions by team"),
        ("cycles", "Decisions per review cycle"),
    ]:
        download = client.get(URL, {"format": "csv", "table": table})
        assert csv_of(download) == table_of(page, caption), table


def test_filters_narrow_the_page_and_its_csv_to_a_team(client, org):
    promote(org, org.engineer, "MD2", TODAY - 20 * DAY)
    promote(org, org.outsider, "MD1", TODAY - 20 * DAY)
    client.force_login(org.admin.user)

    page = client.get(URL, {"team": "Other"}).content.decode()
    rows = csv_of(client.get(URL, {"team": "Other", "format": "csv", "table": "teams"}))

    assert table_of(page, "Promotions by team")[1:] == [
        ["Other", "1", "0", ""],
        ["All", "1", "0", ""],
    ]
    assert rows == table_of(page, "Promotions by team")


def test_a_filter_naming_nothing_is_an_error_on_the_page_and_a_400_for_the_csv(client, org):
    client.force_login(org.admin.user)

    page = client.get(URL, {"team": "Nobody"})
    download = client.get(URL, {"team": "Nobody", "format": "csv"})

    assert page.status_code == 200 and "No team is called “Nobody”." in page.content.decode()
    assert download.status_code == 400 and "Nobody" in download.content.decode()


def test_an_unknown_csv_table_is_refused_naming_the_tables(client, org):
    client.force_login(org.admin.user)

    response = client.get(URL, {"format": "csv", "table": "people"})

    assert response.status_code == 400
    assert "quarters, levels, teams, cycles" in response.content.decode()


def test_with_no_promotions_the_page_says_so(client, org):
    client.force_login(org.admin.user)

    page = client.get(URL).content.decode()

    assert "No promotions took effect" in page


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_the_page_costs_as_many_queries_for_many_promotions_as_for_few(client, org, who):
    client.force_login(getattr(org, who).user)

    def grow(count: int) -> None:
        start = Person.objects.count()
        for n in range(start, start + count):
            person = newcomer(org, f"P {n}", f"p{n}@example.com", "MD1", TODAY - 800 * DAY)
            assessed_on(org, person, "MD2", TODAY - 100 * DAY)
            promote(org, person, "MD2", TODAY - (n % 300) * DAY)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context)

    grow(2)
    few = queries()
    grow(12)
    many = queries()

    assert many <= few <= 20
    assert "14 promotions" in client.get(URL).content.decode()
