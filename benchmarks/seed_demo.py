"""How long `seed-demo` takes for 10,000 people: a script, not a test.

    .venv/bin/python benchmarks/seed_demo.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_demo .venv/bin/python benchmarks/seed_demo.py

The database must be fresh (no people): the script runs the migrations itself, builds the demo
organisation and prints the elapsed seconds of the build alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="default: 10000")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="ladder-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from ladder.people.demo import demo_organisation_create
        from ladder.people.models import Person

        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        if Person.objects.exists():
            sys.stderr.write("the database has people already: give a fresh one in DATABASE_URL\n")
            return 1
        started = time.perf_counter()
        result = demo_organisation_create(people=args.people, seed=args.seed)
        elapsed = time.perf_counter() - started
        print(
            f"{result.people} people, {result.teams} teams on {connection.vendor}: {elapsed:.2f} s"
        )
        return 0
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
