"""`ladder serve` as a production runs it: one JSON access line per request on stdout with its
request id, a 500's traceback on stderr with the same id, and /metrics adding up every worker."""

import http.client
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ladder.ops.management.commands.serve import shared_metrics_directory
from tests.conftest import ROOT, run_ladder
from tests.prod_urls import FAILURE
from tests.test_production import production, wait_for_port

TOKEN = "a-metrics-token-long-enough-to-take"
# The ports these tests may listen on.
PORTS = range(8840, 8850)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {PORTS}")


class Lines:
    """A stream's lines as they come, read by a thread, so a pipe never fills and a test can
    wait for a line it expects."""

    def __init__(self, stream):
        self.all: list[str] = []
        self.fresh: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.all.append(line.rstrip("\n"))
            self.fresh.put(line)

    def wait_for(self, text: str, seconds: float = 30) -> str:
        while True:
            line = self.fresh.get(timeout=seconds)
            if text in line:
                return line


def get(port: int, path: str, request_id: str, **headers) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"X-Request-ID": request_id, **headers})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def server_database(tmp_path: Path) -> str:
    """The run's PostgreSQL database (migrated by the fixture) when it has one, else a file."""
    given = os.environ.get("DATABASE_URL", "")
    return given if given.startswith("postgres") else f"sqlite:///{tmp_path}/serve.sqlite3"


@pytest.fixture
def served(tmp_path):
    environment = production(
        DJANGO_SETTINGS_MODULE="tests.prod_settings",
        DATABASE_URL=server_database(tmp_path),
        SECURE_SSL_REDIRECT="0",
        LOG_FORMAT="json",
        LOG_LEVEL="WARNING",
        METRICS_TOKEN=TOKEN,
        ADMINS="",
        PYTHONUNBUFFERED="1",
        # For tests.prod_settings, which the console script would not find otherwise.
        PYTHONPATH=str(ROOT),
    )
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    migrated = run_ladder("migrate", "--no-input", env=environment)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("ladder")), "serve", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process, seconds=60)
        stdout, stderr = Lines(process.stdout), Lines(process.stderr)
        yield port, stdout, stderr
    finally:
        process.terminate()
        process.wait(timeout=30)
    stdout.thread.join(timeout=10)
    stderr.thread.join(timeout=10)


def test_serve_logs_every_request_once_with_its_id_and_adds_up_the_metrics_of_every_worker(
    served,
):
    port, stdout, stderr = served
    # Each request is answered while another connection, sent nothing, holds one worker: so
    # the request goes to a worker picked by the kernel, until both have answered some.
    workers, requests = set(), 0
    while len(workers) < 2 and requests < 60:
        with socket.create_connection(("127.0.0.1", port)):
            request_id = f"health-{requests}"
            assert get(port, "/healthz", request_id) == (200, "ok\n")
        requests += 1
        line = json.loads(stdout.wait_for(f'"request_id": "{request_id}"'))
        assert line["logger"] == "ladder.access"
        assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
        assert line["bytes"] == 3 and line["duration_ms"] >= 0 and line["user_id"] is None
        workers.add(line["process"])
    assert len(workers) == 2, "one worker answered every request"

    status, metrics = get(port, "/metrics", "scrape", Authorization=f"Bearer {TOKEN}")
    assert status == 200
    assert f'ladder_request_duration_seconds_count{{view="ops:healthz"}} {requests}.0' in metrics
    assert re.search(r'ladder_responses_total\{status="2xx"\} \d', metrics)

    status, page = get(port, "/fail/", "failing-request-1")
    assert status == 500
    assert "Quote reference <code>failing-request-1</code>" in page
    odd_path = "/no/such/%22quoted%22%0A%3Cpage%3E/%C3%A9\\"
    assert get(port, odd_path, "odd-path-1")[0] == 404
    stdout.wait_for('"request_id": "odd-path-1"')
    failed = json.loads(stderr.wait_for('"request_id": "failing-request-1"'))

    assert failed["logger"] == "django.request" and failed["level"] == "ERROR"
    assert "Traceback (most recent call last)" in failed["traceback"]
    assert f"RuntimeError: {FAILURE}" in failed["traceback"]
    # Every line on stdout is a JSON access line: gunicorn writes none of its own.
    access = [json.loads(line) for line in stdout.all]
    assert {line["logger"] for line in access} == {"ladder.access"}
    assert [line["request_id"] for line in access].count("failing-request-1") == 1
    odd = next(line for line in access if line["request_id"] == "odd-path-1")
    assert odd["path"] == odd_path and odd["status"] == 404


def test_serve_empties_a_metrics_folder_named_in_the_environment(tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_12345.db").write_bytes(b"left by an earlier run")
    (folder / "notes.txt").write_text("not a metrics file")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))

    assert shared_metrics_directory() == (str(folder), False)
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
