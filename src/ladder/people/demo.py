"""A believable demo organisation: a manager tree, teams, level histories and three logins.

Everything is planned in memory first from `random.Random(seed)`, so the same seed gives the same
organisation, then written in bulk: people depth by depth in batches (a person's manager is saved
before them), their paths, level assignments and audit events, with no query per person.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from ladder.audit.services import audit_event, audit_record_many
from ladder.frameworks.models import Ladder, LadderVersion, Level
from ladder.frameworks.services import ladder_import

from .models import LevelAssignment, Person, Team
from .services import person_snapshot, reason_for_change

DEMO_PASSWORD = "ladder-demo"
ADMIN_EMAIL = "admin@example.com"
MANAGER_EMAIL = "manager@example.com"
ENGINEER_EMAIL = "engineer@example.com"
DEMO_LOGINS = (ADMIN_EMAIL, MANAGER_EMAIL, ENGINEER_EMAIL)
EMAIL_DOMAIN = "example.com"

LADDER_SLUG = "dotnet"
LADDER_FILE = Path(__file__).resolve().parents[3] / "ladders" / "dotnet.md"

# The smallest organisation with a CTO, an engineering manager leading a team of their own and a
# tech lead below them (the skip level), each team with three or more engineers.
MIN_PEOPLE = 10
BATCH_SIZE = 1000
# Reports of a manager of managers, and engineers in a team besides its lead (teams of 4-9).
SPAN = (5, 8)
TEAM_MEMBERS = (3, 8)
# manager@example.com leads a small team directly and two or three tech leads of other teams.
DEMO_TEAM_MEMBERS = (3, 5)
DEMO_TEAM_LEADS = (2, 3)
YEARS_BACK = 5
OLDEST_HISTORY_YEARS = 6

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

TEAM_NAMES = [
    "Payments",
    "Identity",
    "Platform",
    "Checkout",
    "Billing",
    "Search",
    "Notifications",
    "Mobile",
    "Data Platform",
    "Integrations",
    "Reporting",
    "Onboarding",
    "Observability",
    "Developer Experience",
    "Infrastructure",
    "Security",
    "Growth",
    "Pricing",
    "Catalogue",
    "Orders",
    "Fulfilment",
    "Messaging",
    "Accounts",
    "Analytics",
    "Web",
    "API Gateway",
    "Compliance",
    "Fraud",
    "Partners",
    "Subscriptions",
    "Storage",
    "Release Engineering",
    "Customer Portal",
    "Scheduling",
    "Documents",
    "Localisation",
    "Performance",
    "Machine Learning",
    "Support Tools",
    "Internal Tools",
]


def _words(text: str) -> list[str]:
    """Names written as running text; an underscore joins a name of two words."""
    return [word.replace("_", " ") for word in text.split()]


FIRST_NAMES = _words(
    """
Aaliyah Aarav Abdul Adaeze Adam Aditi Agnieszka Ahmed Aiko Aisha Alejandro Aleksander Alice
Amara Amelia Ana Andrea Andrei Anika Anna Arjun Astrid Ayesha Beatriz Ben Björn Carlos Carmen
Catarina Chen Chiara Chidi Chloé Chris Daniel Daniela Dmitri Elena Elif Emeka Emily Emma Erik
Esther Fatima Felix Femi Finn Francesca Gabriel Grace Hannah Hana Hiroshi Ibrahim Ines Ingrid
Isabel Ivan Jakub James Javier Jia Joanna João Jonas José Julia Kai Kamala Karim Katarzyna
Kenji Kofi Laila Lars Laura Leila Li Liam Lucas Lucía Maya Magdalena Malik Marco María Mateo
Mei Mohammed Nadia Naledi Nikhil Nina Noah Nora Olga Olivia Omar Oscar Paolo Pedro Pooja Priya
Rafael Rahul Ravi Rosa Ruth Sakura Samuel Sara Sebastian Siobhán Sofia Sophie Stefan Sunita
Tariq Thomas Tomás Uchenna Valentina Vikram Wei Yara Yusuf Zainab Zoë
"""
)

LAST_NAMES = _words(
    """
