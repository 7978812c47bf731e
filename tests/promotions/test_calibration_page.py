"""The calibration page: who sees it, what a row says, sorting, filtering, the CSV, and queries
that do not grow with the cycle."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.bulk_facts import facts_of_shared, shared_key_fields
from ladder.assessments.models import Assessment, CriterionAssessment, DimensionRating
from ladder.assessments.selectors import facts_of, readiness_of, standing_of
from ladder.people.models import LevelAssignment, Person, Team
from ladder.people.tree import rebuild_paths
from ladder.promotions.calibration_rows import calibration_of
from ladder.promotions.models import CycleMember, PromotionCase, ReviewCycle
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

URL = "/cycles/{}/calibration/"


def shared(person, level, role, ratings=None, *, author=None, status="meets", days_ago=1, pk=None):
    """A shared assessment made directly: every criterion `status`, each dimension rated as
    `ratings` says (by dimension) or else as the level expects."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    author = person if role == "self" else author
    assessment = Assessment.objects.create(
        pk=pk,
        person=person,
        level=level,
        author=author,
        role=role,
        state="shared",
        created_at=when,
        submitted_at=when,
        shared_at=when,
    )
    DimensionRating.objects.bulk_create(
        DimensionRating(
            assessment=assessment,
            position=e.position,
            dimension=e.dimension,
            rating=(ratings or {}).get(e.dimension, e.rating),
        )
        for e in level.expected_ratings.all()
    )
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(assessment=assessment, criterion=c, status=status)
        for c in level.criteria.all()
    )
    return assessment


def make_cycle(org, *, stage="calibration", name="2026 H2"):
    """A cycle holding the engineer and the peer (Mia's) and the outsider (Oscar's), with Cora on
    its committee."""
    today = timezone.localdate()
    cycle = ReviewCycle.objects.create(
        name=name,
        ladder=org.levels["MD1"].version.ladder,
        stage=stage,
        self_due=today - datetime.timedelta(days=20),
        manager_due=today - datetime.timedelta(days=10),
        calibration_on=today,
        effective_on=today + datetime.timedelta(days=30),
        opened_at=None if stage == "draft" else timezone.now() - datetime.timedelta(days=30),
    )
    committee = Person.objects.filter(email="cora@example.com").first() or make_person(
        "Cora Committee", "cora@example.com"
    )
    rebuild_paths()
    cycle.committee.add(committee)
    for person, target, manager in [
        (org.engineer, "MD2", org.manager),
        (org.peer, "SR1", org.manager),
        (org.outsider, "MD1", org.other_manager),
    ]:
        CycleMember.objects.create(
            cycle=cycle, person=person, target=org.levels[target], manager=manager
        )
    cycle.committee_member = committee
    return cycle


@pytest.fixture
def cycle(org):
    return make_cycle(org)


@pytest.fixture
def assessed(org, cycle):
    """Mia rates the engineer one above MD2 in Team Contributor (5 of 4) and the peer as SR1
    expects; Oscar rates the outsider one below MD1 in Technical Leadership (1 of 2). The
    engineer's self-assessment is one above Mia's in Technical Leadership."""
    levels = org.levels
    shared(org.engineer, levels["MD2"], "manager", {"Team Contributor": 5}, author=org.manager)
    shared(org.engineer, levels["MD2"], "self", {"Team Contributor": 5, "Technical Leadership": 3})
    shared(org.peer, levels["SR1"], "manager", author=org.manager)
    shared(
        org.outsider,
        levels["MD1"],
        "manager",
        {"Technical Leadership": 1},
        author=org.other_manager,
        status="developing",
    )
    return cycle


def rows_of(response):
    return [row.name for row in response.context["rows"]]


# -- who sees it ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "committee"])
def test_admins_and_the_committee_see_the_calibration_page(client, org, cycle, who):
    user = cycle.committee_member.user if who == "committee" else org.admin.user
    client.force_login(user)

    response = client.get(URL.format(cycle.pk))

    assert response.status_code == 200
    assert rows_of(response) == ["Eve Engineer", "Olga Outside", "Pat Peer"]


@pytest.mark.parametrize("who", ["manager", "skip", "other_manager", "engineer", "outsider"])
def test_managers_and_engineers_get_404(client, org, cycle, who):
    client.force_login(getattr(org, who).user)

    assert client.get(URL.format(cycle.pk)).status_code == 404
    assert client.get(URL.format(cycle.pk) + "?format=csv").status_code == 404


