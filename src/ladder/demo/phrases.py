"""The demo's words: names of people and teams, what evidence says, and what assessments say."""

from __future__ import annotations

from ladder.assessments.models import Assessment, Status

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
