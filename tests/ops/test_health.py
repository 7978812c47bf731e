"""/healthz and /readyz: what a load balancer or orchestrator asks before sending traffic."""

import pytest
from django.db import DatabaseError

from ladder.ops import views


def test_healthz_answers_without_signing_in_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_every_migration_is_applied(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ready\n"


@pytest.mark.django_db
def test_readyz_is_not_ready_while_a_migration_is_pending(client, monkeypatch):
    monkeypatch.setattr(views, "_all_applied", False)
    monkeypatch.setattr(
        views.MigrationExecutor,
        "migration_plan",
        lambda self, targets: [(self.loader.get_migration("people", "0001_initial"), False)],
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert b"1 migrations not applied (people.0001_initial" in response.content


@pytest.mark.django_db
def test_readyz_is_not_ready_when_the_database_does_not_answer(client, monkeypatch, mailoutbox):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert b"the database does not answer" in response.content
    # A probe failing during a deployment is expected: nobody is mailed for it.
    assert mailoutbox == []


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_checks_answer_head_and_refuse_a_post(client, url, db):
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
