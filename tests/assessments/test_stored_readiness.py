"""Stored readiness follows every change to what the rule reads, in the change's transaction.

Each test changes one kind of input through the service a page or command uses, then checks the
stored rows against the rule run from scratch (`readiness_differences`, through `standings_of`
and `readiness_of_every_next`, as the person page runs it), and that the stored verdict moved.
"""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ladder.assessments import stored as store
from ladder.assessments.adjustments import assessment_adjust
from ladder.assessments.models import StoredReadiness, StoredStanding
from ladder.assessments.readiness import Verdict
from ladder.assessments.stored import readiness_differences, readiness_refresh, work_out
from ladder.frameworks.parse import parse
from ladder.frameworks.services import ladder_import
from ladder.people.services import person_set_level, person_update
from tests.conftest import DOTNET, run_ladder
from tests.promotions.test_cases import shared

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def stored(person, code=None) -> StoredReadiness:
    rows = StoredReadiness.objects.filter(person=person)
    return rows.get(target_code=code) if code else rows.get(position=0)


def assert_matches_rule():
    assert readiness_differences() == []


def test_the_org_starts_matching_the_rule_with_a_row_per_next_level(org):
    assert_matches_rule()
    row = stored(org.engineer)
    assert (row.target_code, row.verdict) == ("MD2", Verdict.NOT_ASSESSED)
    assert row.target == org.levels["MD2"]
    standing = StoredStanding.objects.get(person=org.engineer)
    assert (standing.current, standing.since) == (org.levels["MD1"], datetime.date(2023, 3, 1))
    # No level, no standing and no verdict.
    assert not StoredStanding.objects.filter(person=org.admin).exists()
    assert not StoredReadiness.objects.filter(person=org.admin).exists()


def test_sharing_a_manager_assessment_stores_its_verdict(org):
    assessment = shared(org.manager, org.engineer, org.levels["MD2"], "manager")

    row = stored(org.engineer)
    assert row.verdict == Verdict.READY
    assert row.assessment_id == assessment.pk
    assert row.assessed_on == TODAY
    assert StoredStanding.objects.get(person=org.engineer).last_assessed_on == TODAY
    assert_matches_rule()


def test_a_self_assessment_leaves_the_verdict_as_it_was(org):
    shared(org.engineer, org.engineer, org.levels["MD2"], "self")

    assert stored(org.engineer).verdict == Verdict.NOT_ASSESSED
    assert_matches_rule()


