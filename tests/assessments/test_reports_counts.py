"""The reports page: counts of the whole subtree by verdict, filters, and sorts in SQL over the
stored readiness, with the rule itself never run for the page."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments import readiness, selectors
from ladder.assessments.models import StoredReadiness
from ladder.assessments.readiness import format_date
from ladder.assessments.selectors import readiness_of_every_next, standings_of
from ladder.frameworks.experience import add_months, first_day_of
from ladder.people.models import Person
from ladder.people.services import person_set_level
from tests.assessments.test_manager_path import report_names, shared_manager_assessment
from tests.people.test_directory_readiness import add_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def standing(org):
    """Below Sam: Eve ready for MD2; Pat three months into MD2 and meeting SR1, so eligible
    later; Mia not yet ready for TL2 on an assessment 8 months old (stale); Olga never
    assessed; Oscar with no level."""
    now = timezone.now()
    shared_manager_assessment(org.engineer, org.manager, org.levels["MD2"])
    org.pat_since = add_months(timezone.localdate(), -3)
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


def counts(html: str) -> dict[str, int]:
    found = re.findall(
        r'<a class="verdict verdict-(\w+)" href="[^"]*"[^>]*>[^<]*<strong>(\d+)', html
    )
    return {verdict: int(count) for verdict, count in found}


def count_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<a class="verdict verdict-(\w+)" href="([^"]*)"', html))


def summaries(html: str) -> dict[str, list[str]]:
    """Each report's verdict sentences, by name."""
    result = {}
    for group in re.findall(r'<tbody class="report">(.*?)</tbody>', html, re.S):
        name = re.search(r'<th scope="rowgroup"[^>]*><a href="/people/\d+/">([^<]+)</a>', group)
        result[name.group(1)] = re.findall(
            r'<span class="verdict verdict-\w+">([^<]+)</span>', group
        )
    return result


SUBTREE = {"ready": 1, "eligible_from": 1, "not_yet": 1, "not_assessed": 1}


def test_the_counts_at_the_top_cover_the_whole_subtree_whatever_the_filters(client, standing):
    client.force_login(standing.skip.user)

    everyone = page(client, "/reports/")
    filtered = page(client, "/reports/?team=core&verdict=ready&sort=-time")

    assert counts(everyone) == counts(filtered) == SUBTREE
    assert "1 with no next level" in everyone  # Oscar
    assert "5 people below you" in filtered
    assert "1 of 5 people match these filters" in filtered
    assert report_names(filtered) == ["Eve Engineer"]


def test_a_managers_counts_are_their_own_subtrees(client, standing):
    client.force_login(standing.manager.user)

    html = page(client, "/reports/")

    assert counts(html) == {"ready": 1, "eligible_from": 1, "not_yet": 0, "not_assessed": 0}
    assert "no next level" not in html


def test_each_count_lists_the_people_it_counts_keeping_the_order(client, standing):
    client.force_login(standing.skip.user)

    links = count_links(page(client, "/reports/?direct=on&sort=-level&page=1"))

    assert links["ready"] == "?sort=-level&verdict=ready"
    listed = {
        verdict: report_names(page(client, f"/reports/{href}")) for verdict, href in links.items()
    }
    assert listed == {
        "ready": ["Eve Engineer"],
        "eligible_from": ["Pat Peer"],
        "not_yet": ["Mia Manager"],
        "not_assessed": ["Olga Outside"],
    }
    chosen = page(client, f"/reports/{links['not_yet']}")
    assert re.search(r'verdict-not_yet" href="[^"]*" aria-current="true"', chosen)
    assert chosen.count('aria-current="true"') == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("verdict=ready", ["Eve Engineer"]),
        ("verdict=eligible_from", ["Pat Peer"]),
        ("verdict=not_yet", ["Mia Manager"]),
        ("verdict=not_assessed", ["Olga Outside"]),
        ("direct=on", ["Mia Manager", "Oscar Other"]),
        ("team=core", ["Eve Engineer", "Mia Manager", "Pat Peer"]),
        ("team=other", ["Olga Outside", "Oscar Other"]),
        ("stale=on", ["Mia Manager"]),
        ("team=core&verdict=not_assessed", []),
        ("direct=on&stale=on", ["Mia Manager"]),
    ],
)
def test_each_filter_lists_only_those_it_names(client, standing, query, expected):
    client.force_login(standing.skip.user)

    assert report_names(page(client, f"/reports/?{query}")) == expected


def test_stale_follows_the_setting(client, standing, settings):
    client.force_login(standing.skip.user)

    settings.ASSESSMENT_STALE_MONTHS = 9
    assert report_names(page(client, "/reports/?stale=on")) == []
    settings.ASSESSMENT_STALE_MONTHS = 8
    assert report_names(page(client, "/reports/?stale=on")) == ["Mia Manager"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("team=nope", "Team: Select a valid choice. That choice is not one of the available choices."),
        ("verdict=promoted", "Readiness: Select a valid choice. promoted is not one of the available choices."),
    ],
)  # fmt: skip
def test_a_filter_that_cannot_be_used_is_a_400_naming_it(client, standing, query, message):
    client.force_login(standing.skip.user)

    html = page(client, f"/reports/?{query}", status=400)

    assert message in html
    assert report_names(html) == []
    assert counts(html) == SUBTREE