Abara Adeyemi Ahmed Alvarez Andersen Bakker Banerjee Becker Bianchi Brennan Brown Castillo Chen
Chowdhury Costa Dąbrowski Das Davies Dubois Eriksson Esposito Evans Fernandes Fischer Fitzgerald
García Gonzalez Gupta Haddad Hansen Hernández Hoffmann Horvath Hughes Ibrahim Ivanova Jansen
Jensen Johansson Jones Kaur Kelly Khan Kim Kowalski Kumar Laine Larsen Lee Lindqvist Lopez
MacLeod Mahlangu Martin Mensah Meyer Moreau Morris Müller Murphy Nakamura Nguyen Novak Nowak
Núñez O'Brien Okafor Okonkwo Olsen Ortiz Osei Park Patel Pereira Petrov Popescu Quinn Rahman
Reddy Rossi Russo Sato Schmidt Schneider Silva Singh Smith Sousa Suzuki Tanaka Taylor Thompson
Torres Tran van_Dijk Varga Vasquez Volkov Walker Wang Weber Williams Wilson Wójcik Yamamoto
Yilmaz Zhang Zimmermann
"""
)


@dataclass
class DemoResult:
    people: int
    teams: int
    managers: int
    depth: int
    version: LadderVersion
    # Current levels in the ladder's order, with how many people are at each.
    levels: dict[str, int]
    without_level: int
    # The demo logins this run created; empty when an earlier run made them.
    logins: list[str] = field(default_factory=list)
    top: Person | None = None


@dataclass
class _Node:
    role: str  # "cto", "director", "manager", "lead" or "engineer"
    parent: int | None
    depth: int
    team: int | None = None
    name: str = ""
    email: str = ""
    login: str | None = None
    # (level code, start) oldest first; the last is the current level.
    history: list[tuple[str, datetime.date]] = field(default_factory=list)


def demo_organisation_create(
    *, people: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> DemoResult:
    """Add `people` people in a believable organisation on the latest "dotnet" ladder version.

    When people exist already (a second run), the new organisation's head reports to the demo
    admin's person if there is one, and emails and team names continue without clashing; the
    demo logins are created only when no user has their address yet.
    """
    if people < MIN_PEOPLE:
        raise ValidationError(f"a demo organisation needs at least {MIN_PEOPLE} people.")
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        version = _dotnet_version()
        levels = list(version.levels.all())
        nodes, team_count = _plan_tree(people, rng)
        _plan_names(nodes, rng)
        _plan_levels(nodes, levels, rng, today)
        return _write(nodes, team_count, version, levels, rng, progress)


def _dotnet_version() -> LadderVersion:
    ladder = Ladder.objects.filter(slug=LADDER_SLUG).first()
    version = ladder.latest_version() if ladder else None
    if version is None:
        source = LADDER_FILE.read_text(encoding="utf-8")
        version = ladder_import(
            source=source, source_name="ladders/dotnet.md", slug=LADDER_SLUG
        ).version
    return version


# Planning: the tree, names and levels, in memory and deterministic for a seed.


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


def _plan_tree(people: int, rng: random.Random) -> tuple[list[_Node], int]:
    """Exactly `people` nodes: a CTO, layers of directors, engineering managers, tech leads and
    their teams. Team 0 is led by the demo manager themselves; every other team by a tech lead.
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

    nodes: list[_Node] = []

    def add(role: str, parent: int | None, team: int | None = None) -> int:
        depth = nodes[parent].depth + 1 if parent is not None else 0
        nodes.append(_Node(role=role, parent=parent, depth=depth, team=team))
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


