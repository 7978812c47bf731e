"""How long `ladder check` takes on the bundled ladder, from start to exit: a script, not a test.

    .venv/bin/python benchmarks/check_startup.py

The file commands need no database, so `ladder check` should cost little more than reading the
file itself. The yardstick is the least a check can be: a bare Python process of the same
interpreter that imports markdown-it-py and parses the same file with it. The goal: `ladder
check` takes at most twice the yardstick. Both are timed in pairs, one right after the other,
so that the machine's other work weighs on both alike, and the median of each is compared.
Exits 1 when the goal is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LADDER_FILE = ROOT / "ladders" / "dotnet.md"
GOAL_RATIO = 2.0
PAIRS = 7

YARDSTICK = (
    "import sys\n"
    "from markdown_it import MarkdownIt\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "MarkdownIt('commonmark').enable('table').parse(text)\n"
)


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> int:
    python = sys.executable
    ladder = str(Path(python).with_name("ladder"))
    check = [ladder, "check", str(LADDER_FILE)]
    bare = [python, "-c", YARDSTICK, str(LADDER_FILE)]
    # Once each before timing, so that neither pays alone for compiling or a cold disk cache.
    seconds(check), seconds(bare)
    pairs = [(seconds(bare), seconds(check)) for _ in range(PAIRS)]
    yardstick = statistics.median(bare for bare, _ in pairs)
    measured = statistics.median(check for _, check in pairs)
    ratio = measured / yardstick
    print(f"goal: `ladder check {LADDER_FILE.name}` within {GOAL_RATIO:g}x the yardstick")
    print(
        f"yardstick: a bare Python process parsing {LADDER_FILE.name} with markdown-it-py: "
        f"{yardstick:.3f} s (median of {PAIRS})"
    )
    print(f"ladder check {LADDER_FILE.name}: {measured:.3f} s (median of {PAIRS})")
    print(f"ratio: {ratio:.1f}x{'' if ratio <= GOAL_RATIO else '  MISSED'}")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