def test_a_draft_cycle_has_no_calibration_page_even_for_an_admin(client, org):
    draft = make_cycle(org, stage="draft", name="Not yet open")

    for user in (org.admin.user, draft.committee_member.user):
        client.force_login(user)
        assert client.get(URL.format(draft.pk)).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, cycle):
    response = client.get(URL.format(cycle.pk))

    assert response.status_code == 302 and "/login/" in response["Location"]


# -- what it shows ----------------------------------------------------------------------------


def test_a_row_shows_manager_levels_verdict_ratings_against_expected_and_self_difference(
    client, org, assessed
):
    client.force_login(org.admin.user)

    response = client.get(URL.format(assessed.pk))

    eve = next(row for row in response.context["rows"] if row.name == "Eve Engineer")
    assert (eve.manager_name, eve.current_code, eve.target_code) == ("Mia Manager", "MD1", "MD2")
    assert eve.verdict == "ready"
    cells = {c.dimension: (c.rating, c.expected, c.difference) for c in eve.cells}
    assert cells == {
        "Team Contributor": (5, 4, 0),
        "Technical Leadership": (2, 2, 1),
        "People Management": (2, 2, 0),
    }
    assert eve.mean_offset == pytest.approx(1 / 3)
    assert eve.mean_difference == pytest.approx(1 / 3)
    olga = next(row for row in response.context["rows"] if row.name == "Olga Outside")
    assert olga.verdict == "not_yet" and olga.mean_offset == pytest.approx(-1 / 3)
    assert olga.mean_difference is None
    html = response.content.decode()
    assert "Not yet: " in html and "Ready" in html


def test_the_statistics_put_each_manager_beside_the_organisation_and_explain_a_flag(
    client, org, assessed, settings
):
    settings.CALIBRATION_THRESHOLD = 0.3
    client.force_login(org.admin.user)

    result = client.get(URL.format(assessed.pk)).context["result"]

    # Nine rated dimensions: Mia's +1 0 0 and 0 0 0, Oscar's 0 -1 0.
    assert result.org.stats.mean_offset == 0.0
    assert result.org.stats.assessed == 3
    # The flagged manager comes first.
    oscar, mia = result.managers
    assert (mia.name, mia.stats.mean_offset, mia.flag) == ("Mia Manager", 1 / 6, None)
    assert (oscar.name, oscar.stats.mean_offset, oscar.flag) == ("Oscar Other", -1 / 3, "severe")
    assert mia.ready == "100%" and oscar.ready == "0%"
    assert oscar.explanation == (
        "Severe: Oscar Other's ratings are on average -0.33 against what the levels expect, "
        "0.33 below the organisation's +0.00 (flagged beyond 0.3)."
    )


def test_the_flag_explanation_is_on_the_page_in_words(client, org, assessed, settings):
    settings.CALIBRATION_THRESHOLD = 0.3
    client.force_login(org.admin.user)

    html = client.get(URL.format(assessed.pk)).content.decode()

    assert "Severe: Oscar Other&#x27;s ratings are on average -0.33" in html
    assert "more than 0.3 above the organisation" in html


def test_nobody_flagged_says_so(client, org, assessed):
    client.force_login(org.admin.user)

    html = client.get(URL.format(assessed.pk)).content.decode()

    assert "No manager's mean offset differs from the organisation's by more than 0.5." in html


def test_someone_not_yet_assessed_shows_not_assessed_and_dashes(client, org, cycle):
    client.force_login(org.admin.user)

    rows = client.get(URL.format(cycle.pk)).context["rows"]

    assert {row.verdict for row in rows} == {"not_assessed"}
    assert all(row.mean_offset is None for row in rows)


def test_the_case_column_shows_the_case_of_this_cycle_or_an_open_one(client, org, assessed):
    PromotionCase.objects.create(
        person=org.engineer,
        cycle=assessed,
        from_level=org.levels["MD1"],
        to_level=org.levels["MD2"],
        recommendation="Ready.",
        state="submitted",
    )
    PromotionCase.objects.create(
        person=org.peer,
        cycle=None,
        from_level=org.levels["MD2"],
        to_level=org.levels["SR1"],
        recommendation="Off cycle.",
    )
    client.force_login(org.admin.user)

    rows = {row.name: row.case_label for row in client.get(URL.format(assessed.pk)).context["rows"]}

    assert rows == {"Eve Engineer": "Submitted", "Pat Peer": "Draft", "Olga Outside": ""}


