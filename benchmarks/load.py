"""A production-like server under a realistic load for a bounded time: a script, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load CACHE_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python benchmarks/load.py [--seconds 60] [--connections 64] [--workers N]

DATABASE_URL names a fresh PostgreSQL database (no people) and CACHE_URL a Redis database the
script may empty; both, and the server, on 127.0.0.1 only. The script migrates the database,
builds the demo organisation of 200 people (`seed-demo`), gives a few dozen of them a login, and
starts `ladder serve` (DEBUG off, a production's settings but plain HTTP; SERVE_WORKERS or
--workers, else two per core plus one). It signs those people in through the sign-in form, as a
browser does, and drives wrk (/usr/bin/wrk, with benchmarks/load.lua) with --connections
connections for --seconds seconds on this mix:

- anonymous ladder pages: the overview, level pages, comparisons of two levels (50%);
- signed-in people on their own page (20%);
- the demo manager's reports page and the people directory (15%);
- a person saving their draft self-assessment: a POST with the CSRF token and session cookie,
  with the revision the last save made (15%).

The yardstick, measured first in the same run: /healthz, which does no work, with the same
connections for a quarter of the time (at most 10 s). It prints requests per second, the median,
90th and 99th percentile and slowest latency, wrk's socket errors and non-2xx/3xx answers, and
the answers of each kind of request by status (read from the server's access log). Goal: no
errors, no 5xx, p99 under 1 s. It stops its server at the end, and exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import collections
import html.parser
import http.cookiejar
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK = "/usr/bin/wrk"
LOCAL = "127.0.0.1"
GOAL_P99_SECONDS = 1.0
PEOPLE = 200
SIGNED_IN = 24  # people given a login besides the demo's own, whose pages are asked for
PASSWORD = "ladder-load"
MANAGER = "manager@example.com"  # the demo manager: reports and the directory
LEVEL_CODES = ("JR1", "JR2", "MD1", "MD2", "SR1", "SR2", "TL1", "SP1", "TL2", "PE1")
COMPARED = (("MD1", "MD2"), ("SR1", "TL1"), ("JR2", "SR2"), ("TL2", "PE1"))
# Slots of the schedule per kind of request (of 100).
MIX = {"overview": 10, "level": 30, "compare": 10, "person": 20, "reports": 8, "directory": 7}
SAVES = 15
KINDS = [
    ("save", re.compile(r"^POST /assessments/\d+/$")),
    ("overview", re.compile(r"^GET /ladders/dotnet/$")),
    ("level", re.compile(r"^GET /ladders/dotnet/levels/\w+/$")),
    ("compare", re.compile(r"^GET /ladders/dotnet/compare/\w+/\w+/$")),
    ("person", re.compile(r"^GET /people/\d+/$")),
    ("reports", re.compile(r"^GET /reports/$")),
    ("directory", re.compile(r"^GET /people/$")),
    ("healthz", re.compile(r"^GET /healthz$")),
]
# An access line: "GET /path 200 12.3 ms 456 bytes" of `ladder serve`, or gunicorn's own
# '"GET /path HTTP/1.1" 200 456' (no time).
ACCESS = (
    re.compile(r"\b(GET|POST|HEAD) (/\S*) (\d{3}) ([\d.]+) ms"),
    re.compile(r'"(GET|POST|HEAD) (/\S*) HTTP/[\d.]+" (\d{3})()'),
)


def fail(message: str) -> None:
    sys.stderr.write(f"load.py: {message}\n")
    raise SystemExit(2)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the load (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="open connections (64)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: SERVE_WORKERS)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (8000)")
    parser.add_argument("--host", default=LOCAL, help="only 127.0.0.1 is accepted")
    options = parser.parse_args()
    if options.host != LOCAL:
        fail(f"the load goes to {LOCAL} only, not to {options.host!r}")
    if not 1 <= options.seconds <= 600:
        fail("--seconds must be from 1 to 600")
    if not 1 <= options.connections <= 1000:
        fail("--connections must be from 1 to 1000")
    if options.workers is not None and options.workers < 1:
        fail("--workers must be at least 1")
    if not Path(WRK).exists():
        fail(f"wrk is missing: {WRK} (apt-get install wrk)")
    for name, schemes in (("DATABASE_URL", ("postgres", "postgresql")), ("CACHE_URL", ("redis",))):
        url = urllib.parse.urlsplit(os.environ.get(name, ""))
        if url.scheme not in schemes or url.hostname != LOCAL:
            # The script empties and fills them: a machine of this one only. (The URL itself
            # is not shown: it may hold a password.)
            shown = f"{url.scheme}://{url.hostname or ''}" if url.scheme else "unset"
            fail(f"{name} must be a {schemes[0]}:// URL on {LOCAL}; it is {shown}")
    return options


def production_environment(options) -> dict:
    """A production's settings, but for plain HTTP between wrk and the server."""
    environment = {
        "DJANGO_SETTINGS_MODULE": "ladder.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": LOCAL,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SERVE_BIND": f"{LOCAL}:{options.port}",
        "PYTHONUNBUFFERED": "1",
    }
    if options.workers:
        environment["SERVE_WORKERS"] = str(options.workers)
    return environment


