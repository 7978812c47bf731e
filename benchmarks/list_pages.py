"""The people list and the audit log at 100 and 10,000 people: their server time should not
grow with the organisation. A script, not a test.

    .venv/bin/python benchmarks/list_pages.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_lists .venv/bin/python benchmarks/list_pages.py

The database must be fresh (no people). The script builds the demo organisation of 100 people
(`seed-demo`'s service, which analyses PostgreSQL's tables after its load), then grows it to
10,000 with a second one, and at each size asks, as the demo admin, through Django's test client
(middleware, view, template: the server's time, without the network), for

- `/people/`, and `/people/` filtered by a team typed in the search box;
- `/audit/`, the log a few pages in (its "Older" link), and one action's events;
- the yardstick, `/healthz`, through the same client and middleware, which does the same work at
  any size.

Each is the median of several requests after one to warm up. The goal: flat, each page's time at
10,000 people at most 1.5 times its time at 100 (the yardstick's own ratio shows the noise of
the machine). Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import re
import time

from _database import fresh_database, median_time

SIZES = (100, 10_000)
GOAL_RATIO = 1.5
REQUESTS = 7


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with fresh_database():
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from ladder.audit.models import AuditEvent
        from ladder.demo.organisation import demo_organisation_create
        from ladder.people.models import Person

        def get(client: Client, url: str) -> str:
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response.content.decode()

        def older(client: Client, url: str, pages: int) -> str:
            """`url` followed `pages` times by its "Older" link."""
            for _ in range(pages):
                found = re.search(r'<a href="\?([^"]*)" rel="next">', get(client, url))
                url = f"/audit/?{found.group(1).replace('&amp;', '&')}"
            return url

        times: dict[int, dict[str, float]] = {}
        built = 0
        for size in SIZES:
            started = time.perf_counter()
            demo_organisation_create(people=size - built, seed=args.seed + size)
            built = Person.objects.count()
            print(
                f"{built:,} people, {AuditEvent.objects.count():,} audit events, built in "
                f"{time.perf_counter() - started:.1f} s"
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(get_user_model().objects.get(email="admin@example.com"))
            pages = {
                "yardstick /healthz": "/healthz",
                "/people/": "/people/",
                "/people/?team=platform": "/people/?team=platform",
                "/audit/": "/audit/",
                "/audit/, 3 pages older": older(client, "/audit/", 3),
                "/audit/?action=level": "/audit/?action=level",
            }
            times[size] = {
                label: median_time(lambda url=url, client=client: get(client, url), REQUESTS)
                for label, url in pages.items()
            }

        small, large = SIZES
        print(
            f"goal: each page flat in the organisation's size, its time at {large:,} people at "
            f"most {GOAL_RATIO}x its time at {small:,}, on {connection.vendor}; "
            f"median of {REQUESTS} requests"
        )
        met = True
        for label in times[small]:
            before, after = times[small][label], times[large][label]
            ratio = after / before
            yardstick = times[large]["yardstick /healthz"]
            flat = ratio <= GOAL_RATIO or label.startswith("yardstick")
            met &= flat
            print(
                f"  {label}: {before * 1000:.1f} ms at {small:,}, {after * 1000:.1f} ms at "
                f"{large:,}, ratio {ratio:.2f}{'' if flat else ' (MISSED)'}; "
                f"{after / yardstick:.0f}x the yardstick"
            )
        print("goal met" if met else "GOAL MISSED")
        return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
