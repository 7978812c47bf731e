"""Requests a second a real server answers for the API's people list and one person's
readiness, beside the HTML pages that show the same, against its health check: a script, not a
test.

    .venv/bin/python benchmarks/api_throughput.py                  # a temporary SQLite file
    .venv/bin/python benchmarks/api_throughput.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_api \\
        --cache-url redis://127.0.0.1:6379/1

The database named must be fresh (no tables, or migrated with no people), and the cache one the
script may empty. The script migrates the database, builds the demo organisation of 100 people
(`seed-demo`'s service), makes a token of the demo admin with the read and admin scopes, and
starts `ladder serve --workers 2` on 127.0.0.1 in production mode (DEBUG=0; HTTPS redirects and
secure cookies off, as the load comes over plain HTTP; the API's throttle raised so that wrk
never meets it, though it still counts each request). It signs the demo admin in through the
sign-in form, as a browser does, and loads the server with wrk, one URL at a time:

- the yardstick: /healthz, the least a request can cost here, through the same middleware;
- `GET /api/v1/people/?page_size=100` with the token, and the people directory `/people/`
  (a page of 50) with the admin's session cookie;
- `GET /api/v1/people/{id}/readiness/` of the demo engineer with the token, and the engineer's
  person page `/people/{id}/` (which shows the same readiness, and more) with the cookie.

Each is measured several times, alternating, after a short warm-up of each. The goal: each API
operation answers at least as many requests a second as its HTML page (medians of the rounds).
The server is stopped at the end, also on an error. Exits 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
from pathlib import Path

from _api import admin_token, roomy_throttle
from _database import fresh_database
from load import Browser
from page_throughput import HOST, LADDER, UNITS, WRK, wait_until_answering

PEOPLE = 100
YARDSTICK = "/healthz"


def wrk(
    url: str, headers: dict, *, connections: int, seconds: int, warm_up: bool = False
) -> tuple[float, float]:
    """Requests a second and the median latency in milliseconds of one wrk run with
    `headers` on every request. A slow answer is measured, not dropped as a timeout (wrk's
    own is 2 s), unless it is very slow. A warm-up's figures are not checked: on a busy
    machine a slow page may have no answer done in its time."""
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=30s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    out = done.stdout
    if warm_up:
        return 0.0, 0.0
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    median = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if done.returncode != 0 or not rate or not median or float(rate[1]) == 0:
        raise SystemExit(f"wrk {url} failed or had no answer:\n{out}{done.stderr}")
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)
    if "Non-2xx or 3xx responses" in out or (timeouts and int(timeouts[1])):
        raise SystemExit(f"wrk {url}: the server answered with errors or timed out:\n{out}")
    return float(rate[1]), float(median[1]) * UNITS[median[2]]


def answer(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    """The status and body of one GET, redirects not followed: wrk counts a redirect to the
    sign-in page as a success, so each URL is checked to answer 200 itself first."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def server_environment(args, scratch: str) -> None:
    """A production's settings for this process and the server, but for plain HTTP."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ladder.settings",
            "LADDER_HOME": scratch,  # no .env of the clone's is read
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name, value in (("DATABASE_URL", args.database_url), ("CACHE_URL", args.cache_url)):
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)  # a temporary SQLite file; each process's memory
    roomy_throttle()


def build() -> dict:
    """The demo organisation and what the load needs of it: the admin's token, the engineer."""
    from django.core.cache import cache
    from django.db import connection

    from ladder.assessments.views.directory import PER_PAGE
    from ladder.demo.organisation import ENGINEER_EMAIL, demo_organisation_create
    from ladder.people.models import Person

    cache.clear()  # nothing of an earlier run's (sessions, throttle counts, pages) is served
    demo_organisation_create(people=PEOPLE, seed=0)
    built = {
        "token": admin_token(),
        "engineer": Person.objects.get(email=ENGINEER_EMAIL).pk,
        "directory_page": PER_PAGE,
        "database": connection.vendor,
    }
    connection.close()  # SQLite: no lock held while the server writes sessions
    return built


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn's arbiter stops its workers and exits
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a fresh database (default: a temporary SQLite file)"
    )
    parser.add_argument(
        "--cache-url", help="CACHE_URL for the server, emptied first (default: its own memory)"
    )
    parser.add_argument("--port", type=int, default=8820, help="port on 127.0.0.1 (8820)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each URL (2)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each run (10)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (16)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds < 1 or args.connections < 1:
        parser.error("--rounds, --seconds and --connections must be at least 1")
    if not Path(WRK).is_file():
        raise SystemExit(f"wrk is needed at {WRK}")
    if not port_free(args.port):
        raise SystemExit(f"port {args.port} on {HOST} is in use: choose another with --port")

    scratch = tempfile.mkdtemp(prefix="ladder-bench-")
    server_environment(args, scratch)
    try:
        with fresh_database():
            built = build()
            log = open(Path(scratch) / "serve.log", "w")  # noqa: SIM115 (closed with the folder)
            server = subprocess.Popen(
                [str(LADDER), "serve", "--workers", "2", "--bind", f"{HOST}:{args.port}"],
                env=dict(os.environ),
                stdout=subprocess.DEVNULL,  # a line a request: written, as in production
                stderr=log,
            )
            try:
                base = f"http://{HOST}:{args.port}"
                wait_until_answering(base + YARDSTICK, server)
                return measure(args, base, built)
            finally:
                stop(server)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(args, base: str, built: dict) -> int:
    from ladder.demo.organisation import ADMIN_EMAIL, DEMO_PASSWORD

    browser = Browser(base)
    browser.sign_in(ADMIN_EMAIL, DEMO_PASSWORD)
    token = {"Authorization": f"Bearer {built['token']}"}
    cookie = {"Cookie": browser.cookie()}
    engineer = built["engineer"]
    # label, path, headers
    targets = [
        ("yardstick", YARDSTICK, {}),
        ("API people list", "/api/v1/people/?page_size=100", token),
        ("HTML people directory", "/people/", cookie),
        ("API readiness", f"/api/v1/people/{engineer}/readiness/", token),
        ("HTML person page", f"/people/{engineer}/", cookie),
    ]
    for _, path, headers in targets:
        status, body = answer(args.port, path, headers)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}, not 200: {body[:300]!r}")
    listed = len(json.loads(answer(args.port, targets[1][1], token)[1])["results"])

    load = {"connections": args.connections}
    for _, path, headers in targets:  # every worker warm, caches filled
        wrk(base + path, headers, seconds=2, warm_up=True, **load)
    cache_kind = (args.cache_url or "locmem").split(":", 1)[0]
    print(
        f"ladder serve --workers 2 on {built['database']}, cache {cache_kind}, {PEOPLE} people; "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds; "
        f"{os.cpu_count()} cores shared by wrk, the server and the database "
        f"(load average {os.getloadavg()[0]:.1f} before the rounds)"
    )
    print(
        f"the API's page lists {listed} people, the directory's {built['directory_page']}; "
        "the person page shows readiness and the person's history, chain and reports"
    )
    print("goal: each API operation at least as many requests/s as its HTML page")
    rates: dict[str, list[float]] = {label: [] for label, _, _ in targets}
    medians: dict[str, list[float]] = {label: [] for label, _, _ in targets}
    for round_ in range(1, args.rounds + 1):
        for label, path, headers in targets:
            rate, median = wrk(base + path, headers, seconds=args.seconds, **load)
            rates[label].append(rate)
            medians[label].append(median)
            print(f"  round {round_}  {path:36} {rate:8.1f} req/s  p50 {median:7.1f} ms")
    rate = {label: statistics.median(found) for label, found in rates.items()}
    p50 = {label: statistics.median(found) for label, found in medians.items()}

    print("medians of the rounds")
    for label, path, _ in targets:
        print(
            f"  {label:22} {path:36} {rate[label]:8.1f} req/s  p50 {p50[label]:7.1f} ms  "
            f"{rate[label] / rate['yardstick']:6.1%} of the yardstick"
        )
    met = True
    for api, page in (("API people list", "HTML people directory"),
                      ("API readiness", "HTML person page")):  # fmt: skip
        ratio = rate[api] / rate[page]
        met &= ratio >= 1
        print(
            f"  {api} / {page}: {ratio:.2f}x the requests/s, "
            f"p50 {p50[api]:.1f} ms against {p50[page]:.1f} ms{'' if ratio >= 1 else ' (MISSED)'}"
        )
    print("goal met" if met else "GOAL MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