def test_the_adjusted_assessment_is_the_one_shown(client, org, assessed):
    original = Assessment.objects.get(person=org.outsider, role="manager")
    adjusted = shared(org.outsider, org.levels["MD1"], "manager", author=org.other_manager)
    adjusted.adjusts, adjusted.adjustment_reason = original, "Calibrated."
    adjusted.save()
    client.force_login(org.admin.user)

    rows = client.get(URL.format(assessed.pk)).context["rows"]

    olga = next(row for row in rows if row.name == "Olga Outside")
    assert olga.manager_assessment_id == adjusted.pk
    assert olga.mean_offset == 0.0


def test_the_adjust_link_shows_only_in_the_calibration_stage(client, org, assessed):
    client.force_login(org.admin.user)
    assert "/adjust/" in client.get(URL.format(assessed.pk)).content.decode()

    ReviewCycle.objects.filter(pk=assessed.pk).update(stage="open")

    assert "/adjust/" not in client.get(URL.format(assessed.pk)).content.decode()


# -- sort, filter, CSV ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Eve Engineer", "Olga Outside", "Pat Peer"]),
        ("-name", ["Pat Peer", "Olga Outside", "Eve Engineer"]),
        ("manager", ["Eve Engineer", "Pat Peer", "Olga Outside"]),
        ("level", ["Olga Outside", "Eve Engineer", "Pat Peer"]),
        ("-level", ["Pat Peer", "Eve Engineer", "Olga Outside"]),
        ("verdict", ["Eve Engineer", "Pat Peer", "Olga Outside"]),
        ("offset", ["Olga Outside", "Pat Peer", "Eve Engineer"]),
        ("-offset", ["Eve Engineer", "Pat Peer", "Olga Outside"]),
        ("nonsense", ["Eve Engineer", "Olga Outside", "Pat Peer"]),
    ],
)
def test_the_table_sorts(client, org, assessed, sort, names):
    client.force_login(org.admin.user)

    assert rows_of(client.get(URL.format(assessed.pk), {"sort": sort})) == names


def test_people_not_assessed_sort_last_by_offset_either_way(client, org, assessed):
    Assessment.objects.filter(person=org.peer).delete()
    client.force_login(org.admin.user)

    for sort in ("offset", "-offset"):
        assert rows_of(client.get(URL.format(assessed.pk), {"sort": sort}))[-1] == "Pat Peer"


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"manager": "other_manager"}, ["Olga Outside"]),
        ({"team": "core"}, ["Eve Engineer", "Pat Peer"]),
        ({"level": "MD2"}, ["Pat Peer"]),
        ({"verdict": "not_yet"}, ["Olga Outside"]),
        ({"verdict": "ready", "team": "core"}, ["Eve Engineer", "Pat Peer"]),
        ({"manager": "999999"}, ["Eve Engineer", "Olga Outside", "Pat Peer"]),
    ],
)
def test_the_table_filters(client, org, assessed, filters, names):
    if filters.get("manager") == "other_manager":
        filters["manager"] = org.other_manager.pk
    client.force_login(org.admin.user)

    response = client.get(URL.format(assessed.pk), filters)

    assert rows_of(response) == names
    # The statistics stay those of the whole cycle.
    assert response.context["result"].org.stats.people == 3


def test_the_table_is_paginated_and_keeps_its_filters(client, org, assessed, monkeypatch):
    monkeypatch.setattr("ladder.promotions.views.calibration.PER_PAGE", 2)
    client.force_login(org.admin.user)

    first = client.get(URL.format(assessed.pk), {"sort": "-name"})
    second = client.get(URL.format(assessed.pk), {"sort": "-name", "page": 2})

    assert rows_of(first) == ["Pat Peer", "Olga Outside"]
    assert rows_of(second) == ["Eve Engineer"]
    assert "sort=-name&amp;page=2" in first.content.decode()


