"""The organisation's pages at 100 and 10,000 people: query counts, the readiness funnel against
the bare SQL aggregate, a ladder import's dry run with its impact. A script, not a test.

    .venv/bin/python benchmarks/insights_pages.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_insights .venv/bin/python benchmarks/insights_pages.py

The database must be fresh (no people). The script builds the demo organisation of 100 people
(`seed-demo`), then grows it to 10,000 with a second demo organisation, and at each size asks for
every insights page, `/people/` (as the demo admin) and `/reports/` (as the demo manager) through
Django's test client (middleware, view, template: the server's time, without the network). Goals:

- each page runs as many queries at 10,000 people as at 100, and at most 20;
- the readiness funnel for 10,000 people: its counts (by level and by team) take at most twice
  the yardstick, the same counts as two bare SQL statements (GROUP BY over the stored standings and
  readiness)
  run through the database cursor in the same run; and its whole page is served in under 0.5 s;
- `ladder import FILE --dry-run` of a changed ladder, with the list of verdicts it would change,
  for 10,000 people: under 10 s.

It also prints, for what stored readiness saves, the time to work out everyone's readiness from
scratch as the pages did before it was stored (`standings_of` and `readiness_of_many`) beside
`work_out`, the bulk run that stores it. Medians of a few runs after one to warm up. On PostgreSQL
the tables are analyzed after each build, as autovacuum would. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from _database import fresh_database, median_time

ROOT = Path(__file__).resolve().parent.parent

SIZES = (100, 10_000)
MAX_QUERIES = 20
FUNNEL_RATIO = 2.0
FUNNEL_SECONDS = 0.5
DRY_RUN_SECONDS = 10.0
REQUESTS = 5

ADMIN_PAGES = (
    "/insights/",
    "/insights/readiness/",
    "/insights/time-in-level/",
    "/insights/promotions/",
    "/insights/gaps/",
    "/people/",
)
MANAGER_PAGES = ("/reports/",)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with fresh_database():
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client, RequestFactory
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from ladder.assessments import stored
        from ladder.assessments.selectors import readiness_of_many, standings_of
        from ladder.demo.organisation import demo_organisation_create
        from ladder.insights.pages import read_request
        from ladder.insights.readiness import by_level, by_team
        from ladder.people.models import Person

        users = get_user_model().objects
        today = timezone.localdate()
        met = True
        counts: dict[int, dict[str, int]] = {}

        def analyze():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")

        def client_of(email: str) -> Client:
            client = Client(HTTP_HOST="localhost")
            client.force_login(users.get(email=email))
            return client

        def queries_of(client: Client, url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return len(queries)

        built = 0
        for size in SIZES:
            started = time.perf_counter()
            demo_organisation_create(people=size - built, seed=args.seed + size)
            built = Person.objects.count()
            analyze()
            print(f"{built:,} people built in {time.perf_counter() - started:.1f} s")
            admin, manager = client_of("admin@example.com"), client_of("manager@example.com")
            counts[size] = {
                **{url: queries_of(admin, url) for url in ADMIN_PAGES},
                **{url: queries_of(manager, url) for url in MANAGER_PAGES},
            }

        print(f"\non {connection.vendor}: queries per page at {SIZES[0]:,} and {SIZES[1]:,} people")
        print(f"goal: the same at both sizes, at most {MAX_QUERIES}")
        for url in (*ADMIN_PAGES, *MANAGER_PAGES):
            small, large = counts[SIZES[0]][url], counts[SIZES[1]][url]
            ok = small == large and large <= MAX_QUERIES
            met &= ok
            print(f"  {url:28} {small:3} {large:3}  {'ok' if ok else 'MISSED'}")

        # The funnel: its counts against the same counts in bare SQL, and the whole page.
        request = RequestFactory().get("/insights/readiness/")
        request.user = users.get(email="admin@example.com")
        view = read_request(request, "readiness")

        def funnel():
            by_level(view, today)
            by_team(view, today)

        table = stored.StoredReadiness._meta.db_table
        standing = stored.StoredStanding._meta.db_table
        person = Person._meta.db_table
        verdict_now = (
            "CASE WHEN r.verdict = 'eligible_from' AND r.eligible_from <= %s THEN 'ready' "
            "ELSE r.verdict END"
        )
        # What the funnel counts: everyone with a level, by level and by team, at the verdict
        # of their first next level as of today (none: no next level).
        joined = (
            f"FROM {standing} s JOIN {person} p ON p.id = s.person_id "
            f"LEFT JOIN {table} r ON r.person_id = s.person_id AND r.position = 0 "
            "WHERE s.current_id IS NOT NULL"
        )
        bare_statements = (
            f"SELECT s.current_id, {verdict_now}, COUNT(*) {joined} GROUP BY 1, 2",
            f"SELECT p.team_id, {verdict_now}, COUNT(*) {joined} GROUP BY 1, 2",
        )

        def bare():
            with connection.cursor() as cursor:
                for statement in bare_statements:
                    cursor.execute(statement, [today])
                    cursor.fetchall()

        yardstick = median_time(bare, REQUESTS)
        counted = median_time(funnel, REQUESTS)
        admin = client_of("admin@example.com")
        page = median_time(lambda: admin.get("/insights/readiness/", secure=True), REQUESTS)
        ratio = counted / yardstick
        print(
            f"\nreadiness funnel at {SIZES[1]:,} people: goal counts <= {FUNNEL_RATIO}x the bare "
            f"SQL aggregate, page < {FUNNEL_SECONDS} s"
        )
        print(f"  bare SQL aggregate (yardstick) {yardstick * 1000:8.1f} ms")
        print(f"  the funnel's counts            {counted * 1000:8.1f} ms  {ratio:.2f}x")
        print(f"  the whole page                 {page * 1000:8.1f} ms  {page / yardstick:.1f}x")
        met &= ratio <= FUNNEL_RATIO and page < FUNNEL_SECONDS

        # A changed ladder's dry run: MD1 asks for two years instead of one.
        changed = (
            (ROOT / "ladders" / "dotnet.md")
            .read_text()
            .replace(
                "1 or more years of practical experience in MD1",
                "2 or more years of practical experience in MD1",
            )
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dotnet.md"
            path.write_text(changed)
            out = io.StringIO()
            stored.forget()
            started = time.perf_counter()
            call_command("import", str(path), "--dry-run", slug="dotnet", stdout=out)
            dry_run = time.perf_counter() - started
        impact = out.getvalue()
        changed_lines = sum(1 for line in impact.splitlines() if "→" in line)
        print(f"\nladder import --dry-run at {SIZES[1]:,} people: goal < {DRY_RUN_SECONDS} s")
        print(f"  {dry_run:.2f} s, {changed_lines} verdicts listed as changing")
        met &= dry_run < DRY_RUN_SECONDS and changed_lines > 0

        # What storing saves: everyone worked out from scratch, then in bulk.
        people = list(Person.objects.all())
        started = time.perf_counter()
        standings = standings_of(people, today)
        readiness_of_many(people, standings, today)
        one_by_one = time.perf_counter() - started
        stored.forget()
        started = time.perf_counter()
        stored.work_out(None, today)
        bulk = time.perf_counter() - started
        print(f"\neveryone's readiness worked out at {len(people):,} people (printed, no goal)")
        print(f"  as the pages did (standings_of, readiness_of_many) {one_by_one:6.2f} s")
        print(f"  work_out, the bulk run that stores it           {bulk:6.2f} s")

        print("\nall goals met" if met else "\nSOME GOALS MISSED")
        return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
