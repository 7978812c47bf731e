"""The database a benchmark runs on: the one DATABASE_URL names, or a temporary SQLite file."""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time


@contextlib.contextmanager
def fresh_database():
    """Set up Django on a migrated database that has no people yet, and remove the temporary
    SQLite file (when one was made) afterwards. Exits with 1 when the database has people."""
    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="ladder-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from ladder.people.models import Person

        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        if Person.objects.exists():
            sys.stderr.write("the database has people already: give a fresh one in DATABASE_URL\n")
            raise SystemExit(1)
        yield
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def median_time(run, times: int) -> float:
    """The median of `times` timed runs of `run`, after one untimed run to warm up."""
    run()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)
