"""A form sent twice (a double-click, a second tab) does what it did once, and says so."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from ladder.assessments import services
from ladder.assessments.models import Assessment
from ladder.audit.models import AuditEvent
from ladder.people.models import Person
from tests.assessments.test_flow import answers

pytestmark = pytest.mark.django_db


def start_url(org):
    return f"/people/{org.engineer.pk}/assessments/start/"


def start_form(org):
    return {"role": "self", "self-level": org.levels["MD2"].pk}


def test_starting_the_same_assessment_twice_opens_one_draft(client, org):
    client.force_login(org.engineer.user)

    first = client.post(start_url(org), start_form(org))
    second = client.post(start_url(org), start_form(org))

    (draft,) = Assessment.objects.all()
    assert first.url == second.url == f"/assessments/{draft.pk}/"


def test_a_draft_in_another_cycle_or_against_another_level_is_a_new_one(client, org):
    client.force_login(org.engineer.user)
    client.post(start_url(org), start_form(org))
    Assessment.objects.update(cycle="2020 H1")

    client.post(start_url(org), start_form(org))
    client.post(start_url(org), {"role": "self", "self-level": org.levels["MD1"].pk})

    assert Assessment.objects.count() == 3


def test_submitting_twice_submits_once_and_the_second_click_is_told_so(client, org):
    client.force_login(org.engineer.user)
    client.post(start_url(org), start_form(org))
    draft = Assessment.objects.get()
    client.post(f"/assessments/{draft.pk}/", answers(draft, submit="1"))
    draft.refresh_from_db()
    form = {"revision": draft.revision, "confirm": "1"}

    first = client.post(f"/assessments/{draft.pk}/", form)
    second = client.post(f"/assessments/{draft.pk}/", form, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "already submitted; it can no longer change" in second.content.decode()
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1


def test_saving_the_same_form_twice_is_no_conflict(client, org):
    client.force_login(org.engineer.user)
    client.post(start_url(org), start_form(org))
    draft = Assessment.objects.get()
    form = answers(draft, save="1", summary="Twice the same.")

    responses = [client.post(f"/assessments/{draft.pk}/", form) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    draft.refresh_from_db()
    assert (draft.revision, draft.summary) == (2, "Twice the same.")


def test_a_different_form_from_a_stale_tab_is_still_refused(client, org):
    client.force_login(org.engineer.user)
    client.post(start_url(org), start_form(org))
    draft = Assessment.objects.get()
    client.post(f"/assessments/{draft.pk}/", answers(draft, save="1", summary="First tab."))

    stale = client.post(f"/assessments/{draft.pk}/", answers(draft, save="1", summary="Second."))

    assert stale.status_code == 409


def test_the_database_refuses_a_second_draft_row_whatever_the_caller(org):
    Assessment.objects.create(
        person=org.engineer, level=org.levels["MD2"], author=org.engineer, role="self"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            person=org.engineer, level=org.levels["MD2"], author=org.engineer, role="self"
        )


def test_a_nul_in_a_comment_is_refused_by_the_service_with_where_it_was(client, org):
    client.force_login(org.engineer.user)
    client.post(start_url(org), start_form(org))
    draft = Assessment.objects.get()
    first = draft.criteria.select_related("criterion").first()
    posted = {
        first.criterion_id: services.CriterionInput(status="", comment="a\x00b", evidence_ids=[])
    }

    with pytest.raises(ValidationError, match="contains a NUL character") as refused:
        services.assessment_save(
            author=org.engineer,
            assessment=draft,
            revision=1,
            summary="",
            ratings={},
            criteria=posted,
        )
    assert first.criterion.text[:30] in str(refused.value)
    with pytest.raises(ValidationError, match="The summary contains a NUL"):
        services.assessment_save(
            author=org.engineer,
            assessment=draft,
            revision=1,
            summary="\x00",
            ratings={},
            criteria={},
        )
    draft.refresh_from_db()
    assert draft.revision == 1


def in_threads(*calls):
    """Run the calls at once, each on its own connection, and return their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="truly simultaneous requests need PostgreSQL's row locks; CI runs this on PostgreSQL",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_make_one_draft(org):
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(org.engineer.user)

    responses = in_threads(*(lambda c=c: c.post(start_url(org), start_form(org)) for c in clients))

    (draft,) = Assessment.objects.all()
    assert [r.url for r in responses] == [f"/assessments/{draft.pk}/"] * 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_submit_once_and_neither_is_a_404(org):
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(org.engineer.user)
    clients[0].post(start_url(org), start_form(org))
    draft = Assessment.objects.get()
    clients[0].post(f"/assessments/{draft.pk}/", answers(draft, submit="1"))
    draft.refresh_from_db()
    form = {"revision": draft.revision, "confirm": "1"}

    responses = in_threads(
        *(lambda c=c: c.post(f"/assessments/{draft.pk}/", form, follow=True) for c in clients)
    )

    assert [r.status_code for r in responses] == [200, 200]
    pages = sorted(r.content.decode() for r in responses)
    assert any("Submitted. It can no longer change" in p for p in pages)
    assert any("already submitted; it can no longer change" in p for p in pages)
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_upgrading_merges_drafts_started_twice_and_keeps_every_saved_one(dotnet_version):
    executor = MigrationExecutor(connection)
    before = [("assessments", "0001_initial")]
    executor.migrate(before)
    # The rows are written as the table stood then: today's model has columns it had not.
    OldAssessment = executor.loader.project_state(before).apps.get_model(
        "assessments", "Assessment"
    )
    engineer = Person.objects.create(name="Eve Engineer", email="eve@example.com")
    md2 = dotnet_version.levels.get(code="MD2")

    def draft(revision, minutes_ago, model=OldAssessment):
        return model.objects.create(
            person_id=engineer.pk,
            level_id=md2.pk,
            author_id=engineer.pk,
            role="self",
            cycle="2026 H2",
            revision=revision,
            updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        )

    newest, saved_earlier, untouched = draft(3, 1), draft(2, 5), draft(1, 9)
    other_cycle = OldAssessment.objects.create(
        person_id=engineer.pk, level_id=md2.pk, author_id=engineer.pk, role="self", cycle="2026 H1"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    cycles = dict(Assessment.objects.values_list("pk", "cycle"))
    assert cycles == {
        newest.pk: "2026 H2",
        saved_earlier.pk: "2026 H2 (2)",
        other_cycle.pk: "2026 H1",
    }
    assert untouched.pk not in cycles
    with pytest.raises(IntegrityError), transaction.atomic():
        draft(1, 0, model=Assessment)
