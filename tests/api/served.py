"""A real `ladder serve` for the tests that call the API over HTTP as a client would: its own
database (PostgreSQL when the suite runs on it, else a SQLite file), migrated, the bundled
ladder imported, a demo organisation seeded, and tokens made through the real CLI.

tests/api/conftest.py offers it as the `served_api` fixture, made once per session.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, run_ladder
from tests.ops.conftest import own_postgres_database
from tests.test_production import production

# The ports this server may take (other test servers take any free port the system gives).
PORTS = range(8600, 8700)
DEMO_PEOPLE = "30"

# Prints, as one JSON line, the tokens the callers of the API use: the demo's admin with every
# scope, its manager with read and write, the same manager with read alone; and the manager's
# person.
MAKE_TOKENS = """
import json
from django.contrib.auth import get_user_model
from ladder.api.tokens import token_create
from ladder.demo.planning import ADMIN_EMAIL, MANAGER_EMAIL
from ladder.people.models import Person

users = get_user_model().objects
admin, manager = users.get(email=ADMIN_EMAIL), users.get(email=MANAGER_EMAIL)
print(json.dumps({
    "admin": token_create(by=admin, owner=admin, name="tests", scopes="read write admin")[1],
    "manager": token_create(by=manager, owner=manager, name="tests", scopes="read write")[1],
    "manager_read": token_create(by=manager, owner=manager, name="tests", scopes="read")[1],
    "manager_person": Person.objects.get(user=manager).pk,
}))
"""


@dataclass(frozen=True)
class Served:
    url: str
    environment: dict
    tokens: dict  # admin, manager (read and write), manager_read
    manager_person: int
    log: Path


def ladder(*args: str, environment: dict) -> str:
    result = run_ladder(*args, env=environment)
    assert result.returncode == 0, f"ladder {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    """The first port of PORTS that nothing listens on."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port between {PORTS.start} and {PORTS.stop - 1} for ladder serve")


@contextlib.contextmanager
def own_database(tmp: Path):
    """A database of this server's own, of the kind the suite runs on."""
    configured = os.environ.get("DATABASE_URL", "")
    if urlsplit(configured).scheme.startswith("postgres"):
        # Named after the suite's database, so that parallel runs never meet.
        name = urlsplit(configured).path.strip("/") or "ladder"
        with own_postgres_database(f"{name}_api"[:40]) as url:
            yield url
    else:
        yield f"sqlite:///{tmp / 'api.sqlite3'}"


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ladder serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"ladder serve at {url} was not ready within {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def served_api(tmp_path_factory):
    """`ladder serve` with 2 workers over a seeded demo organisation, as production runs it
    but over plain HTTP and with a throttle no test reaches."""
    tmp = tmp_path_factory.mktemp("served-api")
    with own_database(tmp) as database:
        environment = production(
            DATABASE_URL=database,
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
            API_THROTTLE_RATE="1000000/min",
            PYTHONUNBUFFERED="1",
        )
        ladder("migrate", "--no-input", environment=environment)
        ladder("import", "--bundled", environment=environment)
        ladder("seed-demo", "--people", DEMO_PEOPLE, "--allow-production", environment=environment)
        made = ladder("shell", "--no-imports", "-c", MAKE_TOKENS, environment=environment)
        tokens = json.loads(made.strip().splitlines()[-1])
        port, log = free_port(), tmp / "serve.log"
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("ladder")), "serve", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, process, log)
            yield Served(
                url=url,
                environment=environment,
                tokens={name: tokens[name] for name in ("admin", "manager", "manager_read")},
                manager_person=tokens["manager_person"],
                log=log,
            )
        finally:
            stop(process)
