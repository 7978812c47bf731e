"""The person page at 100 and 10,000 people: its queries and its server time for the admin, the
person and their manager. A script, not a test.

    .venv/bin/python benchmarks/person_page.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_person .venv/bin/python benchmarks/person_page.py

The database must be fresh (no people). The script builds the demo organisation of 100 people
(what `ladder seed-demo --people 100` builds), then grows it to 10,000 with a second demo
organisation, and at each size asks for the demo engineer's page as the demo admin, the
engineer and their manager through Django's test client (middleware, view, template: the
server's time, without the network). Goal: at most 20 queries for each, the same at both sizes.

The time of each page (the median of a few requests after one to warm up) is printed beside two
yardsticks measured in the same run: `/healthz` through the same client (the cost of a request
that asks the database nothing), and a bare `SELECT 1` through the database cursor (the cost of
one round trip). On PostgreSQL the tables are analyzed after each build, as autovacuum would.
Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import time

from _database import fresh_database, median_time

SIZES = (100, 10_000)
MAX_QUERIES = 20
REQUESTS = 7
VIEWERS = ("admin", "engineer", "manager")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with fresh_database():
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from ladder.demo.organisation import demo_organisation_create
        from ladder.people.models import Person

        users = get_user_model().objects
        met = True
        counts: dict[int, dict[str, int]] = {}
        times: dict[int, dict[str, float]] = {}
        yardsticks: dict[int, tuple[float, float]] = {}

        def analyze():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")

        def client_of(email: str) -> Client:
            client = Client(HTTP_HOST="localhost")
            client.force_login(users.get(email=email))
            return client

        def get(client: Client, url: str):
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        def queries_of(client: Client, url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                get(client, url)
            return len(queries)

        def select_one():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        built = 0
        for size in SIZES:
            started = time.perf_counter()
            demo_organisation_create(people=size - built, seed=args.seed + size)
            built = Person.objects.count()
            analyze()
            print(f"{built:,} people built in {time.perf_counter() - started:.1f} s")
            # The first organisation's engineer at both sizes: the same page, a bigger company.
            engineer = Person.objects.get(email="engineer@example.com")
            url = f"/people/{engineer.pk}/"
            clients = {name: client_of(f"{name}@example.com") for name in VIEWERS}
            counts[size] = {name: queries_of(client, url) for name, client in clients.items()}
            times[size] = {
                name: median_time(lambda c=client, u=url: get(c, u), REQUESTS)
                for name, client in clients.items()
            }
            admin = clients["admin"]
            healthz = median_time(lambda c=admin: get(c, "/healthz"), REQUESTS)
            yardsticks[size] = (healthz, median_time(select_one, REQUESTS))

        print(f"\non {connection.vendor}: the engineer's person page at {SIZES[0]:,} and "
              f"{SIZES[1]:,} people")  # fmt: skip
        print(f"goal: at most {MAX_QUERIES} queries for each viewer, the same at both sizes")
        print(f"  {'viewer':10} {'queries':>15}")
        for name in VIEWERS:
            small, large = counts[SIZES[0]][name], counts[SIZES[1]][name]
            ok = small == large and large <= MAX_QUERIES
            met &= ok
            print(f"  {name:10} {small:7} {large:7}  {'ok' if ok else 'MISSED'}")

        print("\nserver time, median of a few requests (printed, no goal)")
        for size in SIZES:
            healthz, select = yardsticks[size]
            print(
                f"  at {size:,} people: /healthz {healthz * 1000:.2f} ms, "
                f"SELECT 1 {select * 1000:.3f} ms (yardsticks)"
            )
            for name in VIEWERS:
                page = times[size][name]
                print(
                    f"    {name:10} {page * 1000:7.1f} ms  {page / healthz:6.1f}x /healthz  "
                    f"{page / select:7.0f}x SELECT 1"
                )
        for name in VIEWERS:
            ratio = times[SIZES[1]][name] / times[SIZES[0]][name]
            print(f"  {name:10} at {SIZES[1]:,} / at {SIZES[0]:,} people: {ratio:.2f}x")

        print("\nall goals met" if met else "\nSOME GOALS MISSED")
        return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
