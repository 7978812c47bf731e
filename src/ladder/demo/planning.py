"""The demo organisation planned in memory: its manager tree, names, levels and level histories.

Nothing here reads or writes the database, and every choice comes from the `random.Random` it is
given, so the same seed plans the same organisation.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.models import Level

from .phrases import FIRST_NAMES, LAST_NAMES

DEMO_PASSWORD = "ladder-demo"
ADMIN_EMAIL = "admin@example.com"
MANAGER_EMAIL = "manager@example.com"
ENGINEER_EMAIL = "engineer@example.com"
DEMO_LOGINS = (ADMIN_EMAIL, MANAGER_EMAIL, ENGINEER_EMAIL)

# The smallest organisation with a CTO, an engineering manager leading a team of their own and a
# tech lead below them (the skip level), each team with three or more engineers.
MIN_PEOPLE = 10
# Reports of a manager of managers, and engineers in a team besides its lead (teams of 4-9).
SPAN = (5, 8)
TEAM_MEMBERS = (3, 8)
# manager@example.com leads a small team directly and two or three tech leads of other teams.
DEMO_TEAM_MEMBERS = (3, 5)
DEMO_TEAM_LEADS = (2, 3)
YEARS_BACK = 5
OLDEST_HISTORY_YEARS = 6
# The review round in calibration today: opened six weeks ago, self-assessments due three weeks
# after that, managers' two weeks later; decisions take effect on the first of next month.
ROUND_OPENED_DAYS_AGO = 42
ROUND_DRAFTED_DAYS_BEFORE = 5
SELF_DUE_DAYS = 21
MANAGER_DUE_DAYS = 35
# Nobody starts a level this close to the round's opening or after it: the people it took in,
# and the levels it assesses them against, are those of today.
SETTLED_BEFORE_ROUND_DAYS = 14

# Level mix by role, as weights over the bundled ladder's codes. Codes a ladder version lacks are
# left out; the CTO at the top has no level.
LEVEL_WEIGHTS = {
    "director": {"TL2": 65, "PE1": 35},
    "manager": {"TL2": 70, "TL1": 20, "SR2": 10},
    "lead": {"TL1": 55, "SR2": 25, "TL2": 15, "SR1": 5},
    "engineer": {
        "JR1": 12,
        "JR2": 15,
        "MD1": 18,
        "MD2": 18,
        "SR1": 15,
        "SR2": 12,
        "SP1": 4,
        "PE1": 0.6,
    },
}
# Where people at a level usually came from, when it is not simply the level below on its track.
PREVIOUS_LEVEL = {"TL1": "SR2", "SP1": "SR2", "TL2": "TL1", "PE1": "SP1"}
# Share of people with one earlier level in their history, and of those with two.
EARLIER_LEVEL = 0.45
TWO_EARLIER_LEVELS = 0.3


@dataclass(frozen=True)
class RoundDates:
    """The days of the demo's review round, all planned from today."""

    drafted: datetime.date
    opened: datetime.date
    self_due: datetime.date
    manager_due: datetime.date
    calibration_on: datetime.date
    effective_on: datetime.date

    @property
    def latest_level_start(self) -> datetime.date:
        return self.opened - datetime.timedelta(days=SETTLED_BEFORE_ROUND_DAYS)


def plan_round(today: datetime.date) -> RoundDates:
    """Self and manager assessments due in the past, calibration today, decisions effective on
    the first of next month."""
    opened = today - datetime.timedelta(days=ROUND_OPENED_DAYS_AGO)
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return RoundDates(
        drafted=opened - datetime.timedelta(days=ROUND_DRAFTED_DAYS_BEFORE),
        opened=opened,
        self_due=opened + datetime.timedelta(days=SELF_DUE_DAYS),
        manager_due=opened + datetime.timedelta(days=MANAGER_DUE_DAYS),
        calibration_on=today,
        effective_on=next_month,
    )


@dataclass
class Node:
    """One planned person; the organisation is a list of them, managers before their reports."""

    role: str  # "cto", "director", "manager", "lead" or "engineer"
    parent: int | None
    depth: int
    team: int | None = None
    name: str = ""
    email: str = ""
    login: str | None = None
    # (level code, start) oldest first; the last is the current level.
    history: list[tuple[str, datetime.date]] = field(default_factory=list)
    # For the demo manager's team: "gaps" (the demo engineer), "ready" or "eligible".
    standout: str | None = None


