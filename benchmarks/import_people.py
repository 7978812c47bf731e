"""How long applying a people CSV takes: a script, not a test.

    .venv/bin/python benchmarks/import_people.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python benchmarks/import_people.py

The goal: a file of 10,000 people applied in under 10 s and one of 50,000 in under 60 s,
whether it adds them, renames them or changes their levels. The database must be fresh (no
people): the script runs the migrations, imports the bundled ladder, then times, for each size in
one run on one machine,

- the yardstick: inserting the same number of bare people with one `bulk_create` (then removing
  them), the least any import of that many people can cost here;
- applying a file of that many new people, eight to a manager and a team (six or seven levels),
  every report listed before their manager, so no one's manager is known from the rows above;
- applying the same file again (nothing to change), a copy that renames everyone, one that
  promotes everyone with a level, and one that corrects the start of that promotion (which
  moves the end of the level before it too);

and prints each, with its ratio to the yardstick. Each size has people of its own, added to the
ones before: the larger file meets an organisation that is not empty.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _database import fresh_database

# Seconds allowed for a file of each size.
GOALS = {10_000: 10.0, 50_000: 60.0}
ROOT = Path(__file__).resolve().parent.parent


def people_file(
    count: int, *, renamed: bool = False, level: str = "MD1,2023-03-01", prefix: str = "p"
) -> str:
    """`count` people: each manager has eight reports, each group of eight is a team, every
    second person has `level` (code and start), and everyone comes before their manager."""
    lines = []
    for i in range(count):
        manager = f"{prefix}{(i - 1) // 8}@bench.test" if i else ""
        level_cells = level if i % 2 else ","
        name = f"Person {i}{' Renamed' if renamed else ''}"
        lines.append(
            f"{prefix}{i}@bench.test,{name},{manager},{prefix} Team {(i - 1) // 8},{level_cells}"
        )
    header = "email,name,manager_email,team,level_code,level_since"
    return "\n".join([header, *reversed(lines)]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people",
        type=int,
        action="append",
        help="a file size to time, once per size (default: 10000 and 50000)",
    )
    args = parser.parse_args()
    sizes = args.people or list(GOALS)

    with fresh_database():
        from django.db import connection

        from ladder.frameworks.services import ladder_import

        source = (ROOT / "ladders" / "dotnet.md").read_text()
        version = ladder_import(source=source, source_name="dotnet.md", slug="dotnet").version
        print(f"on {connection.vendor}")
        met = all([time_size(size, version) for size in sizes])
        print("goal met" if met else "GOAL MISSED")
        return 0 if met else 1


def time_size(size: int, version) -> bool:
    """Time every file of `size` people and print it; True when each met the goal."""
    from django.db import transaction

    from ladder.people.imports import people_import
    from ladder.people.models import Person

    goal = GOALS.get(size, 10.0 * size / 10_000)
    started = time.perf_counter()
    with transaction.atomic():
        Person.objects.bulk_create(
            (Person(name=f"Bare {i}", email=f"bare{i}@bench.test") for i in range(size)),
            batch_size=1000,
        )
    yardstick = time.perf_counter() - started
    Person.objects.filter(email__startswith="bare").delete()

    def timed(text: str) -> tuple[float, int]:
        started = time.perf_counter()
        plan = people_import(by=None, text=text, path="bench.csv", version=version, apply=True)
        if plan.errors:
            raise SystemExit("\n".join(plan.errors[:10]))
        return time.perf_counter() - started, len(plan.changes)

    prefix = f"s{size}-"
    created, created_changes = timed(people_file(size, prefix=prefix))
    unchanged, _ = timed(people_file(size, prefix=prefix))
    renamed, renamed_changes = timed(people_file(size, renamed=True, prefix=prefix))
    promoted, promoted_changes = timed(
        people_file(size, renamed=True, level="MD2,2024-09-01", prefix=prefix)
    )
    corrected, corrected_changes = timed(
        people_file(size, renamed=True, level="MD2,2024-06-01", prefix=prefix)
    )

    print(f"goal: a file of {size:,} people applied in under {goal:.0f} s")
    print(f"  yardstick, bare bulk_create of {size:,} people: {yardstick:.2f} s")
    for label, seconds in [
        (f"new people, reports before managers ({created_changes:,} changes)", created),
        ("the same file again (no change)", unchanged),
        (f"everyone renamed ({renamed_changes:,} changes)", renamed),
        (f"every level promoted ({promoted_changes:,} changes)", promoted),
        (f"every promotion's start corrected ({corrected_changes:,} changes)", corrected),
    ]:
        print(
            f"  {label}: {seconds:.2f} s, {seconds / yardstick:.1f}x the yardstick, "
            f"{seconds / goal:.0%} of the goal"
        )
    return all(seconds < goal for seconds in [created, renamed, promoted, corrected])


if __name__ == "__main__":
    raise SystemExit(main())