def test_the_csv_holds_every_filtered_row_with_its_ratings(client, org, assessed, monkeypatch):
    monkeypatch.setattr("ladder.promotions.views.calibration.PER_PAGE", 1)
    client.force_login(org.admin.user)

    response = client.get(URL.format(assessed.pk), {"format": "csv", "team": "core"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in table] == ["Eve Engineer", "Pat Peer"]
    eve = table[0]
    assert eve["Team Contributor: manager"] == "5"
    assert eve["Team Contributor: expected"] == "4"
    assert eve["Technical Leadership: self"] == "3"
    assert (eve["verdict"], eve["mean offset"], eve["target"]) == ("Ready", "0.33", "MD2")


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(client, org, assessed):
    Person.objects.filter(pk=org.engineer.pk).update(name='=HYPERLINK("http://x","y")')
    Person.objects.filter(pk=org.manager.pk).update(name="@Mia")
    client.force_login(org.admin.user)

    response = client.get(URL.format(assessed.pk), {"format": "csv"})

    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert table[0]["name"] == '\'=HYPERLINK("http://x","y")'
    assert table[0]["manager"] == "'@Mia"
    # A negative offset keeps its number, behind the same quote.
    olga = next(row for row in table if row["name"] == "Olga Outside")
    assert olga["mean offset"] == "'-0.33"


# -- queries ----------------------------------------------------------------------------------


def add_members(org, cycle, count):
    """`count` more people at MD1 under Mia, each assessed by her and by themselves."""
    level, target = org.levels["MD1"], org.levels["MD2"]
    for i in range(count):
        person = make_person(
            f"Extra {i}", f"extra{i}@example.com", manager=org.manager, login=False
        )
        LevelAssignment.objects.create(
            person=person, level=level, start=datetime.date(2023, 1, 1), reason="hire"
        )
        CycleMember.objects.create(cycle=cycle, person=person, target=target, manager=org.manager)
        shared(person, target, "manager", author=org.manager, status="not_yet")
        shared(person, target, "self")
    rebuild_paths()


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_and_csv_run_as_many_queries_for_many_people_as_for_few(
    client, org, assessed, django_assert_max_num_queries
):
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    few = {
        page: queries_of(client, url + query)
        for page, query in [("page", ""), ("csv", "?format=csv")]
    }

    add_members(org, assessed, 30)

    for page, query in [("page", ""), ("csv", "?format=csv&sort=offset")]:
        with django_assert_max_num_queries(few[page]):
            response = client.get(url + query)
        assert response.status_code == 200
    assert len(client.get(url).context["result"].rows) == 33


def test_each_verdict_is_the_one_the_person_page_gives_for_the_same_target(client, org, assessed):
    peer_assessment = Assessment.objects.get(person=org.peer, role="manager")
    responsibilities = peer_assessment.criteria.filter(criterion__section="responsibilities")
    responsibilities.filter(pk__in=[c.pk for c in responsibilities[:2]]).update(status="not_yet")
    peer_assessment.criteria.filter(criterion__section="skills").update(status="not_applicable")
    client.force_login(org.admin.user)

    rows = client.get(URL.format(assessed.pk)).context["rows"]

    today = timezone.localdate()
    for row in rows:
        person = Person.objects.get(pk=row.person_id)
        target = org.levels[row.target_code]
        readiness, used = readiness_of(person, standing_of(person, today), target, today)
        assert (row.verdict, row.gaps) == (readiness.verdict.value, len(readiness.gaps))
        assert row.manager_assessment_id == used.pk
    pat = next(row for row in rows if row.name == "Pat Peer")
    assert pat.verdict == "not_yet" and pat.gaps == 2


def test_the_managers_table_is_paginated_apart_from_the_people(client, org, assessed, monkeypatch):
    monkeypatch.setattr("ladder.promotions.views.calibration.MANAGERS_PER_PAGE", 1)
    client.force_login(org.admin.user)

    first = client.get(URL.format(assessed.pk), {"page": 1})
    second = client.get(URL.format(assessed.pk), {"page": 1, "managers": 2})

    assert [line.name for line in first.context["managers"]] == ["Mia Manager"]
    assert [line.name for line in second.context["managers"]] == ["Oscar Other"]
    assert rows_of(second) == rows_of(first)
    assert "page=1&amp;managers=2" in first.content.decode()


def test_a_cycle_with_nobody_in_it_shows_empty_statistics_not_an_error(client, org, cycle):
    CycleMember.objects.filter(cycle=cycle).delete()
    client.force_login(org.admin.user)

    response = client.get(URL.format(cycle.pk))

    assert response.status_code == 200
    assert response.context["result"].org.mean_offset == "—"
    assert "Nobody matches these filters." in response.content.decode()


# -- what is kept between readings ----------------------------------------------------------


def verdicts_as_the_person_page_gives_them(rows, org):
    today = timezone.localdate()
    for row in rows:
        person = Person.objects.get(pk=row.person_id)
        readiness, _ = readiness_of(
            person, standing_of(person, today), org.levels[row.target_code], today
        )
        assert (row.verdict, row.gaps, row.eligible_from) == (
            readiness.verdict.value,
            len(readiness.gaps),
            readiness.eligible_from,
        )


def test_a_page_read_again_reads_no_assessment_it_has_read_before(client, org, assessed):
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    first = queries_of(client, url)

    # The ratings, the criteria and their wording are not read again (nor the ladder, when
    # this process had not read it before).
    assert queries_of(client, url) <= first - 3
    verdicts_as_the_person_page_gives_them(client.get(url).context["rows"], org)


def test_a_change_of_level_after_a_reading_shows_on_the_next(client, org, assessed):
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    before = {row.name: row.verdict for row in client.get(url).context["rows"]}
    # Eve started in MD1 last month: not long enough in level for MD2 any more.
    LevelAssignment.objects.filter(person=org.engineer).update(
        start=timezone.localdate() - datetime.timedelta(days=40)
    )

    rows = client.get(url).context["rows"]

    assert before["Eve Engineer"] == "ready"
    assert next(row for row in rows if row.name == "Eve Engineer").verdict == "eligible_from"
    verdicts_as_the_person_page_gives_them(rows, org)


def test_an_assessment_shared_after_a_reading_is_the_one_the_next_reads(client, org, assessed):
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    client.get(url)
    newer = shared(
        org.engineer, org.levels["MD2"], "manager", author=org.manager, status="not_yet", days_ago=0
    )

    rows = client.get(url).context["rows"]

    eve = next(row for row in rows if row.name == "Eve Engineer")
    assert (eve.manager_assessment_id, eve.verdict) == (newer.pk, "not_yet")
    verdicts_as_the_person_page_gives_them(rows, org)


def test_an_id_given_again_to_another_assessment_is_read_afresh(client, org, assessed):
    """As after a database is restored, or a test's rows are rolled back: the id alone is not
    the assessment."""
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    client.get(url)
    original = Assessment.objects.get(person=org.engineer, role="manager")
    pk = original.pk
    original.delete()
    again = shared(
        org.engineer,
        org.levels["MD2"],
        "manager",
        {"Team Contributor": 2},
        author=org.manager,
        status="not_yet",
        days_ago=2,
        pk=pk,
    )

    rows = client.get(url).context["rows"]

    eve = next(row for row in rows if row.name == "Eve Engineer")
    assert eve.manager_assessment_id == again.pk == pk
    assert eve.verdict == "not_yet"
    assert {c.dimension: c.rating for c in eve.cells}["Team Contributor"] == 2
    verdicts_as_the_person_page_gives_them(rows, org)


@pytest.mark.parametrize("by_id_limit", [500, 0])
def test_facts_read_in_bulk_are_those_the_rule_reads_of_each_assessment(
    org, assessed, monkeypatch, by_id_limit
):
    # Past the limit the missing assessments are read through the query given, not by id.
    monkeypatch.setattr("ladder.assessments.bulk_facts.BY_ID_LIMIT", by_id_limit)
    responsibilities = Assessment.objects.get(person=org.peer, role="manager").criteria.filter(
        criterion__section="responsibilities"
    )
    responsibilities.filter(pk=responsibilities.first().pk).update(status="not_yet")
    managers = Assessment.objects.filter(role="manager")

    facts = facts_of_shared(
        managers.values_list("pk", *shared_key_fields()),
        among=managers,
        ladder_ids={org.levels["MD1"].version.ladder_id},
    )

    assert facts == {assessment.pk: facts_of(assessment) for assessment in managers}


def _rename_team(org, cycle):
    Team.objects.filter(slug="core").update(name="Core Platform")


# Each input a row is made of, changed after a reading: (the change, what the next reading of
# Eve's row must show).
CHANGES = {
    "her name": (
        lambda org, cycle: Person.objects.filter(pk=org.engineer.pk).update(name="Eve Renamed"),
        lambda row: row.name == "Eve Renamed",
    ),
    "her email": (
        lambda org, cycle: Person.objects.filter(pk=org.engineer.pk).update(email="e@example.com"),
        lambda row: row.email == "e@example.com",
    ),
    "her team's name": (_rename_team, lambda row: row.team_name == "Core Platform"),
    "her manager's name": (
        lambda org, cycle: Person.objects.filter(pk=org.manager.pk).update(name="Mia Renamed"),
        lambda row: row.manager_name == "Mia Renamed",
    ),
    "her target": (
        lambda org, cycle: CycleMember.objects.filter(cycle=cycle, person=org.engineer).update(
            target=org.levels["SR1"]
        ),
        lambda row: (row.target_code, row.verdict) == ("SR1", "not_assessed"),
    ),
    "her level's start": (
        lambda org, cycle: LevelAssignment.objects.filter(person=org.engineer).update(
            start=timezone.localdate() - datetime.timedelta(days=40)
        ),
        lambda row: row.verdict == "eligible_from",
    ),
    "a newer shared assessment": (
        lambda org, cycle: shared(
            org.engineer,
            org.levels["MD2"],
            "manager",
            author=org.manager,
            status="not_yet",
            days_ago=0,
        ),
        lambda row: row.verdict == "not_yet",
    ),
    "a newer self-assessment": (
        lambda org, cycle: shared(
            org.engineer, org.levels["MD2"], "self", {"Team Contributor": 1}, days_ago=0
        ),
        lambda row: {c.dimension: c.self_rating for c in row.cells}["Team Contributor"] == 1,
    ),
    "a case opened": (
        lambda org, cycle: PromotionCase.objects.create(
            person=org.engineer,
            cycle=cycle,
            from_level=org.levels["MD1"],
            to_level=org.levels["MD2"],
            recommendation="Ready.",
        ),
        lambda row: row.case_label == "Draft",
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_row_is_made_again_when_anything_it_is_made_of_changes_and_only_then(
    client, org, assessed, change
):
    make_change, shows = CHANGES[change]
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    before = {row.person_id: row for row in client.get(url).context["result"].rows}

    make_change(org, assessed)
    result = client.get(url).context["result"]

    now = {row.person_id: row for row in result.rows}
    assert shows(now[org.engineer.pk])
    # Only the rows made of what changed are made again (Pat shares Eve's team and manager).
    touched = {org.engineer.pk} | (
        {org.peer.pk} if change in ("her team's name", "her manager's name") else set()
    )
    assert {pk for pk in now if now[pk] is not before[pk]} == touched
    verdicts_as_the_person_page_gives_them(result.rows, org)


def test_statistics_are_worked_out_again_only_when_a_row_changed(client, org, assessed):
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    first = client.get(url).context["result"]
    assert client.get(url).context["result"] is first

    Assessment.objects.filter(person=org.outsider).delete()
    after = client.get(url).context["result"]

    assert after is not first
    assert (first.org.stats.assessed, after.org.stats.assessed) == (3, 2)
    # The threshold is part of what the statistics are worked out with.
    today = timezone.localdate()
    strict = calibration_of(assessed, today=today, threshold=0.0)
    assert strict is not after and strict.threshold == 0.0


def test_a_new_day_judges_everyone_on_that_day(org, assessed):
    # Eve has been in MD1 for 10 of the 12 months MD2 asks.
    start = timezone.localdate() - datetime.timedelta(days=305)
    LevelAssignment.objects.filter(person=org.engineer).update(start=start)
    today = timezone.localdate()

    now = calibration_of(assessed, today=today)
    later = calibration_of(assessed, today=today + datetime.timedelta(days=400))

    def eve(result):
        return next(row for row in result.rows if row.person_id == org.engineer.pk)

    assert (eve(now).verdict, eve(later).verdict) == ("eligible_from", "ready")


def test_a_member_who_leaves_the_cycle_leaves_the_rows(client, org, assessed):
    client.force_login(org.admin.user)
    url = URL.format(assessed.pk)
    client.get(url)
    CycleMember.objects.filter(cycle=assessed, person=org.peer).delete()

    result = client.get(url).context["result"]

    assert [row.name for row in result.rows] == ["Eve Engineer", "Olga Outside"]
    assert result.org.stats.people == 2
