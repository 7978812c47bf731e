"""The demo leaves PostgreSQL's planner statistics of what it loaded, at once."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from ladder.people.models import Person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's"
    ),
]


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True
    # The demo hashes its password once; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def table_statistics(model) -> tuple[float, object]:
    """The planner's estimate of the table's rows, and when it was last analysed."""
    with connection.cursor() as cursor:
        # Statistics are read once per transaction unless the snapshot is dropped.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT c.reltuples, s.last_analyze FROM pg_class c "
            "JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass",
            [model._meta.db_table],
        )
        return cursor.fetchone()


def test_seed_demo_leaves_the_planner_an_estimate_of_the_people_just_loaded():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        (started,) = cursor.fetchone()

    call_command("seed-demo", "--people", "200", stdout=io.StringIO())

    rows, analysed = table_statistics(Person)
    assert analysed is not None and analysed >= started
    assert rows == Person.objects.count() == 200
