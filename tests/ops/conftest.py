"""What the tests of running in production share: a PostgreSQL database of their own."""

import contextlib
import uuid

import psycopg
import pytest

# CI always has PostgreSQL here; these tests need it whichever database the suite runs on.
POSTGRES = "postgres://postgres@127.0.0.1:5432"


@contextlib.contextmanager
def own_postgres_database(prefix: str):
    """A new PostgreSQL database named `prefix` and a random part, dropped at the end; a
    failure (never a skip) where PostgreSQL does not answer."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        server = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        pytest.fail(f"this test needs PostgreSQL at {POSTGRES}: {error}")
    with server:
        server.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
