"""How long a review cycle's calibration and progress pages take for 1,000 and 10,000 people: a
script, not a test.

    .venv/bin/python benchmarks/cycle_pages.py                 # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cycle .venv/bin/python benchmarks/cycle_pages.py

The goal: each page runs as many queries for 10,000 people as for 1,000 (the count does not grow
with the cycle), and its server time for 10,000 people is under 0.5 s on this machine. The
database must be fresh (no people): the script runs the migrations, imports the bundled ladder,
and builds with bulk inserts an organisation of eight reports to a manager, every person at a
level with a next one, and a cycle in calibration holding everyone, where nine in ten have a
shared manager assessment and eight in ten a shared self-assessment against their target, begun,
submitted and shared at moments spread over the cycle's first weeks (one manager in seven rating
generously, one in seven harshly). Then, first at 1,000 people and
again once the organisation has grown to 10,000, it times in one run on one machine

- the yardstick: one bare query listing every member of the cycle (primary key and name), the
  least any page about everyone in it can cost;
- each page, as an admin asks for it through Django's test client (middleware, view, template:
  the server's time, without the network), the median of a few requests after one to warm up;
- the first request, after emptying what the process keeps between requests (the calibration
  page keeps the ladders, the shared assessments it read, the rows it made and its last
  reading; the progress page its last reading): its queries
  are the ones counted, and its time is printed beside the median (not held to the goal);
- one request after a change, a manager sharing a new assessment of one report, the common
  change while a committee calibrates (printed, not held to the goal);

and prints each with its query count and its ratio to the yardstick. On PostgreSQL the tables
are analyzed after each build, as autovacuum would. Exits 1 when a query count grows or a page
misses the time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time
from pathlib import Path

from _database import fresh_database

ROOT = Path(__file__).resolve().parent.parent

GOAL_SECONDS = 0.5
SIZES = (1_000, 10_000)
REQUESTS = 5
REPORTS_PER_MANAGER = 8
LEVELS = ("JR1", "JR2", "MD1", "MD2", "SR1", "SR2", "TL1")
# Criterion statuses, drawn with these weights: most criteria are met.
STATUSES = (("meets", 6), ("exceeds", 1), ("developing", 2), ("not_yet", 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with fresh_database():
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from ladder.frameworks.selectors import version_ladder
        from ladder.frameworks.services import ladder_import
        from ladder.promotions import calibration_rows, selectors
        from ladder.promotions.models import CycleMember, ReviewCycle

        from_file = (ROOT / "ladders" / "dotnet.md").read_text()
        version = ladder_import(source=from_file, source_name="dotnet.md", slug="dotnet").version
        builder = _Builder(version, version_ladder(version), random.Random(args.seed))
        today = timezone.localdate()
        cycle = ReviewCycle.objects.create(
            name="Benchmark",
            ladder=version.ladder,
            stage=ReviewCycle.Stage.CALIBRATION,
            self_due=today - datetime.timedelta(days=20),
            manager_due=today - datetime.timedelta(days=10),
            calibration_on=today,
            effective_on=today + datetime.timedelta(days=30),
            opened_at=timezone.now() - datetime.timedelta(days=30),
        )
        admin = get_user_model().objects.create_superuser("bench-admin", "admin@bench.test", "x")
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        pages = {
            "calibration": f"/cycles/{cycle.pk}/calibration/",
            "progress": f"/cycles/{cycle.pk}/progress/",
        }

        def yardstick() -> float:
            def bare() -> float:
                started = time.perf_counter()
                list(CycleMember.objects.filter(cycle=cycle).values_list("pk", "person__name"))
                return time.perf_counter() - started

            bare()
            return statistics.median(bare() for _ in range(REQUESTS))

        def measure(url: str) -> tuple[float, int, float, float, float]:
            """The median server time of the page, its queries, the median time this process
            spent on the CPU for it (the machine's other work weighs on the first, much less on
            the last; on PostgreSQL the database's own work is not in it), and the time of the
            first request with nothing kept from earlier ones."""
            calibration_rows.forget()
            selectors.forget()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                first = time.perf_counter() - started
            # Counted now: the next request empties the connection's log that `queries` reads.
            count = len(queries)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

            def timed() -> tuple[float, float]:
                started, cpu = time.perf_counter(), time.process_time()
                client.get(url, secure=True)
                return time.perf_counter() - started, time.process_time() - cpu

            times = [timed() for _ in range(REQUESTS)]
            # And once after a change: someone's manager shares a new assessment, the common
            # change during calibration (only that person's row is made again).
            builder.reassess(cycle)
            started = time.perf_counter()
            client.get(url, secure=True)
            changed = time.perf_counter() - started
            return (
                statistics.median(wall for wall, _ in times),
                count,
                statistics.median(cpu for _, cpu in times),
                first,
                changed,
            )

        results: dict[int, dict[str, tuple[float, int, float, float, float]]] = {}
        yardsticks: dict[int, float] = {}
        for size in SIZES:
            started = time.perf_counter()
            builder.grow_to(size, cycle)
            built = time.perf_counter() - started
            if connection.vendor == "postgresql":
                # What autovacuum does soon after a bulk load: without it the planner guesses
                # one row per table and picks nested loops over 10,000 people.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"{size:,} people built in {built:.1f} s ({builder.counts()})")
            yardsticks[size] = yardstick()
            results[size] = {name: measure(url) for name, url in pages.items()}

        print(
            f"goal: the calibration and progress pages of a cycle run as many queries for "
            f"{SIZES[-1]:,} people as for {SIZES[0]:,}, each in under {GOAL_SECONDS} s for "
            f"{SIZES[-1]:,}; on {connection.vendor}"
        )
        met = True
        for size in SIZES:
            stick = yardsticks[size]
            print(
                f"  {size:,} people; yardstick, one bare query of every member: {stick * 1000:.1f} ms"
            )
            for name, (seconds, queries, cpu, first, changed) in results[size].items():
                print(
                    f"    {name} page: {seconds:.3f} s ({cpu:.3f} s on the CPU), {queries} "
                    f"queries, {seconds / stick:.0f}x the yardstick; the first request "
                    f"{first:.3f} s, after a new shared assessment {changed:.3f} s"
                )
        for name in pages:
            counts = [results[size][name][1] for size in SIZES]
            seconds = results[SIZES[-1]][name][0]
            flat = len(set(counts)) == 1
            fast = seconds < GOAL_SECONDS
            met = met and flat and fast
            print(
                f"  {name}: queries {' and '.join(map(str, counts))} "
                f"({'equal' if flat else 'GROWING'}); {seconds:.3f} s for {SIZES[-1]:,} "
                f"({'under' if fast else 'OVER'} {GOAL_SECONDS} s)"
            )
        print(f"  the machine's load average over the last minute: {os.getloadavg()[0]:.1f}")
        print("goal met" if met else "GOAL MISSED")
        return 0 if met else 1


class _Builder:
    """Grows the organisation and the cycle with bulk inserts: person i reports to person
    (i - 1) // 8, and each group of eight is a team."""

    def __init__(self, version, ladder, rng: random.Random):
        from ladder.frameworks.models import Level

        self.version, self.rng = version, rng
        self.levels = {level.code: level for level in Level.objects.filter(version=version)}
        self.targets = {code: ladder.next_levels(ladder.level(code))[0].code for code in LEVELS}
        self.expected = {code: ladder.level(code).ratings for code in self.levels}
        self.criteria = {
            code: list(level.criteria.order_by("position").values_list("pk", flat=True))
            for code, level in self.levels.items()
        }
        self.people: list = []  # (pk, path) by index
        self.teams: dict[int, int] = {}
        self.assessments = 0

    def counts(self) -> str:
        return f"{self.assessments:,} shared assessments"

    def grow_to(self, size: int, cycle) -> None:
        from django.db import transaction

        from ladder.assessments.models import (
            Assessment,
            CriterionAssessment,
            DimensionRating,
        )
        from ladder.people.models import LevelAssignment, Person, Team, path_below
        from ladder.promotions.models import CycleMember

        first = len(self.people)
        indexes = range(first, size)
        with transaction.atomic():
            new_teams = sorted({self._team(i) for i in indexes} - set(self.teams))
            for team in Team.objects.bulk_create(
                Team(name=f"Team {t}", slug=f"team-{t}") for t in new_teams
            ):
                self.teams[int(team.slug.removeprefix("team-"))] = team.pk
            created = Person.objects.bulk_create(
                (Person(name=f"Person {i:05}", email=f"p{i}@bench.test") for i in indexes),
                batch_size=1000,
            )
            for i, person in zip(indexes, created, strict=True):
                manager = (i - 1) // REPORTS_PER_MANAGER if i else None
                person.manager_id = self.people[manager][0] if manager is not None else None
                person.path = path_below(self.people[manager][1] if i else None, person.pk)
                person.team_id = self.teams[self._team(i)]
                self.people.append((person.pk, person.path))
            Person.objects.bulk_update(created, ["manager", "path", "team"], batch_size=1000)

            codes = {i: LEVELS[self.rng.randrange(len(LEVELS))] for i in indexes}
            LevelAssignment.objects.bulk_create(
                (
                    LevelAssignment(
                        person_id=self.people[i][0],
                        level=self.levels[codes[i]],
                        start=datetime.date(2022, 1, 1)
                        + datetime.timedelta(days=self.rng.randrange(900)),
                        reason="hire",
                    )
                    for i in indexes
                ),
                batch_size=1000,
            )
            CycleMember.objects.bulk_create(
                (
                    CycleMember(
                        cycle=cycle,
                        person_id=self.people[i][0],
                        target=self.levels[self.targets[codes[i]]],
                        manager_id=self.people[(i - 1) // REPORTS_PER_MANAGER][0] if i else None,
                    )
                    for i in indexes
                ),
                batch_size=1000,
            )
            made = []  # (assessment, target code, bias)
            for i in indexes:
                if not i:
                    continue
                manager_index = (i - 1) // REPORTS_PER_MANAGER
                target = self.targets[codes[i]]
                bias = {0: 1, 1: -1}.get(manager_index % 7, 0)
                if i % 10:
                    created, submitted, shared = self._moments(cycle)
                    made.append(
                        (
                            Assessment(
                                person_id=self.people[i][0],
                                author_id=self.people[manager_index][0],
                                level=self.levels[target],
                                role="manager",
                                state="shared",
                                created_at=created,
                                submitted_at=submitted,
                                shared_at=shared,
                            ),
                            target,
                            bias,
                        )
                    )
                if i % 5:
                    created, submitted, shared = self._moments(cycle)
                    made.append(
                        (
                            Assessment(
                                person_id=self.people[i][0],
                                author_id=self.people[i][0],
                                level=self.levels[target],
                                role="self",
                                state="shared",
                                created_at=created,
                                submitted_at=submitted,
                                shared_at=shared,
                            ),
                            target,
                            1,
                        )
                    )
            Assessment.objects.bulk_create([a for a, _, _ in made], batch_size=1000)
            self.assessments += len(made)
            statuses = [status for status, weight in STATUSES for _ in range(weight)]
            DimensionRating.objects.bulk_create(
                (
                    DimensionRating(
                        assessment_id=assessment.pk,
                        position=position,
                        dimension=dimension,
                        rating=min(5, max(1, expected + bias + self.rng.choice((-1, 0, 0, 1)))),
                    )
                    for assessment, target, bias in made
                    for position, (dimension, expected) in enumerate(self.expected[target].items())
                ),
                batch_size=2000,
            )
            CriterionAssessment.objects.bulk_create(
                (
                    CriterionAssessment(
                        assessment_id=assessment.pk,
                        criterion_id=criterion,
                        status=self.rng.choice(statuses),
                    )
                    for assessment, target, _ in made
                    for criterion in self.criteria[target]
                ),
                batch_size=2000,
            )

    def reassess(self, cycle) -> None:
        """A manager shares a new assessment of one of their reports, a copy of the last one
        with one rating lower."""
        from ladder.assessments.models import Assessment

        latest = (
            Assessment.objects.filter(role="manager", state="shared")
            .order_by("?")
            .prefetch_related("ratings", "criteria")
            .first()
        )
        ratings, criteria = list(latest.ratings.all()), list(latest.criteria.all())
        created, submitted, shared = self._moments(cycle)
        latest.pk = None
        latest.created_at, latest.submitted_at = created, submitted
        latest.shared_at = max(shared, cycle.opened_at + datetime.timedelta(days=30))
        latest.save()
        for rating in ratings:
            rating.pk, rating.assessment = None, latest
            rating.rating = max(1, (rating.rating or 2) - 1)
        type(ratings[0]).objects.bulk_create(ratings)
        for criterion in criteria:
            criterion.pk, criterion.assessment = None, latest
        type(criteria[0]).objects.bulk_create(criteria)

    def _moments(self, cycle) -> tuple:
        """When an assessment was begun, submitted and shared: at some moment of the cycle's
        first weeks, hours apart, as people write them (no two alike to the microsecond)."""
        created = cycle.opened_at + datetime.timedelta(
            seconds=self.rng.randrange(20 * 86_400), microseconds=self.rng.randrange(1_000_000)
        )
        submitted = created + datetime.timedelta(seconds=self.rng.randrange(1, 3 * 86_400))
        return (
            created,
            submitted,
            submitted + datetime.timedelta(seconds=self.rng.randrange(1, 86_400)),
        )

    @staticmethod
    def _team(i: int) -> int:
        return (i - 1) // REPORTS_PER_MANAGER if i else 0


if __name__ == "__main__":
    raise SystemExit(main())