def test_a_team_outside_the_subtree_is_not_offered_nor_accepted(client, standing):
    client.force_login(standing.manager.user)

    html = page(client, "/reports/")

    assert '<option value="core">Core</option>' in html
    assert 'value="other"' not in html
    page(client, "/reports/?team=other", status=400)


def test_sorting_keeps_the_filters_and_filtering_keeps_the_sort(client, standing):
    client.force_login(standing.skip.user)

    html = page(client, "/reports/?direct=on&sort=-level")

    heads = re.findall(r"<th scope=\"col\"([^>]*)><a href=\"([^\"]+)\">", html)
    assert heads == [
        ("", "?direct=on&sort=name"),
        (' aria-sort="descending"', "?direct=on&sort=level"),
        ("", "?direct=on&sort=time"),
        ("", "?direct=on&sort=verdict"),
    ]
    assert '<input type="hidden" name="sort" value="-level">' in html
    assert report_names(html) == ["Mia Manager", "Oscar Other"]


def test_those_eligible_later_sort_by_their_day(client, standing):
    StoredReadiness.objects.filter(person=standing.outsider).update(
        verdict="eligible_from", eligible_from=timezone.localdate() + datetime.timedelta(days=5)
    )
    client.force_login(standing.skip.user)

    by_verdict = report_names(page(client, "/reports/?sort=verdict"))

    assert by_verdict == ["Eve Engineer", "Olga Outside", "Pat Peer", "Mia Manager", "Oscar Other"]


# -- the page reads stored rows, and says what the rule says ---------------------------------------


def test_the_page_never_runs_the_rule(client, standing, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the reports page ran the readiness rule")

    for module, name in [
        (readiness, "judge_readiness"),
        (selectors, "judge_readiness"),
        (selectors, "judged"),
        (selectors, "standings_of"),
        (selectors, "readiness_of_every_next"),
    ]:
        monkeypatch.setattr(module, name, refuse)
    client.force_login(standing.skip.user)

    for sort in ["name", "verdict", "-verdict", "level", "-time"]:
        assert len(report_names(page(client, f"/reports/?sort={sort}&stale=on&direct=on"))) == 1


def test_each_verdict_reads_as_the_rule_words_it(client, standing):
    today = timezone.localdate()
    people = list(Person.objects.reports_of(standing.skip))
    every = readiness_of_every_next(people, standings_of(people, today), today)
    expected = {p.name: [v.readiness.manager_summary for v in every[p.pk]] for p in people}
    client.force_login(standing.skip.user)

    shown = summaries(page(client, "/reports/"))

    assert shown == expected  # Oscar, with no level, has no verdict on either
    eligible = format_date(first_day_of(standing.pat_since, 12))
    assert shown["Pat Peer"] == [f"Eligible for SR1 from {eligible}: everything else is met."]
    assert shown["Mia Manager"][0].startswith("Not yet ready for TL2: ")


def test_time_in_level_stops_being_a_gap_once_its_day_has_come(client, standing):
    # Pat, three months into MD2, is developing on SR1: not yet, and short of time too.
    shared_manager_assessment(
        standing.peer, standing.manager, standing.levels["SR1"], status="developing"
    )
    row = StoredReadiness.objects.get(person=standing.peer)
    assert sorted(g["kind"] for g in row.gaps) == ["criteria", "experience"]
    client.force_login(standing.manager.user)

    before = summaries(page(client, "/reports/"))["Pat Peer"]
    row.eligible_from = timezone.localdate()
    row.save()
    after = summaries(page(client, "/reports/"))["Pat Peer"]

    assert before == ["Not yet ready for SR1: 2 gaps."]
    assert after == ["Not yet ready for SR1: 1 gap."]


# -- a fixed number of queries ----------------------------------------------------------------


URLS = [
    "/reports/",
    "/reports/?sort=verdict",
    "/reports/?sort=-verdict&verdict=not_assessed",
    "/reports/?sort=level&direct=on",
    "/reports/?sort=-time&team=core&stale=on",
    "/reports/?sort=name&page=2",
]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def grow(org, count):
    people = add_people(count, manager=org.manager, level=org.levels["MD1"])
    Person.objects.filter(pk__in=[p.pk for p in people]).update(team=org.core)
    old = timezone.now() - datetime.timedelta(days=300)
    for index, person in enumerate(people[::2]):
        shared_manager_assessment(
            person, org.manager, org.levels["MD2"], shared_at=old if index % 2 else None
        )


def test_the_page_makes_as_many_queries_for_40_reports_as_for_5(client, standing):
    client.force_login(standing.skip.user)
    grow(standing, 5)
    few = [queries(client, url) for url in URLS]

    grow(standing, 35)
    many = [queries(client, url) for url in URLS]

    assert many == few
    assert max(many) <= 20