def _plain(text: str) -> str:
    """ASCII letters and digits only, for an email address: "Núñez" -> "nunez"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def _plan_names(nodes: list[_Node], rng: random.Random) -> None:
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


def _plan_levels(
    nodes: list[_Node], levels: list[Level], rng: random.Random, today: datetime.date
) -> None:
    by_code = {level.code: level for level in levels}
    oldest = today - datetime.timedelta(days=365 * OLDEST_HISTORY_YEARS)
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
        since = today - datetime.timedelta(days=int(rng.triangular(0, longest, longest / 4)))
        node.history = [(level.code, since)]
        earlier = rng.random() < EARLIER_LEVEL
        while earlier:
            previous = _previous_level(level, levels, by_code)
            if previous is None:
                break
            months = previous.minimum_experience_months or 12
            start = since - datetime.timedelta(days=int(30.44 * rng.randint(months, months + 18)))
            if start < oldest:
                break
            node.history.insert(0, (previous.code, start))
            level, since = previous, start
            earlier = len(node.history) == 2 and rng.random() < TWO_EARLIER_LEVELS


# Writing: everything in bulk, depth by depth.


def _write(
    nodes: list[_Node],
    team_count: int,
    version: LadderVersion,
    levels: list[Level],
    rng: random.Random,
    progress: Callable[[int], None] | None,
) -> DemoResult:
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ValidationError("the demo needs a database that returns new rows' ids in bulk.")
    by_code = {level.code: level for level in levels}
    users = _create_logins(nodes)
    _assign_emails(nodes)
    teams = _create_teams(team_count, rng)
    # A second run's organisation reports to the demo admin from the first, if there is one.
    top_manager = (
        None
        if ADMIN_EMAIL in users
        else Person.objects.filter(user__email__iexact=ADMIN_EMAIL).order_by("pk").first()
    )
    saved: dict[int, Person] = {}
    by_depth: dict[int, list[int]] = {}
    for index, node in enumerate(nodes):
        by_depth.setdefault(node.depth, []).append(index)
    done = 0
    for depth in sorted(by_depth):
        indexes = by_depth[depth]
        for start in range(0, len(indexes), BATCH_SIZE):
            batch = indexes[start : start + BATCH_SIZE]
            people = _create_people(nodes, batch, saved, teams, users, top_manager)
            assignments, events = [], []
            for index, person in zip(batch, people, strict=True):
                saved[index] = person
                rows = _assignments(person, nodes[index].history, by_code)
                assignments += rows
                events += _events(person, rows, admin=nodes[index].login == ADMIN_EMAIL)
            LevelAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
            audit_record_many(events)
            done += len(batch)
            if progress is not None:
                progress(done)

    counts = Counter(node.history[-1][0] for node in nodes if node.history)
    return DemoResult(
        people=len(nodes),
        teams=team_count,
        managers=len({node.parent for node in nodes if node.parent is not None}),
        depth=max(node.depth for node in nodes) + 1,
        version=version,
        levels={level.code: counts[level.code] for level in levels if counts[level.code]},
        without_level=sum(1 for node in nodes if not node.history),
        logins=[email for email in DEMO_LOGINS if email in users],
        top=saved[0],
    )


def _create_logins(nodes: list[_Node]) -> dict[str, object]:
    """The demo users whose address no person nor user has yet, sharing one password hash.

    The nodes planned for a login that exists already become ordinary people."""
    User = get_user_model()
    query = Q()
    for email in DEMO_LOGINS:
        query |= Q(email__iexact=email) | Q(username__iexact=email)
    taken = {
        value.lower()
        for pair in User.objects.filter(query).values_list("email", "username")
        for value in pair
    }
    taken.update(
        Person.objects.annotate(address=Lower("email"))
        .filter(address__in=DEMO_LOGINS)
        .values_list("address", flat=True)
    )
    for node in nodes:
        if node.login in taken:
            node.login = None
    wanted = [node.login for node in nodes if node.login]
    if not wanted:
        return {}
    password = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: once for all three
    users = [
        User(
            username=email,
            email=email,
            password=password,
            is_superuser=email == ADMIN_EMAIL,
            is_staff=email == ADMIN_EMAIL,
        )
        for email in wanted
    ]
    User.objects.bulk_create(users)
    return {user.email: user for user in users}


def _assign_emails(nodes: list[_Node]) -> None:
    """firstname.lastname@, then firstname.lastname2@ and on: unique whatever their case, and
    clashing with no address in the database."""
    taken = set(Person.objects.annotate(address=Lower("email")).values_list("address", flat=True))
    following: dict[str, int] = {}
    for node in nodes:
        if node.login:
            node.email = node.login
            continue
        first, last = node.name.split(" ", 1)
        base = f"{_plain(first)}.{_plain(last)}"
        n = following.get(base, 1)
        email = f"{base}@{EMAIL_DOMAIN}" if n == 1 else f"{base}{n}@{EMAIL_DOMAIN}"
        while email in taken:
            n += 1
            email = f"{base}{n}@{EMAIL_DOMAIN}"
        following[base] = n + 1
        taken.add(email)
        node.email = email


def _create_teams(count: int, rng: random.Random) -> list[Team]:
    """`count` teams named from the list, then numbered beyond it ("Payments 2"), none clashing
    with a team in the database."""
    names = {name.lower() for name in Team.objects.values_list("name", flat=True)}
    slugs = set(Team.objects.values_list("slug", flat=True))
    order = TEAM_NAMES[:]
    rng.shuffle(order)
    teams: list[Team] = []
    round_ = 1
    while len(teams) < count:
        for base in order:
            name = base if round_ == 1 else f"{base} {round_}"
            slug = slugify(name)
            if name.lower() in names or slug in slugs:
                continue
            names.add(name.lower())
            slugs.add(slug)
            teams.append(Team(name=name, slug=slug))
            if len(teams) == count:
                break
        round_ += 1
    return Team.objects.bulk_create(teams, batch_size=BATCH_SIZE)


def _events(person: Person, assignments: list[LevelAssignment], *, admin: bool) -> list:
    """What `person_create`, `person_set_level` and `person_set_admin` would have recorded."""
    events = [
        audit_event(
            by=None,
            action="person.created",
            target=person,
            before=None,
            after=person_snapshot(person),
        )
    ]
    if assignments:
        current = assignments[-1]
        after = {
            "level": current.level.code,
            "since": current.start.isoformat(),
            "reason": current.reason,
        }
        events.append(
            audit_event(by=None, action="level.assigned", target=person, before=None, after=after)
        )
    if admin:
        events.append(
            audit_event(
                by=None,
                action="role.changed",
                target=person,
                before={"admin": False},
                after={"admin": True},
            )
        )
    return events


def _create_people(
    nodes: list[_Node],
    batch: list[int],
    saved: dict[int, Person],
    teams: list[Team],
    users: dict[str, object],
    top_manager: Person | None,
) -> list[Person]:
    people = []
    for index in batch:
        node = nodes[index]
        manager = saved[node.parent] if node.parent is not None else top_manager
        people.append(
            Person(
                name=node.name,
                email=node.email,
                manager=manager,
                team=teams[node.team] if node.team is not None else None,
                user=users.get(node.login) if node.login else None,
            )
        )
    Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
    for person in people:
        person.path = f"{person.manager.path if person.manager else '/'}{person.pk}/"
    Person.objects.bulk_update(people, ["path"], batch_size=BATCH_SIZE)
    return people


def _assignments(
    person: Person, history: list[tuple[str, datetime.date]], by_code: dict[str, Level]
) -> list[LevelAssignment]:
    rows = []
    previous = None
    for i, (code, start) in enumerate(history):
        level = by_code[code]
        end = history[i + 1][1] if i + 1 < len(history) else None
        rows.append(
            LevelAssignment(
                person=person,
                level=level,
                start=start,
                end=end,
                reason=reason_for_change(previous, level),
            )
        )
        previous = level
    return rows
