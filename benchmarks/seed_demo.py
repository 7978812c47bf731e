"""How long `seed-demo` takes for 10,000 people: a script, not a test.

    .venv/bin/python benchmarks/seed_demo.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_demo .venv/bin/python benchmarks/seed_demo.py

The database must be fresh (no people): the script runs the migrations itself, builds the demo
organisation with its evidence, assessments and growth plans, and prints the elapsed seconds of
the build alone, with the seconds each phase took.
"""

from __future__ import annotations

import argparse
import time

from _database import fresh_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="default: 10000")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with fresh_database():
        from django.db import connection

        from ladder.demo.organisation import PHASES, demo_organisation_create

        ended: dict[str, float] = {}
        started = time.perf_counter()
        result = demo_organisation_create(
            people=args.people,
            seed=args.seed,
            progress=lambda phase, done: ended.__setitem__(phase, time.perf_counter()),
        )
        elapsed = time.perf_counter() - started
        print(
            f"{result.people} people, {result.teams} teams on {connection.vendor}: {elapsed:.2f} s"
        )
        previous, phases = started, []
        for phase in PHASES:
            phases.append(f"{phase} {ended[phase] - previous:.2f} s")
            previous = ended[phase]
        print(f"  {', '.join(phases)}")
        print(
            f"  {result.evidence} evidence, {sum(result.assessments.values())} assessments "
            f"({result.assessments}), {result.plans} plans with {result.plan_items} items; "
            f"verdicts {result.verdicts}"
        )
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
