"""How long `ladder backup` and `ladder restore` take for a demo of 1,000 people: a script, not
a test.

    .venv/bin/python benchmarks/backup_restore.py          # temporary SQLite files
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_source \\
        .venv/bin/python benchmarks/backup_restore.py --target postgres://postgres@127.0.0.1:5432/bench_target

Both databases must be fresh (no people); the script migrates them. It seeds the source with
`ladder seed-demo`, then times, each as the `ladder` command a cron job runs (Python's start
included): Django's `dumpdata` of every table and `ladder backup` of the source; Django's
`loaddata` of that dump into the target, `ladder flush`, and `ladder restore`. The yardsticks are
dumpdata and loaddata, Django's own copy of the same rows; the goal is that backup and restore
take no longer than they do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LADDER = Path(sys.executable).with_name("ladder")


def ladder(database: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(LADDER), *args],
        env={**os.environ, "DEBUG": "1", "DATABASE_URL": database},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="default: 1000")
    parser.add_argument("--target", help="DATABASE_URL of the empty database to restore into")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    try:
        source = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/source.sqlite3"
        target = args.target or f"sqlite:///{scratch}/target.sqlite3"
        ladder(source, "migrate", "-v0")
        ladder(target, "migrate", "-v0")
        ladder(source, "seed-demo", "--people", str(args.people))
        dump, archive = scratch / "dump.json", scratch / "backup.zip"
        dumped = ladder(source, "dumpdata", "--all", "-o", str(dump))
        backed_up = ladder(source, "backup", str(archive))
        loaded = ladder(target, "loaddata", str(dump))
        ladder(target, "flush", "--no-input")
        restored = ladder(target, "restore", str(archive))
        vendor = source.split(":", 1)[0]
        print(
            f"{args.people} people, {vendor} to {target.split(':', 1)[0]}: archive "
            f"{archive.stat().st_size / 1e6:.1f} MB, dump {dump.stat().st_size / 1e6:.1f} MB"
        )
        print(
            f"  backup   goal <= dumpdata: {backed_up:.2f} s, dumpdata {dumped:.2f} s, "
            f"ratio {backed_up / dumped:.2f}"
        )
        print(
            f"  restore  goal <= loaddata: {restored:.2f} s, loaddata {loaded:.2f} s, "
            f"ratio {restored / loaded:.2f}"
        )
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