def build_organisation() -> dict:
    """The demo organisation, logins for the authors of draft self-assessments and a few more;
    their emails, and the drafts' ids by author."""
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db.models import F

    from ladder.assessments.models import Assessment
    from ladder.people.models import Person

    redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).flushdb()
    call_command("seed-demo", people=PEOPLE, allow_production=True, stdout=io.StringIO())
    drafts = Assessment.objects.filter(
        state=Assessment.State.DRAFT, role=Assessment.Role.SELF, author=F("person")
    )
    authors = {a.person_id: a.pk for a in drafts}
    others = Person.objects.filter(user=None).exclude(pk__in=authors).order_by("pk")
    chosen = [*authors, *others.values_list("pk", flat=True)[:SIGNED_IN]]
    password = make_password(PASSWORD)  # hashing is slow on purpose: once for all of them
    users = get_user_model().objects
    people = []
    for person in Person.objects.filter(pk__in=chosen, user=None):
        person.user = users.create(username=person.email, email=person.email, password=password)
        person.save(update_fields=["user"])
        people.append(person)
    return {"people": people, "drafts": {p.email: authors[p.pk] for p in people if p.pk in authors}}


class FormFields(html.parser.HTMLParser):
    """The fields a browser would send from the form with id `form_id`, without its buttons."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.textarea = form_id, False, None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif self.inside and tag == "textarea":
            self.textarea = [a["name"], ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode(), urllib.parse.urlsplit(response.url).path

    def sign_in(self, email: str, password: str) -> str:
        """Sign in through the form; the path of the person's own page."""
        page, _ = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": email, "password": password, "next": "/me/"}
        )
        with self.opener.open(self.base + "/accounts/login/", body.encode(), timeout=60) as answer:
            path = urllib.parse.urlsplit(answer.url).path
        if not re.fullmatch(r"/people/\d+/", path):
            fail(f"{email} could not sign in (ended on {path})")
        return path

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)


def lua_string(text: str) -> str:
    return (
        '"' + "".join(c if c.isalnum() or c in " %&=+-_./;:" else f"\\{ord(c)}" for c in text) + '"'
    )


