"""How long applying a people CSV takes: a script, not a test.

    .venv/bin/python benchmarks/import_people.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python benchmarks/import_people.py

The goal: a file of 50,000 people applied well inside gunicorn's 30 s worker timeout, under 15 s,
whether it adds them, renames them or changes their levels. The
database must be fresh (no people): the script runs the migrations, imports the bundled ladder,
then times, in one run on one machine,

- the yardstick: inserting the same number of bare people with one `bulk_create` (then removing
  them), the least any import of that many people can cost here;
- applying a file of that many new people, eight to a manager and a team (seven levels);
- applying the same file again (nothing to change), a copy that renames everyone, one that
  promotes everyone with a level, and one that corrects the start of that promotion (which
  moves the end of the level before it too);

and prints each, with its ratio to the yardstick.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _database import fresh_database

GOAL_SECONDS = 15.0
ROOT = Path(__file__).resolve().parent.parent


def people_file(count: int, *, renamed: bool = False, level: str = "MD1,2023-03-01") -> str:
    """`count` people: each manager has eight reports, each group of eight is a team, and every
    second person has `level` (code and start)."""
    lines = ["email,name,manager_email,team,level_code,level_since"]
    for i in range(count):
        manager = f"p{(i - 1) // 8}@bench.test" if i else ""
        level_cells = level if i % 2 else ","
        name = f"Person {i}{' Renamed' if renamed else ''}"
        lines.append(f"p{i}@bench.test,{name},{manager},Team {(i - 1) // 8},{level_cells}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000, help="default: 50000")
    args = parser.parse_args()

    with fresh_database():
        from django.db import connection, transaction

        from ladder.frameworks.services import ladder_import
        from ladder.people.imports import people_import
        from ladder.people.models import Person

        source = (ROOT / "ladders" / "dotnet.md").read_text()
        version = ladder_import(source=source, source_name="dotnet.md", slug="dotnet").version

        started = time.perf_counter()
        with transaction.atomic():
            Person.objects.bulk_create(
                (Person(name=f"Bare {i}", email=f"bare{i}@bench.test") for i in range(args.people)),
                batch_size=1000,
            )
        yardstick = time.perf_counter() - started
        Person.objects.all().delete()

        def timed(text: str) -> tuple[float, int]:
            started = time.perf_counter()
            plan = people_import(by=None, text=text, path="bench.csv", version=version, apply=True)
            if plan.errors:
                raise SystemExit("\n".join(plan.errors[:10]))
            return time.perf_counter() - started, len(plan.changes)

        created, created_changes = timed(people_file(args.people))
        unchanged, _ = timed(people_file(args.people))
        renamed, renamed_changes = timed(people_file(args.people, renamed=True))
        promoted, promoted_changes = timed(
            people_file(args.people, renamed=True, level="MD2,2024-09-01")
        )
        corrected, corrected_changes = timed(
            people_file(args.people, renamed=True, level="MD2,2024-06-01")
        )

        print(
            f"goal: a file of {args.people:,} people applied in under {GOAL_SECONDS:.0f} s "
            f"(gunicorn's timeout is 30 s), on {connection.vendor}"
        )
        print(f"  yardstick, bare bulk_create of {args.people:,} people: {yardstick:.2f} s")
        for label, seconds in [
            (f"new people ({created_changes:,} changes)", created),
            ("the same file again (no change)", unchanged),
            (f"everyone renamed ({renamed_changes:,} changes)", renamed),
            (f"every level promoted ({promoted_changes:,} changes)", promoted),
            (f"every promotion's start corrected ({corrected_changes:,} changes)", corrected),
        ]:
            print(f"  {label}: {seconds:.2f} s, {seconds / yardstick:.1f}x the yardstick")
        met = all(seconds < GOAL_SECONDS for seconds in [created, renamed, promoted, corrected])
        print("goal met" if met else "GOAL MISSED")
        return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