def test_a_shortfall_stores_not_yet_with_its_gaps(org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager", status="developing", below=2)

    row = stored(org.engineer)
    assert row.verdict == Verdict.NOT_YET
    assert {gap["kind"] for gap in row.gaps} >= {"dimension", "criteria"}
    assert row.criteria_met == 0 and row.criteria_counted > 0
    assert len(row.criteria_not_met) == row.criteria_counted
    assert_matches_rule()


def test_an_adjustment_is_what_the_verdict_rests_on_then(org):
    original = shared(org.manager, org.engineer, org.levels["MD2"], "manager", below=2)
    assert stored(org.engineer).verdict == Verdict.NOT_YET
    first = next(iter(org.levels["MD2"].expected_ratings.by_dimension().items()))

    adjusted = assessment_adjust(
        by=org.admin.user, assessment=original, ratings={first[0]: first[1]}, reason="Calibrated."
    )

    row = stored(org.engineer)
    assert (row.verdict, row.assessment_id) == (Verdict.READY, adjusted.pk)
    assert_matches_rule()


def test_a_level_change_moves_the_targets_and_the_time_in_level(org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")

    person_set_level(by=None, person=org.engineer, level=org.levels["MD2"], since=TODAY)

    codes = list(
        StoredReadiness.objects.filter(person=org.engineer).values_list("target_code", flat=True)
    )
    assert "MD2" not in codes and codes
    standing = StoredStanding.objects.get(person=org.engineer)
    assert (standing.current, standing.since) == (org.levels["MD2"], TODAY)
    assert_matches_rule()


def test_a_corrected_start_moves_eligible_from(org):
    # Just promoted: every criterion met, only the time in level short.
    person_set_level(by=None, person=org.engineer, level=org.levels["MD2"], since=TODAY)
    target = stored(org.engineer).target
    shared(org.manager, org.engineer, target, "manager")
    row = stored(org.engineer)
    assert row.verdict == Verdict.ELIGIBLE_FROM
    earlier = row.eligible_from

    person_set_level(
        by=None,
        person=org.engineer,
        level=org.levels["MD2"],
        since=TODAY.replace(day=1) - datetime.timedelta(days=40),
    )

    assert stored(org.engineer).eligible_from < earlier
    assert_matches_rule()


def test_time_alone_turns_eligible_from_into_ready_when_read(org):
    person_set_level(by=None, person=org.engineer, level=org.levels["MD2"], since=TODAY)
    target = stored(org.engineer).target
    shared(org.manager, org.engineer, target, "manager")
    row = stored(org.engineer)
    assert row.verdict == Verdict.ELIGIBLE_FROM

    day_before = row.eligible_from - datetime.timedelta(days=1)
    assert row.verdict_on(day_before) == Verdict.ELIGIBLE_FROM
    assert row.verdict_on(row.eligible_from) == Verdict.READY
    for day, verdict in [(day_before, "eligible_from"), (row.eligible_from, "ready")]:
        assert StoredReadiness.objects.as_of(day).get(pk=row.pk).verdict_now == verdict
    # The rule run afresh on that day agrees with what is read from the stored row.
    assert readiness_differences(row.eligible_from) == []
    assert readiness_differences(day_before) == []


def test_a_new_ladder_version_is_read_at_once(org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    assert stored(org.engineer).verdict == Verdict.READY
    # MD1 now asks for nine years in it: the engineer, in MD1 since March 2023, waits.
    old = "1 or more years of practical experience in MD1"
    changed = DOTNET.read_text().replace(old, "9 or more years of practical experience in MD1")
    assert parse(changed, path="dotnet.md").level("MD1").minimum_experience.months == 108

    version = ladder_import(source=changed, source_name="dotnet.md", slug="dotnet").version

    row = stored(org.engineer)
    assert row.target.version == version
    assert (row.verdict, row.eligible_from) == (Verdict.ELIGIBLE_FROM, datetime.date(2032, 3, 1))
    standing = StoredStanding.objects.get(person=org.engineer)
    assert (standing.current.version, standing.months_required) == (version, 108)
    assert_matches_rule()


def test_moving_a_person_keeps_their_verdict(org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    before = stored(org.engineer).verdict

    person_update(
        by=None,
        person=org.engineer,
        name=org.engineer.name,
        email=org.engineer.email,
        manager=org.other_manager,
        team=org.other,
    )

    assert stored(org.engineer).verdict == before
    assert_matches_rule()


def test_a_change_rolled_back_rolls_back_its_readiness(org):
    with pytest.raises(RuntimeError), transaction.atomic():
        shared(org.manager, org.engineer, org.levels["MD2"], "manager")
        assert stored(org.engineer).verdict == Verdict.READY
        raise RuntimeError("the request failed after the share")

    assert stored(org.engineer).verdict == Verdict.NOT_ASSESSED
    assert_matches_rule()


def test_work_out_gives_what_the_rule_gives_for_everyone_in_bulk(org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    shared(org.manager, org.peer, org.levels["SR1"], "manager", status="developing")

    everyone = work_out(None, TODAY)
    some = work_out([org.engineer.pk, org.peer.pk], TODAY)

    for pk in (org.engineer.pk, org.peer.pk):
        assert [j.readiness for j in some[pk].judged] == [j.readiness for j in everyone[pk].judged]
    assert everyone[org.engineer.pk].judged[0].readiness.verdict == Verdict.READY
    assert everyone[org.peer.pk].judged[0].readiness.verdict == Verdict.NOT_YET


def test_verify_reports_a_tampered_row_and_repair_puts_it_right(org):
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    StoredReadiness.objects.filter(person=org.engineer).update(verdict="not_yet")
    StoredStanding.objects.filter(person=org.peer).delete()

    differences = readiness_differences()

    assert {d.email for d in differences} == {org.engineer.email, org.peer.email}
    text = " ".join(str(d) for d in differences)
    assert "stored 5" not in text and "not_yet" in text and "ready" in text
    readiness_refresh([d.person_id for d in differences])
    assert_matches_rule()


def test_ladder_readiness_on_the_command_line(tmp_path):
    # A database of its own, in a file the command's processes share.
    database = tmp_path / "cli.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    seeded = run_ladder("seed-demo", "--people", "60", env=env)
    assert seeded.returncode == 0, seeded.stderr

    clean = run_ladder("readiness", "--verify", env=env)
    assert clean.returncode == 0, clean.stderr
    assert "Checked 60 people: every stored verdict matches the rule." in clean.stdout

    spoil = (
        "from ladder.assessments.models import StoredReadiness as S;"
        "r = S.objects.exclude(verdict='ready').order_by('pk').first();"
        "S.objects.filter(pk=r.pk).update(verdict='ready')"
    )
    assert run_ladder("shell", "-c", spoil, env=env).returncode == 0
    found = run_ladder("readiness", "--verify", env=env)
    assert found.returncode == 1
    assert "1 of 60 people have a stored readiness that differs" in found.stderr
    assert "stored " in found.stdout and "the rule gives " in found.stdout

    repaired = run_ladder("readiness", "--repair", env=env)
    assert repaired.returncode == 0, repaired.stderr
    assert "Repaired 1 of 60 people" in repaired.stdout
    assert run_ladder("readiness", "--verify", env=env).returncode == 0

    usage = run_ladder("readiness", env=env)
    assert usage.returncode != 0
    assert "one of the arguments --verify --repair --rebuild is required" in usage.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL's locks"
)
def test_a_refresh_waits_for_one_in_progress_so_none_stores_what_it_read_before(org, monkeypatch):
    # A long refresh (a ladder import's) has read everyone's inputs and not yet written; a
    # share meanwhile must wait for it to commit, then read what it wrote, rather than have its
    # rows deleted and replaced by ones read before it.
    holding, release = threading.Event(), threading.Event()
    long_one = threading.local()
    read = store.work_out

    def work_out_then_pause(*args, **kwargs):
        result = read(*args, **kwargs)
        if getattr(long_one, "pause", False):
            holding.set()
            release.wait(timeout=30)
        return result

    monkeypatch.setattr(store, "work_out", work_out_then_pause)

    errors: list[Exception] = []

    def long_refresh():
        long_one.pause = True
        try:
            with transaction.atomic():
                readiness_refresh(None)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    def share():
        try:
            shared(org.manager, org.engineer, org.levels["MD2"], "manager")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=long_refresh)
    first.start()
    assert holding.wait(timeout=30)
    second = threading.Thread(target=share)
    second.start()
    second.join(timeout=1.5)
    assert second.is_alive(), "the share's refresh did not wait for the one in progress"
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert errors == []
    assert stored(org.engineer).verdict == Verdict.READY
    assert_matches_rule()
