"""A believable demo organisation: a manager tree, teams, level histories, three logins, and
what people did: evidence, assessments against their next level and growth plans.

Everything is planned in memory from `random.Random(seed)`, so the same seed gives the same
organisation, then written in bulk with no query per person: people depth by depth in batches (a
person's manager is saved before them), their paths, level assignments and audit events; then, in
batches of people, their evidence, their self and manager assessments (with the readiness verdict
worked out in memory by the same rule the pages use) and growth plans made from the gaps.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from ladder.assessments.models import (
    Assessment,
    CriterionAssessment,
    DimensionRating,
    Evidence,
    GrowthItem,
    GrowthPlan,
    Status,
    current_cycle,
)
from ladder.assessments.plans import planned_items
from ladder.assessments.readiness import (
    MONTH_NAMES,
    AssessmentFacts,
    CriterionRating,
    Readiness,
    Verdict,
    judge_readiness,
)
from ladder.assessments.readiness import Status as RuleStatus
from ladder.assessments.services import assessment_snapshot
from ladder.audit.services import audit_event, audit_record_many
from ladder.frameworks.experience import months_between
from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.ladder_data import Level as LevelData
from ladder.frameworks.models import Criterion, ExpectedRating, Ladder, LadderVersion, Level
from ladder.frameworks.selectors import version_ladder
from ladder.frameworks.services import ladder_import

from .models import LevelAssignment, Person, Team
from .services import assignment_snapshot, person_snapshot, reason_for_change

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

# The steps of a build, each reported to `progress` as people done out of all of them.
PHASES = ("people", "evidence", "assessments", "growth plans")
Progress = Callable[[str, int], None]

# Share of people with evidence, and how many entries they have.
EVIDENCE_SHARE = 0.6
EVIDENCE_COUNTS = {1: 30, 2: 30, 3: 25, 4: 15}
# Share of people with a next level and a manager who were assessed against it.
ASSESSED_SHARE = 0.5
# Of those, the share with one of the two assessments still a draft (about 5% of assessments),
# and with the manager's submitted but not shared yet.
DRAFT_SHARE = 0.1
SUBMITTED_SHARE = 0.04
# Share of the assessed whom their manager sees meeting everything the next level asks, by
# whether their time in level is met: those are ready, or eligible from a date. The rest have a
# few gaps: a dimension or two, too few criteria met, a Responsibility not yet.
STRONG_SHARE = {True: 0.25, False: 0.2}
DIMENSION_GAPS = {0: 35, 1: 45, 2: 20}
RESPONSIBILITY_GAPS = {0: 65, 1: 28, 2: 7}
CRITERIA_SHARE_GAP = 0.5
# How a self-assessment differs from the manager's: usually the same or one higher.
SELF_RATING_STEP = {-1: 7, 0: 55, 1: 38}
SELF_STATUS_STEP = {-1: 5, 0: 70, 1: 25}
COMMENT_SHARE = 0.15
LINK_SHARE = {Assessment.Role.SELF: 0.8, Assessment.Role.MANAGER: 0.5}
ITEM_STATES = {
    GrowthItem.State.OPEN: 77,
    GrowthItem.State.IN_PROGRESS: 15,
    GrowthItem.State.DONE: 8,
}
ITEM_DUE_DAYS = (30, 120)
# An assessment comes at least this long after the start in a level.
SETTLING_DAYS = 14
STATUS_ORDER = [Status.NOT_YET, Status.DEVELOPING, Status.MEETS, Status.EXCEEDS]
RESPONSIBILITIES = Criterion.Section.RESPONSIBILITIES
VERDICT_ORDER = (Verdict.READY, Verdict.ELIGIBLE_FROM, Verdict.NOT_YET, Verdict.NOT_ASSESSED)

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

# Evidence, by the section of the first criterion it is tied to. The slots are filled from the
# lists below: {service}, {other} (another service), {feature}, {team}, {name}, {thing}, {month}
# and the numbers {n}, {pct}, {slow}, {fast} and {mins}.
EVIDENCE_TEXTS = {
    "responsibilities": [
        "Owned the {service} on call for {n} weeks and wrote the runbook for its three noisiest alerts.",
        "Led the design of {feature} across four developers and shipped it a sprint early.",
        "Ran the post-incident review of the {service} outage in {month} and closed every follow-up action.",
        "Made the case for paying down the {service}'s technical debt with error-rate data; the team got two sprints for it.",
        "Broke the epic for {feature} into slices that shipped weekly and kept the team unblocked through the release.",
        "Wrote the architecture decision record for splitting the {service} out of the monolith and led its design review.",
        "Threat-modelled the {service} with the security team and fixed all {n} findings.",
        "Coordinated the {service} release with {team} and support; no rollback was needed.",
        "Took over the {service} backlog while its lead was away and kept the sprint goal.",
        "Defined SLOs for the {service} (99.9% of requests under {fast} ms) and the alerts that guard them.",
        "Planned and ran the cut-over of the {service} to the new database over a weekend with no data loss.",
        "Led the spike on {feature} and presented the options and their costs to the team.",
    ],
    "skills": [
        "Led the migration of the {service} to .NET 8, removing {n} obsolete package references on the way.",
        "Added integration tests with Testcontainers for the {service}, covering its SQL Server and RabbitMQ paths.",
        "Cut p95 latency of the {service} from {slow} ms to {fast} ms by removing sync-over-async calls and caching lookups.",
        "Replaced hand-rolled retries in the {service} with Polly: timeouts, jittered backoff and a circuit breaker.",
        "Moved the {service}'s secrets out of appsettings into Azure Key Vault with a managed identity.",
        "Found a memory leak in the {service} with dotnet-counters and dotnet-dump: an event handler kept every HttpClient alive.",
        "Added OpenTelemetry tracing to the {service} and the {other}; the next incident was found in minutes.",
        "Split the {service}'s schema with expand-and-contract EF Core migrations and no downtime.",
        "Enabled nullable reference types across the {service} and fixed {n} warnings.",
        "Built a GitHub Actions pipeline for the {service} that runs unit and integration tests on every pull request in {mins} minutes.",
        "Profiled the {service}'s hot path with BenchmarkDotNet and cut its allocations by {pct}%.",
        "Containerised the {service} and moved it to AKS with health probes and graceful shutdown.",
        "Made the {service}'s message handlers idempotent with an outbox table, ending duplicate {thing}.",
        "Moved the {service} from Newtonsoft.Json to System.Text.Json with source generators.",
        "Added consumer-driven contract tests between the {service} and the {other}; they caught two breaking changes before release.",
        "Replaced polling in the {service} with Azure Service Bus subscriptions, cutting database load by {pct}%.",
        "Fixed a race condition in the {service}'s cache refresh that duplicated {thing} under load.",
        "Added rate limiting to the {service} with the ASP.NET Core middleware after a partner flooded it.",
        "Introduced minimal APIs and endpoint filters in the {service}, removing {n} controllers of boilerplate.",
        "Wrote a Roslyn analyzer that flags blocking calls on async paths; it found {n} in the {service}.",
        "Tuned the {service}'s EF Core queries (split queries, AsNoTracking, a missing index): the nightly job went from {mins} hours to {n} minutes.",
        "Implemented OAuth 2.0 client credentials between the {service} and the {other}, replacing a shared API key.",
        "Raised the {service}'s test coverage to {cover}% with xUnit and FluentAssertions, starting with its business rules.",
        "Moved the {service}'s background work from a timer to a hosted service with Channels and back-pressure.",
    ],
    "soft_skills": [
        "Mentored {name} through their first production release of the {service}.",
        "Paired with {team} to agree the API contract for {feature} and documented it in OpenAPI.",
        "Gave a lunch-and-learn on async/await pitfalls in .NET to {n} developers.",
        "Reviewed {n} pull requests in {month}, with comments the authors called out as helpful.",
        "Onboarded two new joiners onto the {service} and turned what they asked into an onboarding guide.",
        "Facilitated the retrospective after the launch of {feature} and followed up its actions.",
        "Explained the trade-offs of the {service} redesign to product stakeholders in plain language.",
        "Worked with {team} to untangle an integration issue between the {service} and the {other}.",
        "Ran a design review of {feature} with three teams and got agreement on the approach in one session.",
        "Coached {name} on writing their first design document for the {service}.",
        "Wrote up the {service}'s incident timeline for the whole engineering department, blameless and clear.",
        "Helped {team} adopt the team's testing practices for the {other}.",
    ],
}
SERVICES = [
    "billing service", "payments API", "identity service", "order pipeline", "notification worker",
    "search indexer", "reporting service", "checkout BFF", "pricing engine", "customer portal",
    "webhook dispatcher", "document store", "scheduling service", "fraud scoring service",
    "subscriptions API", "audit log service", "catalogue API", "inventory sync job",
]  # fmt: skip
FEATURES = [
    "the new invoicing flow", "single sign-on with Entra ID", "the refunds API", "bulk CSV import",
    "multi-currency pricing", "partner webhooks", "saved searches", "push notifications",
    "the customer audit trail", "two-factor authentication", "usage-based billing",
    "the GDPR data export",
]  # fmt: skip
THINGS = ["emails", "charges", "orders", "refunds", "webhook calls", "invoices"]
LINK_SHARE_OF_EVIDENCE = 0.35

# What people write against a criterion, by who writes and the status they give.
COMMENTS = {
    Assessment.Role.MANAGER: {
        Status.EXCEEDS: [
            "Consistently does this, and others on the team learn from it.",
            "A clear strength this half: see the linked evidence.",
            "Goes beyond what the level asks here.",
        ],
        Status.MEETS: [
            "Seen regularly this half.",
            "Solid; keep it up as the scope grows.",
            "Does this without prompting now.",
        ],
        Status.DEVELOPING: [
            "Getting there: I'd like to see it without support on the next project.",
            "Seen once or twice; looking for it to become routine.",
            "Let's pick a piece of work next half to practise this.",
        ],
        Status.NOT_YET: [
            "Not seen yet; a good focus for the growth plan.",
            "No opportunity so far: let's find one next quarter.",
            "Needs support here first.",
        ],
        Status.NOT_APPLICABLE: ["Not part of this role in our team."],
    },
    Assessment.Role.SELF: {
        Status.EXCEEDS: [
            "I think this is one of my strengths: I've done it on several projects.",
            "I've been doing this for a while and helping others with it.",
        ],
        Status.MEETS: ["I do this routinely now.", "See the evidence I linked."],
        Status.DEVELOPING: [
            "I've started on this but want more practice.",
            "I'd like help finding an opportunity for this.",
        ],
        Status.NOT_YET: ["I haven't had the chance to do this yet."],
        Status.NOT_APPLICABLE: ["This doesn't apply to my current team."],
    },
}
SUMMARIES = {
    ("manager", True): [
        "A strong half. {first} is working at {code} level across the board and has my support.",
        "Consistently operating at {code}: ready to take this step once the timing is right.",
        "{first} has shown every {code} expectation this half; the evidence speaks for itself.",
    ],
    ("manager", False): [
        "Good progress towards {code}. The main focus for next half is {focus}.",
        "Clear growth this half; {focus} is what stands between {first} and {code} now.",
        "{first} is on the way to {code}. Let's work on {focus} together in the growth plan.",
    ],
    ("self", True): [
        "I feel I'm working at {code} level now and would like to talk about the next step.",
        "This half I took on more {code} work than ever; I think I'm ready.",
    ],
    ("self", False): [
        "I've grown a lot this half, and I know {focus} is where I need to grow next.",
        "I'd like to talk about {focus}: it's what I most want to get better at.",
        "Close to {code} in most things, I think; I'd value feedback on {focus}.",
    ],
}


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
    evidence: int = 0
    people_with_evidence: int = 0
    # Assessments by state, and how many people have any.
    assessments: dict[str, int] = field(default_factory=dict)
    people_assessed: int = 0
    plans: int = 0
    plan_items: int = 0
    # Readiness for the first next level of those who have one, by verdict.
    verdicts: dict[str, int] = field(default_factory=dict)


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
    # For the demo manager's team: "gaps" (the demo engineer), "ready" or "eligible".
    standout: str | None = None


def demo_organisation_create(
    *, people: int, seed: int = 0, progress: Progress | None = None
) -> DemoResult:
    """Add `people` people in a believable organisation on the latest "dotnet" ladder version,
    with their evidence, assessments against their next level and growth plans.

    When people exist already (a second run), the new organisation's head reports to the demo
    admin's person if there is one, and emails and team names continue without clashing; the
    demo logins are created only when no user has their address yet.

    `progress(phase, done)` is called as each phase of `PHASES` goes, with how many of the
    people it has handled so far; every phase ends at `people`.
    """
    if people < MIN_PEOPLE:
        raise ValidationError(f"a demo organisation needs at least {MIN_PEOPLE} people.")
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        version = _dotnet_version()
        levels = list(version.levels.all())
        ladder = version_ladder(version)
        nodes, team_count = _plan_tree(people, rng)
        _plan_names(nodes, rng)
        _plan_levels(nodes, levels, rng, today)
        # Generators of their own, so the extras never change who is in the organisation.
        _plan_standouts(nodes, levels, ladder, random.Random(f"standouts-{seed}"), today)
        result, saved = _write(nodes, team_count, version, levels, rng, progress)
        activity = _Activity(
            nodes=nodes,
            saved=saved,
            infos=_level_infos(version, levels, ladder),
            ladder=ladder,
            version=version,
            rng=random.Random(f"activity-{seed}"),
            today=today,
            now=timezone.now(),
        )
        activity.write(result, progress)
        return result


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


def _plan_standouts(
    nodes: list[_Node],
    levels: list[Level],
    ladder: LadderData,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """The demo manager's direct reports show every verdict: the demo engineer has a few gaps,
    one report is ready and another eligible once their time in level is met. Their time in
    level is set to fit; what their assessments say is planned with the rest of the activity."""
    manager = next((i for i, node in enumerate(nodes) if node.login == MANAGER_EMAIL), None)
    if manager is None:
        return
    by_code = {level.code: level for level in levels}

    def minimum(node: _Node) -> int | None:
        level = ladder.level(node.history[-1][0])
        return level.minimum_experience.months if ladder.next_levels(level) else None

    def settle(node: _Node, months: int, spare_days: int) -> None:
        since = today - datetime.timedelta(days=int(30.44 * months) + spare_days)
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


# Writing: everything in bulk, depth by depth.


def _write(
    nodes: list[_Node],
    team_count: int,
    version: LadderVersion,
    levels: list[Level],
    rng: random.Random,
    progress: Progress | None,
) -> tuple[DemoResult, dict[int, Person]]:
    """The people, their level histories and audit events; with the saved people by node."""
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
        else Person.objects.filter(user__email=ADMIN_EMAIL).order_by("pk").first()
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
                progress(PHASES[0], done)

    counts = Counter(node.history[-1][0] for node in nodes if node.history)
    result = DemoResult(
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
    return result, saved


def _create_logins(nodes: list[_Node]) -> dict[str, object]:
    """The demo users whose address no person nor user has yet, sharing one password hash.

    The nodes planned for a login that exists already become ordinary people."""
    User = get_user_model()
    # Addresses are stored in their canonical spelling (ladder.people.emails), as these are.
    query = Q(email__in=DEMO_LOGINS) | Q(username__in=DEMO_LOGINS)
    taken = {
        value
        for pair in User.objects.filter(query).values_list("email", "username")
        for value in pair
    }
    taken.update(Person.objects.filter(email__in=DEMO_LOGINS).values_list("email", flat=True))
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
    taken = set(Person.objects.values_list("email", flat=True))
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
        after = assignment_snapshot(current)
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


# What people did: evidence, assessments against their next level and growth plans, written
# in batches of people with no query per person.


def _choose(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


@dataclass
class _LevelInfo:
    row: Level
    data: LevelData
    criteria: list[Criterion]
    expected: list[ExpectedRating]
    # The first of its next levels, as `standings_of` orders them.
    next: _LevelInfo | None = None


def _level_infos(
    version: LadderVersion, levels: list[Level], ladder: LadderData
) -> dict[str, _LevelInfo]:
    """Every level of the version with its criteria and expected ratings: two queries."""
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(level__version=version).order_by("level", "position"):
        criteria[criterion.level_id].append(criterion)
    expected: dict[int, list[ExpectedRating]] = defaultdict(list)
    for rating in ExpectedRating.objects.filter(level__version=version).order_by(
        "level", "position"
    ):
        expected[rating.level_id].append(rating)
    infos = {
        level.code: _LevelInfo(
            level, ladder.level(level.code), criteria[level.pk], expected[level.pk]
        )
        for level in levels
    }
    for info in infos.values():
        following = ladder.next_levels(info.data)
        info.next = infos[following[0].code] if following else None
    return infos


# A criterion's answer: its status and comment.
_Answer = tuple[Criterion, str, str]


@dataclass
class _Planned:
    """One assessment with its answers, and the evidence its answers point to."""

    assessment: Assessment
    target: _LevelInfo
    answers: list[_Answer]
    scores: list[int | None]
    links: list[tuple[int, Evidence]]  # (criterion id, evidence)


def _insert(model, names: list[str], rows: list[tuple]) -> None:
    """`bulk_create` rows given as plain tuples of the named fields' values (ids for keys)."""
    attnames = [model._meta.get_field(name).attname for name in names]
    model.objects.bulk_create(
        (model(**dict(zip(attnames, row, strict=True))) for row in rows), batch_size=BATCH_SIZE
    )


