"""Every list operation of the JSON API at 100 and 10,000 people: the queries it runs must not
grow with the organisation or with the page size. A script, not a test.

    .venv/bin/python benchmarks/api_lists.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api_lists .venv/bin/python benchmarks/api_lists.py

The database must be fresh (no people). The list operations are read from the API's own OpenAPI
schema: every GET that takes a `cursor` query parameter, so a list added later is measured with
no change here. Their path parameters are filled from the demo organisation by what they name
(`{person_id}`, or `{slug}` after `/ladders/`): the demo manager, engineer and admin and
whoever has the most evidence, assessments, level changes and reports, their teams, the ladder
and its latest version, the review round's cycles and cases, those people's assessments,
evidence and growth plans. Of the fillings, the one with the longest first page is kept (at 100
people, and kept at 10,000); a parameter it cannot fill stops the script, naming it.

The script builds the demo organisation of 100 people (`seed-demo`'s service, which analyses
PostgreSQL's tables after its load), then grows it to 10,000 with a second one, and at each size
calls every list through Django's test client (middleware, authentication, throttle, operation:
the server's work, without the network) with a token of the demo admin (scopes read and admin):

- the queries of the first page at page_size 1, 10 and 100 (1 as well, because the demo's
  lists of one person's things hold a handful: 1 against a handful still shows a query a row),
  and of the page its `next` link names at page_size 1; each the fewer of two calls after one
  to warm up, so that the token's last-use write, once a minute, is not counted;
- the time of the first page at page_size 100 (the median of a few calls), beside the
  yardstick, `/healthz` through the same client and middleware, which asks the database nothing.

Goal: for each list, one number of queries at every page size at both sizes, and its next page
the same at both sizes. Where a count differs, the statements that repeat are printed, with how
often. A list too short to tell page sizes apart is marked so. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import itertools
import re
import time
from collections import Counter
from urllib.parse import urlsplit

from _api import admin_token, roomy_throttle
from _database import fresh_database, median_time

SIZES = (100, 10_000)
PAGE_SIZES = (1, 10, 100)
REQUESTS = 7
MAX_FILLINGS = 64

# The kind of object a path parameter names: by its own name, without an `_id`-like ending
# ("person_id"), else by the path segment before it ("/teams/{slug}/"); a segment of several
# words by its last ("growth-plans").
KINDS = {
    "person": "person",
    "people": "person",
    "manager": "person",
    "team": "team",
    "teams": "team",
    "ladder": "ladder",
    "ladders": "ladder",
    "version": "version",
    "versions": "version",
    "level": "level",
    "levels": "level",
    "cycle": "cycle",
    "cycles": "cycle",
    "case": "case",
    "cases": "case",
    "assessment": "assessment",
    "assessments": "assessment",
    "evidence": "evidence",
    "plan": "plan",
    "plans": "plan",
    "item": "item",
    "items": "item",
}
ENDINGS = re.compile(r"_(id|pk|slug|code|number)$")


def kind_of(path: str, name: str) -> str | None:
    """What `{name}` in `path` names, or None when neither its name nor its place tells."""
    for word in (ENDINGS.sub("", name), *_segment_words(path, name)):
        word = word.lower().replace("_", "-")
        for candidate in (word, word.rsplit("-", 1)[-1]):
            if candidate in KINDS:
                return KINDS[candidate]
    return None


def _segment_words(path: str, name: str) -> list[str]:
    segments = [s for s in path.split("/") if s]
    at = segments.index(f"{{{name}}}")
    return [segments[at - 1]] if at > 0 and not segments[at - 1].startswith("{") else []


def list_operations(api) -> list[str]:
    """The paths of every GET of the schema that pages by cursor."""
    paths = []
    for path, item in api.get_openapi_schema()["paths"].items():
        operation = item.get("get")
        if operation and any(
            p["in"] == "query" and p["name"] == "cursor" for p in operation.get("parameters", ())
        ):
            paths.append(path)
    return sorted(paths)


def demo_values() -> dict[str, list[str]]:
    """The values each kind of path parameter may take, from the demo organisation."""
    from django.db.models import Count

    from ladder.assessments.models import Assessment, Evidence, GrowthItem, GrowthPlan
    from ladder.demo.organisation import ADMIN_EMAIL, ENGINEER_EMAIL, LADDER_SLUG, MANAGER_EMAIL
    from ladder.frameworks.models import Ladder
    from ladder.people.models import Person
    from ladder.promotions.models import PromotionCase, ReviewCycle

    people = [Person.objects.get(email=e) for e in (MANAGER_EMAIL, ENGINEER_EMAIL, ADMIN_EMAIL)]
    # And whoever has the most of what a person's lists list, so that their pages fill up.
    for related in ("evidence", "assessments", "level_history", "reports"):
        most = Person.objects.annotate(n=Count(related)).order_by("-n", "pk").first()
        if most not in people:
            people.append(most)
    ladder = Ladder.objects.get(slug=LADDER_SLUG)
    version = ladder.latest_version()
    plans = GrowthPlan.objects.filter(person__in=people).order_by("pk")
    values = {
        "person": [p.pk for p in people],
        "team": list(dict.fromkeys(p.team.slug for p in people if p.team_id)),
        "ladder": [ladder.slug],
        "version": [version.number],
        "level": list(version.levels.order_by("number", "code").values_list("code", flat=True)),
        "cycle": list(ReviewCycle.objects.order_by("pk").values_list("pk", flat=True)[:3]),
        "case": list(PromotionCase.objects.order_by("pk").values_list("pk", flat=True)[:3]),
        "assessment": list(
            Assessment.objects.filter(person__in=people)
            .order_by("pk")
            .values_list("pk", flat=True)[:4]
        ),
        "evidence": list(
            Evidence.objects.filter(person__in=people)
            .order_by("pk")
            .values_list("pk", flat=True)[:2]
        ),
        "plan": list(plans.values_list("pk", flat=True)),
        "item": list(
            GrowthItem.objects.filter(plan__in=plans)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        ),
    }
    return {kind: [str(v) for v in found] for kind, found in values.items()}


def fillings(path: str, values: dict[str, list[str]]) -> list[str]:
    """Every way of filling `path`'s parameters from `values` (at most MAX_FILLINGS); stops the
    script, naming the parameter, where one cannot be filled."""
    names = re.findall(r"\{(\w+)\}", path)
    choices = []
    for name in names:
        kind = kind_of(path, name)
        if kind is None:
            raise SystemExit(
                f"GET {path}: cannot tell what the path parameter {{{name}}} names; "
                "add its name to KINDS in benchmarks/api_lists.py"
            )
        if not values.get(kind):
            raise SystemExit(
                f"GET {path}: the demo organisation has no {kind} to fill {{{name}}} with"
            )
        choices.append(values[kind])
    filled = []
    for chosen in itertools.islice(itertools.product(*choices), MAX_FILLINGS):
        url = path
        for name, value in zip(names, chosen, strict=True):
            url = url.replace(f"{{{name}}}", value)
        filled.append(url)
    return filled


def growth(fewer: list[dict], more: list[dict]) -> list[str]:
    """The statements (numbers and strings blanked) run more often in `more` than in `fewer`,
    with both counts, most repeated first: what repeats as a list grows."""

    def shapes(queries):
        return Counter(re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries)

    before, after = shapes(fewer), shapes(more)
    changed = sorted(set(before) | set(after), key=lambda shape: -after[shape])
    return [
        f"{before[shape]} -> {after[shape]} times: {_short(shape)}"
        for shape in changed
        if after[shape] != before[shape]
    ]


def _short(sql: str) -> str:
    """The start of a statement's columns, then what it reads and how it filters."""
    found = re.search(r"\sFROM\s", sql)
    if not found:
        return sql[:160]
    head = sql[: found.start()]
    return (head if len(head) <= 50 else head[:50] + " ...") + sql[found.start() :][:130]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    roomy_throttle()
    with fresh_database():
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from ladder.api.main import api
        from ladder.demo.organisation import demo_organisation_create
        from ladder.people.models import Person

        client = Client(HTTP_HOST="localhost")
        headers: dict[str, str] = {}

        def call(url: str, **params) -> dict:
            response = client.get(url, params, secure=True, **headers)
            if response.status_code != 200:
                raise SystemExit(
                    f"GET {url} {params or ''} answered {response.status_code}: "
                    f"{response.content[:300].decode(errors='replace')}"
                )
            return response.json() if url.startswith("/api/") else {}

        def queries_of(url: str, **params) -> tuple[list[dict], dict]:
            """The queries of the cheaper of two calls, and its answer."""
            fewest = None
            for _ in range(2):
                with CaptureQueriesContext(connection) as captured:
                    answer = call(url, **params)
                if fewest is None or len(captured) < len(fewest[0]):
                    fewest = (list(captured.captured_queries), answer)
            return fewest

        def longest(path: str, values) -> str:
            """The filling of `path` whose first page at the largest page size is longest."""
            best, best_length, refused = None, -1, None
            for url in fillings(path, values):
                response = client.get(url, {"page_size": PAGE_SIZES[-1]}, secure=True, **headers)
                if response.status_code != 200:
                    refused = f"{url} answered {response.status_code}"
                    continue
                length = len(response.json()["results"])
                if length > best_length:
                    best, best_length = url, length
            if best is None:
                raise SystemExit(f"GET {path}: no filling answered 200 (last: {refused})")
            return best

        def measure(url: str) -> dict:
            """The queries of the first page at each page size and of the next page at the
            smallest, the results at each, the time at the largest."""
            call(url, page_size=PAGE_SIZES[-1])  # warm: the token's last use, caches
            queries, results = {}, {}
            for page_size in PAGE_SIZES:
                queries[page_size], answer = queries_of(url, page_size=page_size)
                results[page_size] = len(answer["results"])
            following = call(url, page_size=PAGE_SIZES[0])["next"]
            if following:
                target = urlsplit(following)
                queries["next"], _ = queries_of(f"{target.path}?{target.query}")
            started = median_time(lambda: call(url, page_size=PAGE_SIZES[-1]), REQUESTS)
            return {"queries": queries, "results": results, "time": started}

        paths = list_operations(api)
        if not paths:
            raise SystemExit("the API's schema has no GET operation with a cursor parameter")
        urls: dict[str, str] = {}
        measured: dict[int, dict[str, dict]] = {}
        yardstick: dict[int, float] = {}
        built = 0
        for size in SIZES:
            started = time.perf_counter()
            demo_organisation_create(people=size - built, seed=args.seed + size)
            built = Person.objects.count()
            print(f"{built:,} people built in {time.perf_counter() - started:.1f} s")
            if not headers:
                # Chosen once, at the first size: the same lists in a bigger organisation.
                headers["HTTP_AUTHORIZATION"] = f"Bearer {admin_token()}"
                values = demo_values()
                urls = {path: longest(path, values) for path in paths}
            measured[size] = {path: measure(url) for path, url in urls.items()}
            yardstick[size] = median_time(lambda: call("/healthz"), REQUESTS)

        met = report(connection.vendor, urls, measured, yardstick)
        print("\nall goals met" if met else "\nSOME GOALS MISSED")
        return 0 if met else 1


