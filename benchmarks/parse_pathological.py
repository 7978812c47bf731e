"""How long the ladder parser takes on input built to make it slow: a script, not a test.

    .venv/bin/python benchmarks/parse_pathological.py

Each case is a file crafted against one part of the parser (a regular expression that could
backtrack, a loop inside a loop, YAML that expands, Markdown nested past markdown-it's limit),
built from a size n and timed at n and at 2n. The goal is linear time: doubling n may at most
triple the time, where quadratic work quadruples it and cubic work (the Minimum Experience
case, minutes long before) multiplies it by eight. The yardstick, parsing the bundled
ladders/dotnet.md in the same run, puts each time in proportion on any machine; a case that
takes less than the yardstick even at 2n passes whatever its growth, which is noise then.
Exits 1 when a case misses its goal.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ladder.frameworks.errors import LadderError
from ladder.frameworks.parse import parse

ROOT = Path(__file__).resolve().parent.parent
YARDSTICK = ROOT / "ladders" / "dotnet.md"
GROWTH_GOAL = 3.0

LEVEL = """\
{heading}

### Responsibilities:
- Owns a service.

### Skills and Criteria:
- Knows C# well.

### Soft Skills and Collaboration:
- Explains trade-offs.

### Minimum Experience:
{experience}

### Next Actions:
- Lead a team.

### Scenario:
- A developer at level {number} owns the billing service.

### Competency Ratings:
{table}
"""
TABLE = "| Team | Tech | People |\n| --- | --- | --- |\n| 3 | 4 | 2 |"


def level(
    *,
    heading="## Senior Developer I (SR1)",
    number: int | str = 5,
    experience: str = "- 2 years.",
    table: str = TABLE,
) -> str:
    return LEVEL.format(heading=heading, number=number, experience=experience, table=table)


def ladder(*, front: str = "", more: str = "", **level_parts) -> str:
    head = f"---\n{front}\n---\n" if front else ""
    return f"{head}# Demo\n\n{level(**level_parts)}\n{more}"


def alias_bomb(depth: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, depth + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + f"\nrules: {{min_criteria_met: *a{depth}}}"


def ratings_table(columns: int) -> str:
    header = "| " + " | ".join(f"D{i}" for i in range(columns)) + " |"
    return header + "\n" + "|---" * columns + "|\n" + "| 1 " * columns + "|"


# Each case builds its file from a size n; the first n is the size the issue reported or one
# big enough to time, and the case is timed again at twice that size.
CASES: dict[str, tuple[int, Callable[[int], str]]] = {
    "Minimum Experience '- 1', n spaces, 'x'": (
        20_000,
        lambda n: ladder(experience="- 1" + " " * n + "x"),
    ),
    "Minimum Experience: '1 year' joined n times": (
        20_000,
        lambda n: ladder(experience="- " + " and ".join(["1 year"] * n)),
    ),
    "a level heading of n spaces": (32_000, lambda n: ladder(heading="## " + " " * n)),
    "a level heading: 'a', n spaces, 'b (SR1)'": (
        100_000,
        lambda n: ladder(heading="## a" + " " * n + "b (SR1)"),
    ),
    "a YAML alias bomb of n/1000 levels used as a rule": (
        8_000,
        lambda n: ladder(front=alias_bomb(n // 1000)),
    ),
    "front matter nested n deep": (50_000, lambda n: ladder(front="scale: " + "[" * n)),
    "front matter naming n levels": (
        5_000,
        lambda n: ladder(
            front="levels:\n" + "".join(f"  L{i}: {{number: {i}}}\n" for i in range(n))
        ),
    ),
    "n-digit numbers in every integer slot": (
        5_000,
        lambda n: ladder(
            front="scale: {min: 1, max: " + "9" * n + "}",
            number="5" * n,
            experience="- " + "1" * n + " years",
            table=TABLE.replace("| 3 |", "| " + "3" * n + " |"),
        ),
    ),
    "a ratings table of n columns": (10_000, lambda n: ladder(table=ratings_table(n))),
    "a table of n columns, then n/4 levels without one": (
        4_000,
        lambda n: ladder(
            table=ratings_table(n),
            more="\n".join(
                level(heading=f"## Staff Developer (ST{i})", number=6 + i, table="")
                for i in range(n // 4)
            ),
        ),
    ),
    "n/25 lists, each nested 25 deep": (
        40_000,
        lambda n: ladder(
            experience="".join("  " * i + "- 1 year\n" for i in range(25)) * (n // 25)
        ),
    ),
    "quotes nested n deep in a bullet": (50_000, lambda n: ladder(experience="- " + "> " * n)),
    "n lines holding a NUL": (10_000, lambda n: ladder(experience="- \x00 year\n" * n)),
}


def seconds(text: str, runs: int = 5) -> float:
    # Processor time of this process, and the least of several runs: wall-clock time and the
    # other runs measure the machine's other work as well.
    def once() -> float:
        started = time.process_time()
        with contextlib.suppress(LadderError):
            parse(text, path="case.md")
        return time.process_time() - started

    return min(once() for _ in range(runs))


def main() -> int:
    yardstick_text = YARDSTICK.read_text(encoding="utf-8")
    yardstick = seconds(yardstick_text, runs=9)
    print(
        f"yardstick: parsing {YARDSTICK.name} ({len(yardstick_text) / 1000:.0f} KB) takes "
        f"{yardstick * 1000:.1f} ms"
    )
    print(
        f"goal: linear time, so doubling n at most {GROWTH_GOAL:g}x the time (quadratic: 4x, "
        "cubic: 8x);\n      a case faster than the yardstick at 2n passes whatever its growth\n"
    )
    print(f"{'case':<52} {'n':>7} {'size':>8} {'seconds':>8} {'ratio':>7} {'growth':>7}")
    missed = 0
    for name, (n, build) in CASES.items():
        text, doubled = build(n), build(2 * n)
        taken, taken_doubled = seconds(text), seconds(doubled)
        growth = taken_doubled / taken if taken else 1.0
        ok = growth <= GROWTH_GOAL or taken_doubled <= yardstick
        missed += not ok
        print(
            f"{name:<52} {n:>7} {len(text) / 1000:>6.0f}KB {taken:>8.3f} "
            f"{taken / yardstick:>6.1f}x {growth:>6.1f}x{'' if ok else '  MISSED'}"
        )
    print("\nratio: seconds at n over the yardstick's; growth: seconds at 2n over seconds at n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
