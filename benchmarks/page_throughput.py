"""Requests a second a real server answers for a ladder level page, against its health check: a
script, not a test.

    .venv/bin/python benchmarks/page_throughput.py                  # a temporary SQLite file
    .venv/bin/python benchmarks/page_throughput.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_pages \\
        --cache-url redis://127.0.0.1:6379/1

The database named must be fresh (no tables, or migrated with no people); the script runs
`ladder migrate`, `ladder import --bundled` and `ladder seed-demo --people 100` on it, then starts
`ladder serve --workers 2` on 127.0.0.1 in production mode (DEBUG=0; HTTPS redirects and secure
cookies off, as the load comes over plain HTTP) and loads it with wrk, one URL at a time:

- the yardstick: /healthz, the least a request can cost here, through the same middleware;
- the level page /ladders/dotnet/levels/TL2/, as a visitor who is not signed in sees it.

Each is measured several times, alternating, after a short warm-up of both. The goal: the level
page answers at least half as many requests a second as the health check (medians of the
rounds). The server is stopped at the end, also on an error. Exits 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LADDER = Path(sys.executable).with_name("ladder")
WRK = "/usr/bin/wrk"
HOST = "127.0.0.1"

GOAL_RATIO = 0.5
YARDSTICK = "/healthz"
LEVEL_PAGE = "/ladders/dotnet/levels/TL2/"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def run_ladder(*args: str, env: dict) -> None:
    done = subprocess.run([str(LADDER), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ladder {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def wait_until_answering(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"ladder serve ended with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise SystemExit(f"ladder serve did not answer {url} within {seconds:.0f} s")


def wrk(url: str, *, threads: int, connections: int, seconds: int) -> tuple[float, float]:
    """Requests a second and the median latency in milliseconds of one wrk run."""
    done = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    median = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if done.returncode != 0 or not rate or not median:
        raise SystemExit(f"wrk {url} failed:\n{out}{done.stderr}")
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"wrk {url}: the server answered with errors:\n{out}")
    return float(rate[1]), float(median[1]) * UNITS[median[2]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a fresh database (default: a temporary SQLite file)"
    )
    parser.add_argument("--cache-url", help="CACHE_URL for the server (default: its own memory)")
    parser.add_argument("--port", type=int, default=8810, help="port on 127.0.0.1 (8810)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each URL (2)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each run (10)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (16)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds < 1 or args.connections < 1:
        parser.error("--rounds, --seconds and --connections must be at least 1")
    if not Path(WRK).is_file():
        raise SystemExit(f"wrk is needed at {WRK}")

    scratch = tempfile.mkdtemp(prefix="ladder-bench-")
    database = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "LADDER_HOME": scratch,  # no .env of the clone's is read
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    else:
        env.pop("CACHE_URL", None)
    server = None
    try:
        setup = {**env, "DEBUG": "1"}
        run_ladder("migrate", "--no-input", env=setup)
        run_ladder("import", "--bundled", env=setup)
        run_ladder("seed-demo", "--people", "100", env=setup)
        log = open(Path(scratch) / "serve.log", "w")  # noqa: SIM115 (closed with the folder)
        server = subprocess.Popen(
            [str(LADDER), "serve", "--workers", "2", "--bind", f"{HOST}:{args.port}"],
            env={**env, "DEBUG": "0"},
            stdout=subprocess.DEVNULL,  # a line a request: written, as in production, not kept
            stderr=log,
        )
        base = f"http://{HOST}:{args.port}"
        wait_until_answering(base + YARDSTICK, server)
        wait_until_answering(base + LEVEL_PAGE, server)
        load = {"threads": 2, "connections": args.connections}
        for path in (YARDSTICK, LEVEL_PAGE):  # every worker warm, the page's cache filled
            wrk(base + path, seconds=2, **load)

        database_kind = database.split(":", 1)[0]
        cache_kind = (args.cache_url or "locmem").split(":", 1)[0]
        print(
            f"ladder serve --workers 2 on {database_kind}, cache {cache_kind}; "
            f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds"
        )
        print(f"goal: {LEVEL_PAGE} at >= {GOAL_RATIO:.0%} of the requests/s of {YARDSTICK}")
        rates: dict[str, list[float]] = {YARDSTICK: [], LEVEL_PAGE: []}
        for round_ in range(1, args.rounds + 1):
            for path in (YARDSTICK, LEVEL_PAGE):
                rate, median = wrk(base + path, seconds=args.seconds, **load)
                rates[path].append(rate)
                print(f"  round {round_}  {path:30} {rate:8.0f} req/s  p50 {median:6.2f} ms")
        yardstick = statistics.median(rates[YARDSTICK])
        page = statistics.median(rates[LEVEL_PAGE])
        ratio = page / yardstick
        print(f"median {YARDSTICK} (yardstick)          {yardstick:8.0f} req/s")
        print(f"median {LEVEL_PAGE}      {page:8.0f} req/s")
        print(f"ratio level page / minimal view: {ratio:.1%}")
        met = ratio >= GOAL_RATIO
        print("goal met" if met else "GOAL MISSED")
        return 0 if met else 1
    finally:
        if server is not None and server.poll() is None:
            server.terminate()  # gunicorn's arbiter stops its workers and exits
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