def report(vendor: str, urls: dict, measured: dict, yardstick: dict) -> bool:
    """Print the queries of each list at each size and page size, and its time against the
    yardstick; whether every list is flat."""
    small, large = SIZES
    sizes = " ".join(str(n) for n in PAGE_SIZES)
    print(
        f"\non {vendor}: {len(urls)} list operations of the API, as the demo admin (token "
        f"scopes read, admin), at {small:,} and {large:,} people"
    )
    print(
        f"goal: the same number of queries at page_size {sizes}, at {small:,} and {large:,} "
        f"people; the next page (page_size {PAGE_SIZES[0]}) the same at both sizes"
    )
    keys = (*PAGE_SIZES, "next")
    group = "".join(f"{k:>5}" for k in keys)
    print(
        f"  {'':44} {'queries at ' + format(small, ',') + ' people':>21}"
        f" {'at ' + format(large, ',') + ' people':>21}   {'results':>10}"
    )
    print(
        f"  {'operation':34}{'page_size:':>10} {group:>21} {group:>21}   "
        + "".join(f"{k:>5}" for k in PAGE_SIZES[1:])
    )
    met = True
    for path, url in urls.items():
        runs = [measured[size][path]["queries"] for size in SIZES]
        firsts = {len(run[k]) for run in runs for k in PAGE_SIZES}
        nexts = {len(run["next"]) for run in runs if "next" in run}
        flat = len(firsts) == 1 and len(nexts) <= 1
        met &= flat
        cells = ["".join(f"{len(run[k]) if k in run else '-':>5}" for k in keys) for run in runs]
        results = measured[large][path]["results"]
        if results[PAGE_SIZES[-1]] <= PAGE_SIZES[0]:
            note = f" ({results[PAGE_SIZES[-1]]} item: no page size tells)"
        elif results[PAGE_SIZES[-1]] <= PAGE_SIZES[-2]:
            note = f" (all on a page of {PAGE_SIZES[-2]})"
        else:
            note = ""
        print(
            f"  {url[len('/api/v1') :]:44} {cells[0]:>21} {cells[1]:>21}   "
            + "".join(f"{results[k]:>5}" for k in PAGE_SIZES[1:])
            + f"  {'flat' if flat else 'GROWS'}{note}"
        )
        if not flat:
            everything = [run[k] for run in runs for k in keys if k in run]
            fewer, more = min(everything, key=len), max(everything, key=len)
            for line in growth(fewer, more):
                print(f"      {line}")

    print(
        f"\nserver time of the first page at page_size {PAGE_SIZES[-1]}, median of {REQUESTS} "
        "calls, its ratio to the yardstick, and the results it holds (printed, no goal)"
    )
    for size in SIZES:
        print(f"  at {size:,} people: /healthz {yardstick[size] * 1000:.2f} ms (yardstick)")
    print(f"  {'operation':44} {'at ' + format(small, ','):>23}  {'at ' + format(large, ','):>23}")
    for path, url in urls.items():
        cells = []
        for size in SIZES:
            found = measured[size][path]
            cells.append(
                f"{found['time'] * 1000:7.1f} ms {found['time'] / yardstick[size]:6.1f}x "
                f"{'(' + str(found['results'][PAGE_SIZES[-1]]) + ')':>5}"
            )
        growth_ratio = measured[large][path]["time"] / measured[small][path]["time"]
        print(
            f"  {url[len('/api/v1') :]:44} {cells[0]}  {cells[1]}"
            f"   {growth_ratio:5.2f}x at {large:,} / {small:,}"
        )
    return met


if __name__ == "__main__":
    raise SystemExit(main())