@dataclass
class _Activity:
    nodes: list[_Node]
    saved: dict[int, Person]
    infos: dict[str, _LevelInfo]
    ladder: LadderData
    version: LadderVersion
    rng: random.Random
    today: datetime.date
    now: datetime.datetime
    # Each person's evidence with the criteria it is tied to.
    evidence: dict[int, list[tuple[Evidence, list[Criterion]]]] = field(default_factory=dict)
    # The shared manager assessment of those who have one, its answers and their readiness.
    judged: dict[int, tuple[Assessment, list[_Answer], Readiness]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)

    def write(self, result: DemoResult, progress: Progress | None) -> None:
        steps = zip(
            PHASES[1:],
            (self._evidence_batch, self._assessment_batch, self._plan_batch),
            strict=True,
        )
        for phase, step in steps:
            for start in range(0, len(self.nodes), BATCH_SIZE):
                batch = range(start, min(start + BATCH_SIZE, len(self.nodes)))
                step(batch)
                if progress is not None:
                    progress(phase, batch.stop)
        result.evidence = self.counts["evidence"]
        result.people_with_evidence = len(self.evidence)
        result.assessments = {
            state: self.states[state] for state in Assessment.State.values if self.states[state]
        }
        result.people_assessed = self.counts["people assessed"]
        result.plans = self.counts["plans"]
        result.plan_items = self.counts["plan items"]
        verdicts = Counter(
            self.judged[index][2].verdict if index in self.judged else Verdict.NOT_ASSESSED
            for index, node in enumerate(self.nodes)
            if node.history and self.infos[node.history[-1][0]].next is not None
        )
        result.verdicts = {str(verdict): verdicts[verdict] for verdict in VERDICT_ORDER}

    # -- helpers

    def _at(self, day: datetime.date) -> datetime.datetime:
        """A moment in the working hours of `day`, and never later than now."""
        time = datetime.time(self.rng.randint(8, 18), self.rng.randint(0, 59))
        return min(timezone.make_aware(datetime.datetime.combine(day, time)), self.now)

    def _cycles(self) -> list[tuple[str, datetime.date, datetime.date]]:
        """This half-year's cycle and the one before, with their first and last days."""
        year = self.today.year
        h1 = (f"{year} H1", datetime.date(year, 1, 1), datetime.date(year, 6, 30))
        h2 = (f"{year} H2", datetime.date(year, 7, 1), datetime.date(year, 12, 31))
        last_h2 = (f"{year - 1} H2", datetime.date(year - 1, 7, 1), datetime.date(year - 1, 12, 31))
        return [h2, h1] if current_cycle(self.today) == h2[0] else [h1, last_h2]

    def _window(self, since: datetime.date) -> tuple[str, datetime.date, datetime.date] | None:
        """A cycle, and the days in it when someone settled in their level could be assessed."""
        settled = since + datetime.timedelta(days=SETTLING_DAYS)
        windows = []
        for cycle, start, end in self._cycles():
            first, last = max(start, settled), min(end, self.today)
            if first <= last:
                windows.append((cycle, first, last))
        if not windows:
            return None
        # Mostly this half-year's.
        return windows[0] if len(windows) == 1 or self.rng.random() < 0.6 else windows[1]

    # -- evidence

    def _evidence_batch(self, batch: range) -> None:
        rows = []
        for index in batch:
            entries = self._plan_evidence(index)
            if entries:
                self.evidence[index] = entries
                rows += [entry for entry, _ in entries]
        Evidence.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        _insert(
            Evidence.criteria.through,
            ["evidence", "criterion"],
            [
                (entry.pk, criterion.pk)
                for index in batch
                for entry, criteria in self.evidence.get(index, ())
                for criterion in criteria
            ],
        )
        self.counts["evidence"] += len(rows)

    def _plan_evidence(self, index: int) -> list[tuple[Evidence, list[Criterion]]]:
        """1-4 dated entries within the time in level, each tied to 1-2 criteria of the
        current or the next level, added by the person or their manager."""
        node, rng = self.nodes[index], self.rng
        if not node.history or not (node.standout or rng.random() < EVIDENCE_SHARE):
            return []
        person = self.saved[index]
        code, since = node.history[-1]
        info = self.infos[code]
        count = _choose(rng, EVIDENCE_COUNTS)
        if node.standout:
            count = max(count, 3)
        entries = []
        for _ in range(count):
            level = info.next if info.next is not None and rng.random() < 0.5 else info
            if not level.criteria:
                continue
            criteria = rng.sample(level.criteria, min(len(level.criteria), rng.choice((1, 1, 2))))
            day = since + datetime.timedelta(days=rng.randint(0, max(0, (self.today - since).days)))
            text, repository = self._evidence_text(criteria[0].section, day)
            link = ""
            if repository and rng.random() < LINK_SHARE_OF_EVIDENCE:
                number = rng.randint(120, 4800)
                link = f"https://github.com/example/{slugify(repository)}/pull/{number}"
            by_manager = person.manager_id is not None and rng.random() < 0.3
            entry = Evidence(
                person=person,
                added_by_id=person.manager_id if by_manager else person.pk,
                happened_on=day,
                text=text,
                link=link,
                created_at=self._at(day + datetime.timedelta(days=rng.randint(0, 6))),
            )
            entries.append((entry, criteria))
        return entries

    def _evidence_text(self, section: str, day: datetime.date) -> tuple[str, str]:
        """The text, and the service it is about first (if any) for a link to a pull request."""
        rng = self.rng
        service, other = rng.sample(SERVICES, 2)
        slow = rng.randint(300, 1500)
        slots = {
            "service": service,
            "other": other,
            "feature": rng.choice(FEATURES),
            "team": f"the {rng.choice(TEAM_NAMES)} team",
            "name": rng.choice(FIRST_NAMES),
            "thing": rng.choice(THINGS),
            "month": MONTH_NAMES[day.month - 1],
            "n": rng.randint(3, 40),
            "pct": rng.randint(15, 70),
            "slow": slow,
            "fast": slow * rng.randint(15, 60) // 100,
            "mins": rng.randint(6, 15),
            "cover": rng.randint(70, 92),
        }
        template = rng.choice(EVIDENCE_TEXTS[section])
        named = [(template.find("{" + slot + "}"), slot) for slot in ("service", "other")]
        first = min(((at, slot) for at, slot in named if at >= 0), default=None)
        return template.format(**slots), slots[first[1]] if first else ""

    # -- assessments

    def _assessment_batch(self, batch: range) -> None:
        planned: list[_Planned] = []
        for index in batch:
            mine = self._plan_assessments(index)
            if mine:
                planned += mine
                self.counts["people assessed"] += 1
        Assessment.objects.bulk_create([p.assessment for p in planned], batch_size=BATCH_SIZE)
        for p in planned:
            self.states[p.assessment.state] += 1
        _insert(
            CriterionAssessment,
            ["assessment", "criterion", "status", "comment"],
            [
                (p.assessment.pk, criterion.pk, status, comment)
                for p in planned
                for criterion, status, comment in p.answers
            ],
        )
        _insert(
            DimensionRating,
            ["assessment", "position", "dimension", "rating"],
            [
                (p.assessment.pk, expected.position, expected.dimension, score)
                for p in planned
                for expected, score in zip(p.target.expected, p.scores, strict=True)
            ],
        )
        linked = [p for p in planned if p.links]
        if linked:
            # The answers' ids, read back in one query by the range of this batch's assessments.
            low, high = min(p.assessment.pk for p in linked), max(p.assessment.pk for p in linked)
            answer_ids = {
                (assessment, criterion): pk
                for pk, assessment, criterion in CriterionAssessment.objects.filter(
                    assessment__gte=low, assessment__lte=high
                ).values_list("pk", "assessment_id", "criterion_id")
            }
            _insert(
                CriterionAssessment.evidence.through,
                ["criterionassessment", "evidence"],
                [
                    (answer_ids[(p.assessment.pk, criterion)], entry.pk)
                    for p in linked
                    for criterion, entry in p.links
                ],
            )
        audit_record_many([event for p in planned for event in self._events(p)])

    def _plan_assessments(self, index: int) -> list[_Planned]:
        """A self-assessment and their direct manager's against the first next level."""
        node, rng = self.nodes[index], self.rng
        if not node.history or node.parent is None:
            return []
        code, since = node.history[-1]
        current = self.infos[code]
        target = current.next
        if target is None or not target.criteria:
            return []
        if not (node.standout or rng.random() < ASSESSED_SHARE):
            return []
        window = self._window(since)
        if window is None:
            return []
        cycle, first, last = window
        required = current.data.minimum_experience.months
        time_met = required is None or months_between(since, self.today) >= required
        if node.standout:
            strong = node.standout in ("ready", "eligible")
        else:
            strong = rng.random() < STRONG_SHARE[time_met]
        for _ in range(100):
            statuses, scores = self._manager_answers(target, strong)
            readiness = self._judge(current, target, since, statuses, scores)
            if node.standout != "gaps" or (
                readiness.verdict == Verdict.NOT_YET and 2 <= len(readiness.gaps) <= 4
            ):
                break
        own_statuses, own_scores = self._self_answers(statuses, scores)
        own_state = manager_state = Assessment.State.SHARED
        if not node.standout:
            if rng.random() < DRAFT_SHARE:
                if rng.random() < 0.5:
                    own_state = Assessment.State.DRAFT
                else:
                    manager_state = Assessment.State.DRAFT
            elif rng.random() < SUBMITTED_SHARE:
                manager_state = Assessment.State.SUBMITTED
        # The self-assessment first, the manager's within three weeks of it.
        own_day = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
        manager_day = min(last, own_day + datetime.timedelta(days=rng.randint(0, 21)))
        person, manager = self.saved[index], self.saved[node.parent]
        words = {
            "first": person.name.split(" ", 1)[0],
            "code": target.row.code,
            "focus": self._focus(target, statuses, scores),
        }
        common = {"index": index, "person": person, "target": target, "cycle": cycle}
        own = self._assessment(
            **common,
            author=person,
            role=Assessment.Role.SELF,
            state=own_state,
            day=own_day,
            statuses=own_statuses,
            scores=own_scores,
            summary=rng.choice(SUMMARIES[("self", strong)]).format(**words),
        )
        theirs = self._assessment(
            **common,
            author=manager,
            role=Assessment.Role.MANAGER,
            state=manager_state,
            day=manager_day,
            statuses=statuses,
            scores=scores,
            summary=rng.choice(SUMMARIES[("manager", strong)]).format(**words),
        )
        if manager_state == Assessment.State.SHARED:
            self.judged[index] = (theirs.assessment, theirs.answers, readiness)
        return [own, theirs]

    def _manager_answers(self, target: _LevelInfo, strong: bool) -> tuple[list[str], list[int]]:
        """Statuses of the target's criteria and ratings of its dimensions.

        Strong: every dimension at or above what the target expects, enough criteria met and
        no Responsibility not yet. Otherwise one or more of those fall short: a few gaps.
        """
        rng, rules = self.rng, self.ladder.rules
        lowest, highest = self.version.scale_min, self.version.scale_max
        short: set[str] = set()
        if not strong:
            can_fall = [
                r.dimension
                for r in target.expected
                if r.rating - rules.max_rating_shortfall > lowest
            ]
            short = set(rng.sample(can_fall, min(len(can_fall), _choose(rng, DIMENSION_GAPS))))
        scores = []
        for expected in target.expected:
            if expected.dimension in short:
                below = expected.rating - rules.max_rating_shortfall - 1 - (rng.random() < 0.1)
                scores.append(max(lowest, below))
            else:
                scores.append(min(highest, expected.rating + (rng.random() < 0.15)))

        criteria = target.criteria
        not_applicable = {
            i
            for i, criterion in enumerate(criteria)
            if criterion.section != RESPONSIBILITIES and rng.random() < 0.03
        }
        if len(not_applicable) == len(criteria):
            not_applicable = set()
        counted = [i for i in range(len(criteria)) if i not in not_applicable]
        # The most criteria that may fall short with enough of them still met, by the rule's
        # own sum.
        total = len(counted)
        most_unmet = max(
            (u for u in range(total + 1) if (total - u) / total >= rules.min_criteria_met),
            default=0,
        )
        not_yet: set[int] = set()
        share_gap = False
        if not strong:
            if not rules.allow_responsibility_not_yet:
                responsibilities = [i for i in counted if criteria[i].section == RESPONSIBILITIES]
                wanted = min(len(responsibilities), most_unmet, _choose(rng, RESPONSIBILITY_GAPS))
                not_yet = set(rng.sample(responsibilities, wanted))
            share_gap = rng.random() < CRITERIA_SHARE_GAP
            if not (short or not_yet or share_gap):
                share_gap = True  # a gap besides time in level, whatever else
        if share_gap and most_unmet < len(counted):
            high = min(len(counted), most_unmet + 1 + len(counted) // 4)
            unmet_count = rng.randint(most_unmet + 1, high)
        else:
            unmet_count = rng.randint(len(not_yet), max(len(not_yet), most_unmet))
        others = [i for i in counted if i not in not_yet]
        unmet = not_yet | set(rng.sample(others, unmet_count - len(not_yet)))
        statuses = []
        for i, criterion in enumerate(criteria):
            if i in not_applicable:
                status = Status.NOT_APPLICABLE
            elif i in not_yet:
                status = Status.NOT_YET
            elif i in unmet:
                developing = criterion.section == RESPONSIBILITIES or rng.random() < 0.75
                status = Status.DEVELOPING if developing else Status.NOT_YET
            else:
                status = Status.EXCEEDS if rng.random() < 0.18 else Status.MEETS
            statuses.append(str(status))
        return statuses, scores

    def _self_answers(self, statuses: list[str], scores: list[int]) -> tuple[list[str], list[int]]:
        """Usually as the manager sees it, or one step higher."""
        rng = self.rng
        lowest, highest = self.version.scale_min, self.version.scale_max
        own_scores = [
            min(highest, max(lowest, score + _choose(rng, SELF_RATING_STEP))) for score in scores
        ]
        own_statuses = []
        for status in statuses:
            if status in STATUS_ORDER:
                step = STATUS_ORDER.index(status) + _choose(rng, SELF_STATUS_STEP)
                status = str(STATUS_ORDER[min(len(STATUS_ORDER) - 1, max(0, step))])
            own_statuses.append(status)
        return own_statuses, own_scores

    def _judge(
        self,
        current: _LevelInfo,
        target: _LevelInfo,
        since: datetime.date,
        statuses: list[str],
        scores: list[int],
    ) -> Readiness:
        """The verdict the pages will show, by the same rule and from the same facts."""
        facts = AssessmentFacts(
            ratings={r.dimension: score for r, score in zip(target.expected, scores, strict=True)},
            criteria=tuple(
                CriterionRating(criterion.section, criterion.text, RuleStatus(status))
                for criterion, status in zip(target.criteria, statuses, strict=True)
                if status
            ),
        )
        return judge_readiness(
            target=target.data,
            current=current.data,
            rules=self.ladder.rules,
            assessment=facts,
            level_since=since,
            today=self.today,
        )

    def _focus(self, target: _LevelInfo, statuses: list[str], scores: list[int]) -> str:
        shortfall = self.ladder.rules.max_rating_shortfall
        for expected, score in zip(target.expected, scores, strict=True):
            if score < expected.rating - shortfall:
                return expected.dimension
        for criterion, status in zip(target.criteria, statuses, strict=True):
            if criterion.section == RESPONSIBILITIES and status == Status.NOT_YET:
                return f"the Responsibilities of {target.row.code}"
        return f"meeting more of the {target.row.code} criteria consistently"

    def _assessment(
        self,
        *,
        index: int,
        person: Person,
        author: Person,
        target: _LevelInfo,
        role: str,
        state: str,
        cycle: str,
        day: datetime.date,
        statuses: list[str],
        scores: list[int],
        summary: str,
    ) -> _Planned:
        rng = self.rng
        if state == Assessment.State.DRAFT:
            # Half written: some answers still to give.
            kept = rng.uniform(0.2, 0.8)
            statuses = [status if rng.random() < kept else "" for status in statuses]
            scores = [score if rng.random() < kept else None for score in scores]
            summary = summary if rng.random() < 0.5 else ""
            created = self._at(day)
            updated = min(self.now, created + datetime.timedelta(hours=rng.randint(1, 240)))
            submitted = shared = None
            revision = rng.randint(1, 5)
        else:
            submitted = self._at(day)
            created = submitted - datetime.timedelta(
                days=rng.randint(1, 14), hours=rng.randint(0, 8)
            )
            updated = submitted
            shared = None
            if state == Assessment.State.SHARED:
                later = datetime.timedelta(minutes=rng.randint(5, 60 * 24 * 5))
                shared = min(self.now, submitted + later)
            revision = rng.randint(2, 7)
        assessment = Assessment(
            person=person,
            author=author,
            level=target.row,
            role=role,
            state=state,
            cycle=cycle,
            summary=summary,
            revision=revision,
            created_at=created,
            updated_at=updated,
            submitted_at=submitted,
            shared_at=shared,
        )
        comments = COMMENTS[role]
        answers = [
            (
                criterion,
                status,
                rng.choice(comments[status]) if status and rng.random() < COMMENT_SHARE else "",
            )
            for criterion, status in zip(target.criteria, statuses, strict=True)
        ]
        rated = {
            criterion.pk
            for criterion, status, _ in answers
            if status and status != Status.NOT_APPLICABLE
        }
        links = [
            (criterion.pk, entry)
            for entry, criteria in self.evidence.get(index, ())
            if entry.happened_on <= day
            for criterion in criteria
            if criterion.pk in rated and rng.random() < LINK_SHARE[role]
        ]
        return _Planned(assessment, target, answers, scores, links)

    def _events(self, planned: _Planned) -> list:
        """What `assessment_submit` and `assessment_share` would have recorded, and when."""
        assessment = planned.assessment
        if assessment.state == Assessment.State.DRAFT:
            return []
        by = assessment.author.user
        expected = planned.target.expected
        after = assessment_snapshot(
            state=Assessment.State.SUBMITTED,
            level_code=assessment.level.code,
            ratings={r.dimension: score for r, score in zip(expected, planned.scores, strict=True)},
            criteria={criterion.pk: status for criterion, status, _ in planned.answers},
        )
        submitted = audit_event(
            by=by,
            action="assessment.submitted",
            target=assessment,
            before={"state": "draft"},
            after=after,
        )
        submitted.at = assessment.submitted_at
        if assessment.state != Assessment.State.SHARED:
            return [submitted]
        shared = audit_event(
            by=by,
            action="assessment.shared",
            target=assessment,
            before={"state": "submitted"},
            after={"state": "shared"},
        )
        shared.at = assessment.shared_at
        return [submitted, shared]

    # -- growth plans

    def _plan_batch(self, batch: range) -> None:
        """What `growth_plan_generate` makes from the shared manager assessment, in bulk:
        items for the gaps and the current level's Next Actions, some already under way."""
        plans, items = [], []
        for index in batch:
            if index not in self.judged:
                continue
            plan, plan_items = self._growth_plan(index, *self.judged[index])
            plans.append(plan)
            items.append(plan_items)
        GrowthPlan.objects.bulk_create(plans, batch_size=BATCH_SIZE)
        _insert(
            GrowthItem,
            ["plan", "position", "kind", "closes", "title", "owner", "due", "state", "edited"],
            [
                (plan.pk, position, *item)
                for plan, plan_items in zip(plans, items, strict=True)
                for position, item in enumerate(plan_items)
            ],
        )
        self.counts["plans"] += len(plans)
        self.counts["plan items"] += sum(map(len, items))

    def _growth_plan(
        self, index: int, assessment: Assessment, answers: list[_Answer], readiness: Readiness
    ) -> tuple[GrowthPlan, list[tuple]]:
        """The plan, and its items as (kind, closes, title, owner, due, state, edited)."""
        rng, node, person = self.rng, self.nodes[index], self.saved[index]
        later = datetime.timedelta(hours=rng.randint(1, 24 * 7))
        plan = GrowthPlan(
            person=person,
            target=assessment.level,
            generated_at=min(self.now, assessment.shared_at + later),
        )
        unique = planned_items(
            gaps=readiness.gaps,
            criteria=((c.section, c.text, status) for c, status, _ in answers),
            next_actions=self.infos[node.history[-1][0]].row.next_actions,
        )
        states = [_choose(rng, ITEM_STATES) for _ in unique]
        if node.standout == "gaps" and len(states) >= 2:
            # The demo engineer's plan is under way: one item in progress, one done.
            states[0], states[-1] = GrowthItem.State.IN_PROGRESS, GrowthItem.State.DONE
        items = [
            (
                str(kind),
                closes,
                title,
                person.pk,
                self.today + datetime.timedelta(days=rng.randint(*ITEM_DUE_DAYS)),
                str(state),
                state != GrowthItem.State.OPEN,
            )
            for (kind, closes, title), state in zip(unique, states, strict=True)
        ]
        return plan, items