def _split(count: int, rng: random.Random, low: int = SPAN[0], high: int = SPAN[1]) -> list[int]:
    """Group sizes from `low` to `high` adding up to `count` (fewer when count is too small)."""
    if count <= 0:
        return []
    fewest, most = -(-count // high), max(1, count // low)
    groups = rng.randint(fewest, most) if most >= fewest else fewest
    sizes = [count // groups + (i < count % groups) for i in range(groups)]
    # Uneven spans, as in a real company: move people between groups within the bounds.
    for _ in range(groups * 2):
        a, b = rng.randrange(groups), rng.randrange(groups)
        if a != b and sizes[a] > low and sizes[b] < high:
            sizes[a] -= 1
            sizes[b] += 1
    return sizes


def _fit(sizes: list[int], bounds: list[tuple[int, int]], total: int, rng: random.Random) -> None:
    """Nudge `sizes` one at a time, each within its bounds, until they add up to `total`."""
    assert sum(low for low, _ in bounds) <= total <= sum(high for _, high in bounds)
    diff = total - sum(sizes)
    order = list(range(len(sizes)))
    while diff:
        rng.shuffle(order)
        for i in order:
            if diff > 0 and sizes[i] < bounds[i][1]:
                sizes[i] += 1
                diff -= 1
            elif diff < 0 and sizes[i] > bounds[i][0]:
                sizes[i] -= 1
                diff += 1
            if not diff:
                break


def plan_tree(people: int, rng: random.Random) -> tuple[list[Node], int]:
    """Exactly `people` nodes: a CTO, layers of directors, engineering managers, tech leads and
    their teams, with how many teams. Team 0 is led by the demo manager themselves; every other
    team by a tech lead.
    """
    teams = max(2, round((people - 1) / 7.2))
    while True:
        demo_leads = min(teams - 1, rng.randint(*DEMO_TEAM_LEADS))
        em_groups = _split(teams - 1 - demo_leads, rng)
        above: list[list[int]] = []  # the groupings of each layer of managers, bottom up
        count = 1 + len(em_groups)
        while count > SPAN[1]:
            above.append(_split(count, rng))
            count = len(above[-1])
        managers = 1 + len(em_groups) + sum(len(g) for g in above)
        members = people - 1 - managers - (teams - 1)
        bounds = [DEMO_TEAM_MEMBERS] + [TEAM_MEMBERS] * (teams - 1)
        if members < sum(low for low, _ in bounds) and teams > 2:
            teams -= 1
        elif members > sum(high for _, high in bounds):
            teams += 1
        else:
            break
    sizes = [rng.randint(low, high) for low, high in bounds]
    _fit(sizes, bounds, members, rng)

    nodes: list[Node] = []

    def add(role: str, parent: int | None, team: int | None = None) -> int:
        depth = nodes[parent].depth + 1 if parent is not None else 0
        nodes.append(Node(role=role, parent=parent, depth=depth, team=team))
        return len(nodes) - 1

    cto = add("cto", None)
    layer = [add("director" if above else "manager", cto) for _ in range(count)]
    for k in reversed(range(len(above))):
        role = "director" if k else "manager"
        layer = [
            add(role, boss) for boss, size in zip(layer, above[k], strict=True) for _ in range(size)
        ]
    managers_of_teams = [layer[0]] * demo_leads + [
        em for em, size in zip(layer[1:], em_groups, strict=True) for _ in range(size)
    ]
    nodes[layer[0]].team = 0
    leads = [layer[0]] + [add("lead", em, team) for team, em in enumerate(managers_of_teams, 1)]
    for team, (lead, size) in enumerate(zip(leads, sizes, strict=True)):
        for _ in range(size):
            add("engineer", lead, team)
    nodes[cto].login = ADMIN_EMAIL
    nodes[layer[0]].login = MANAGER_EMAIL
    nodes[
        next(i for i, n in enumerate(nodes) if n.parent == layer[0] and n.role == "engineer")
    ].login = ENGINEER_EMAIL
    assert len(nodes) == people
    return nodes, teams


def plan_names(nodes: list[Node], rng: random.Random) -> None:
    for node in nodes:
        node.name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _pick(rng: random.Random, weights: dict[str, float], by_code: dict[str, Level]) -> Level:
    present = [(code, w) for code, w in weights.items() if code in by_code]
    if not present:
        return rng.choice(list(by_code.values()))
    codes, ws = zip(*present, strict=True)
    return by_code[rng.choices(codes, ws)[0]]


def _previous_level(level: Level, levels: list[Level], by_code: dict[str, Level]) -> Level | None:
    """The level people usually reach `level` from, if any."""
    if PREVIOUS_LEVEL.get(level.code) in by_code:
        return by_code[PREVIOUS_LEVEL[level.code]]
    below = [other for other in levels if other.number < level.number]
    same_track = [other for other in below if other.track == level.track]
    candidates = same_track or below
    return max(candidates, key=lambda other: (other.number, other.position), default=None)


def plan_levels(
    nodes: list[Node],
    levels: list[Level],
    rng: random.Random,
    today: datetime.date,
    latest_start: datetime.date,
) -> None:
    """Each person's level and history, every start on or before `latest_start`."""
    by_code = {level.code: level for level in levels}
    for node in nodes:
        if node.role == "cto":
            continue
        weights = LEVEL_WEIGHTS[node.role]
        if node.login == MANAGER_EMAIL:
            weights = {"TL2": 1}
        elif node.login == ENGINEER_EMAIL:
            weights = {code: w for code, w in weights.items() if code not in ("SP1", "PE1")}
        level = _pick(rng, weights, by_code)
        # Nobody stays a junior for five years: the longest time in a level grows with it.
        longest = min(365 * YEARS_BACK, int(365 * (0.8 + 0.7 * max(level.number, 1))))
        days = int(rng.triangular(0, longest, longest / 4))
        since = latest_start - datetime.timedelta(days=days)
        node.history = _history(level, since, levels, by_code, rng, today)


def _history(
    level: Level,
    since: datetime.date,
    levels: list[Level],
    by_code: dict[str, Level],
    rng: random.Random,
    today: datetime.date,
) -> list[tuple[str, datetime.date]]:
    """`level` since `since`, after none, one or two earlier levels."""
    oldest = today - datetime.timedelta(days=365 * OLDEST_HISTORY_YEARS)
    history = [(level.code, since)]
    earlier = rng.random() < EARLIER_LEVEL
    while earlier:
        previous = _previous_level(level, levels, by_code)
        if previous is None:
            break
        months = previous.minimum_experience_months or 12
        start = since - datetime.timedelta(days=int(30.44 * rng.randint(months, months + 18)))
        if start < oldest:
            break
        history.insert(0, (previous.code, start))
        level, since = previous, start
        earlier = len(history) == 2 and rng.random() < TWO_EARLIER_LEVELS
    return history


def plan_standouts(
    nodes: list[Node],
    levels: list[Level],
    ladder: LadderData,
    rng: random.Random,
    today: datetime.date,
    latest_start: datetime.date,
) -> None:
    """The demo manager's direct reports show every verdict: the demo engineer has a few gaps,
    one report is ready and another eligible once their time in level is met. Their time in
    level is set to fit; what their assessments say is planned with the rest of the activity."""
    manager = next((i for i, node in enumerate(nodes) if node.login == MANAGER_EMAIL), None)
    if manager is None:
        return
    by_code = {level.code: level for level in levels}

    def minimum(node: Node) -> int | None:
        level = ladder.level(node.history[-1][0])
        return level.minimum_experience.months if ladder.next_levels(level) else None

    def settle(node: Node, months: int, spare_days: int) -> None:
        since = today - datetime.timedelta(days=int(30.44 * months) + spare_days)
        since = min(since, latest_start)
        node.history = _history(by_code[node.history[-1][0]], since, levels, by_code, rng, today)

    reports = [node for node in nodes if node.parent == manager and node.history]
    for node in reports:
        if node.login == ENGINEER_EMAIL:
            node.standout = "gaps"
            if (today - node.history[-1][1]).days < 120:
                settle(node, rng.randint(4, 10), 0)
    others = [node for node in reports if node.standout is None and minimum(node)]
    if len(others) >= 2:
        ready, eligible = rng.sample(others, 2)
        ready.standout, eligible.standout = "ready", "eligible"
        settle(ready, minimum(ready) + rng.randint(1, 12), 20)
        # Eligible within the next few months.
        settle(eligible, minimum(eligible) - rng.randint(1, 4), 0)