def write_plan(path: Path, gets: list[tuple[str, str, str]], saves: list[dict], mix: dict) -> None:
    """The Lua file load.lua reads: the GETs (kind, path, cookie), the drafts to save, and a
    schedule of slots (a GET's index, or 0 for a save) in the mix's proportions."""
    schedule = []
    rng = random.Random(0)
    for kind, share in mix.items():
        of_kind = [i for i, get in enumerate(gets, 1) if get[0] == kind] or [0]
        schedule += [rng.choice(of_kind) if kind != "save" else 0 for _ in range(share * 10)]
    rng.shuffle(schedule)
    lines = ["return {", "gets = {"]
    lines += [f"{{path = {lua_string(p)}, cookie = {lua_string(c)}}}," for _, p, c in gets]
    lines += ["},", "saves = {"]
    lines += [
        f"{{path = {lua_string(s['path'])}, cookie = {lua_string(s['cookie'])}, "
        f"fields = {lua_string(s['fields'])}, revision = {s['revision']}}},"
        for s in saves
    ]
    lines += ["},", f"schedule = {{{', '.join(map(str, schedule))}}},", "}"]
    path.write_text("\n".join(lines) + "\n")


def run_wrk(url: str, plan: Path, seconds: int, connections: int) -> dict:
    threads = min(os.cpu_count() or 1, connections)
    command = [
        WRK,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        # A slow answer is measured, not dropped as a timeout, unless it is very slow.
        "--timeout=10s",
        f"--script={ROOT / 'benchmarks' / 'load.lua'}",
        url,
        "--",
        str(plan),
        str(threads),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0 or "wrk-summary" not in result.stdout:
        fail(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    summary = re.search(r"^wrk-summary (.*)$", result.stdout, re.M)[1]
    measured = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", summary)}
    measured["statuses"] = {
        int(status): int(count)
        for status, count in re.findall(r"^wrk-status (\d+) (\d+)$", result.stdout, re.M)
    }
    return measured


def by_kind(log: str) -> dict:
    """Per kind of request: its answers by status, and the server's milliseconds for each when
    the access log gives them."""
    kinds = collections.defaultdict(lambda: (collections.Counter(), []))
    for line in log.splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
                found = [(entry["method"], entry["path"], entry["status"], entry["duration_ms"])]
            except (ValueError, KeyError):
                continue
        else:
            found = ACCESS[0].findall(line) or ACCESS[1].findall(line)
        for method, path, status, milliseconds in found:
            request = f"{method} {path.split('?')[0]}"
            kind = next((kind for kind, pattern in KINDS if pattern.match(request)), request)
            kinds[kind][0][int(status)] += 1
            if milliseconds:
                kinds[kind][1].append(float(milliseconds))
    return kinds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, measured: dict) -> None:
    seconds = measured["duration_us"] / 1e6
    print(
        f"{name}: {measured['requests']:,} requests in {seconds:.1f} s, "
        f"{measured['requests'] / seconds:,.1f} requests/s; latency p50 "
        f"{measured['p50_us'] / 1000:.1f} ms, p90 {measured['p90_us'] / 1000:.1f} ms, "
        f"p99 {measured['p99_us'] / 1000:.1f} ms, max {measured['max_us'] / 1000:.1f} ms"
    )
    print(
        f"  socket errors: connect {measured['connect']}, read {measured['read']}, write "
        f"{measured['write']}, timeout {measured['timeout']}; non-2xx/3xx answers "
        f"{measured['status']}; by status: "
        + ", ".join(f"{s} {n:,}" for s, n in sorted(measured["statuses"].items()))
    )


def main() -> int:
    options = arguments()
    environment = production_environment(options)
    os.environ.update(environment)
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _database import fresh_database

    base = f"http://{LOCAL}:{options.port}"
    scratch = Path(tempfile.mkdtemp(prefix="ladder-load-"))
    server = None
    try:
        with fresh_database():
            started = time.monotonic()
            organisation = build_organisation()
            print(
                f"Built the demo organisation of {PEOPLE} people in "
                f"{time.monotonic() - started:.1f} s; {len(organisation['people'])} of them "
                "were given a login for the load."
            )
        from django.conf import settings

        workers = settings.SERVE_WORKERS
        log = scratch / "serve.log"
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("ladder")), "serve"],
            cwd=ROOT,
            env={**os.environ},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_ready(base, server, log)

        gets = [("overview", "/ladders/dotnet/", "")]
        gets += [("level", f"/ladders/dotnet/levels/{code}/", "") for code in LEVEL_CODES]
        gets += [("compare", f"/ladders/dotnet/compare/{a}/{b}/", "") for a, b in COMPARED]
        saves = []
        for person in organisation["people"]:
            browser = Browser(base)
            page = browser.sign_in(person.email, PASSWORD)
            gets.append(("person", page, browser.cookie()))
            draft = organisation["drafts"].get(person.email)
            if draft:
                form = FormFields("assessment-form")
                form.feed(browser.get(f"/assessments/{draft}/")[0])
                fields = dict(form.fields)
                revision = int(fields.pop("revision"))
                fields.pop("summary", None)
                saves.append(
                    {
                        "path": f"/assessments/{draft}/",
                        "cookie": browser.cookie(),
                        "fields": urllib.parse.urlencode([*fields.items(), ("save", "1")]),
                        "revision": revision,
                    }
                )
        manager = Browser(base)
        manager.sign_in(MANAGER, "ladder-demo")
        gets += [("reports", "/reports/", manager.cookie())]
        gets += [("directory", "/people/", manager.cookie())]
        if not saves:
            fail("the demo organisation has no draft self-assessment to save")

        plans = {"healthz": scratch / "healthz.lua", "mix": scratch / "mix.lua"}
        write_plan(plans["healthz"], [("healthz", "/healthz", "")], [], {"healthz": 100})
        write_plan(plans["mix"], gets, saves, {**MIX, "save": SAVES})
        print(
            f"ladder serve with {workers} workers on {base}; wrk with {options.connections} "
            f"connections; {len(saves)} drafts saved, {len(gets)} pages asked for; "
            f"{os.cpu_count()} cores, shared with wrk and PostgreSQL."
        )
        yardstick = run_wrk(
            base, plans["healthz"], min(10, max(1, options.seconds // 4)), options.connections
        )
        report("Yardstick, /healthz", yardstick)
        time.sleep(2)  # the yardstick's last answers, logged after wrk stopped, stay out
        before = log.stat().st_size
        measured = run_wrk(base, plans["mix"], options.seconds, options.connections)
        report("The mix", measured)
        rate = measured["requests"] / measured["duration_us"]
        print(
            f"  {rate / (yardstick['requests'] / yardstick['duration_us']):.2f} of the "
            "yardstick's requests/s"
        )
        with log.open() as file:
            file.seek(before)
            kinds = by_kind(file.read())
        print("  by kind of request, from the server's access log (time in the server):")
        for kind, (statuses, times) in sorted(kinds.items()):
            shown = ", ".join(f"{s} {n:,}" for s, n in sorted(statuses.items()))
            timing = (
                f"  p50 {percentile(times, 0.5):7.1f} ms  p99 {percentile(times, 0.99):7.1f} ms"
                if times
                else ""
            )
            print(f"    {kind:<10} {sum(statuses.values()):>7,}{timing}   {shown}")
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(scratch, ignore_errors=True)

    errors = sum(measured[k] for k in ("connect", "read", "write", "timeout"))
    server_errors = sum(n for s, n in measured["statuses"].items() if s >= 500)
    p99 = measured["p99_us"] / 1e6
    met = errors == 0 and server_errors == 0 and measured["status"] == 0 and p99 < GOAL_P99_SECONDS
    print(
        f"Goal: no errors, no 5xx, p99 under {GOAL_P99_SECONDS:.0f} s. Measured: {errors} socket "
        f"errors, {server_errors} 5xx, {measured['status']} non-2xx/3xx, p99 {p99:.3f} s "
        f"({p99 / GOAL_P99_SECONDS:.2f} of the goal): {'met' if met else 'MISSED'}."
    )
    return 0 if met else 1


def wait_until_ready(base: str, server: subprocess.Popen, log: Path, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"ladder serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    fail(f"ladder serve was not ready at {base} within {seconds} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
