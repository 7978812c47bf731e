"""The demo's words: names of people and teams, what evidence says, and what assessments say."""

from __future__ import annotations

import re

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

# What evidence says. The slots are filled from the lists below: {service}, {other} (another
# service), {feature}, {team}, {name}, {thing}, {month} and the numbers {n}, {pct}, {slow},
# {fast}, {mins} and {cover}. An entry is tied only to criteria that share a topic with its
# phrase (TOPICS, below).
EVIDENCE_TEXTS = [
    # Owning, designing and delivering.
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
    # Hands-on .NET work.
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
    # First steps: what juniors show.
    "Fixed {n} small bugs in the {service}, each with a failing unit test written first.",
    "Added an endpoint to the {service} by following the existing pattern, with input validation and unit tests.",
    "Debugged a null reference in the {service} locally, reproduced it in a test and fixed it.",
    "Resolved a merge conflict on the {service} release branch and wrote up the Git steps in the team wiki.",
    "Updated the {service}'s README and runbook after finding the local setup steps out of date.",
    "Asked for help early on a stuck ticket in the {service} and posted daily progress at stand-up until it shipped.",
    "Applied the review comments on the {feature} pull requests and kept to them in later work without reminders.",
    "Clarified the acceptance criteria for {feature} with QA and product before starting the work.",
    "Wrote the EF Core query with paging for {feature} and checked the generated SQL before review.",
    "Fixed a flaky test in the {service}'s CI build instead of skipping it, and told the team the cause.",
    "Picked up a low-risk production issue in the {service} alongside {name} and shipped the fix the same day.",
    "Estimated the tasks of {feature} and flagged early when one of them doubled.",
    "Replaced a static helper in the {service} with async/await and dependency injection.",
    # Working with people.
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
    # Leading teams and the organisation.
    "Built a proof of concept of {feature} on a new library and introduced it to {team}.",
    "Agreed the technical roadmap of three teams with product and aligned it with the year's business strategy.",
    "Held monthly one-to-ones with the team and agreed growth plans with {n} engineers.",
    "Introduced a lightweight RFC process sized to the team's maturity; decisions now take a week, not a month.",
    "Ran the hiring loop for two backend roles: wrote the interview exercise and trained three new interviewers.",
    "Coordinated {n} engineers across two teams through the launch of {feature}, moderating the trade-off discussions.",
    "Measured the team's lead time and change failure rate, and halved the lead time in a quarter.",
    "Settled a conflict between two developers early and fairly, in a joint session.",
    "Presented the costs and risks of the platform migration to senior leadership in plain language.",
    "Reviewed the high-risk design of {feature} for {team} and advised on the approach.",
]
# What a topic is called in a criterion's text or an evidence phrase, as one pattern for both.
# An evidence entry speaks to a criterion when the two share a topic; the phrase is read with
# its slots as plain words ("the service", "another team"), so a service's or team's name never
# makes a topic.
TOPICS = {
    "testing": r"\btest",
    "delivery pipeline": r"\bCI\b|CI/CD|(?<!Core )pipelines?\b|GitHub Actions|Azure DevOps|quality gates|deploy",
    "containers and cloud": r"\bcontainers?\b|containeris|Docker|Kubernetes|\bAKS\b|\bcloud\b|App Service|managed hosting",
    "hosting": r"background (services|work|job)|hosted service|hosting model|graceful shutdown|health (probes|checks)",
    "performance": r"performance|latency|profil|hot (spots?|path)|allocations?\b|BenchmarkDotNet|\bbenchmarks\b|memory|garbage collect|dotnet-counters|dotnet-trace|dotnet-dump|query plans?|\bload\b",
    "data access": r"EF Core|\bSQL\b(?! query plans)|(?<!automating )databases?\b|schema|Dapper|\bindex|\bquer(y|ies)\b",
    "resilience": r"retr(y|ies)|timeouts?\b|circuit breaker|idempoten|resilien|Polly|back-pressure|failure modes|race condition|duplicat",
    "messaging": r"messag(e|ing) (handlers|patterns|queue)|messaging|Service Bus|RabbitMQ|\bqueue\b|outbox|\bsagas\b",
    "security": r"secur|secrets?\b|Key Vault|OAuth|OpenID|\bJWT\b|threat|OWASP|vulnerab|authori[sz]ation|authenticat|least privilege|identity and access|(?<!dependency )injection|input[- ]validation|API key|managed identity",
    "web framework": r"ASP\.NET|middleware|endpoints?\b|minimal APIs?|hosting model|dependency injection|model binding|\bfilters\b|controllers",
    "language and runtime": r"C#|\.NET (runtime|\d)|async|nullable|thread|(?-i:\bSpan\b)|\bJIT\b|garbage|runtime|System\.Text\.Json|source generators",
    "observability": r"observab|OpenTelemetry|tracing|\btraces\b|structured log|\blogs\b|logging|metrics|dashboards?|\balerts?\b|\bSL[OA]s?\b|service level|ILogger",
    "incidents": r"incidents?\b|on[- ]call|outages?\b|production issues?|root causes?",
    "design": r"\bdesigns? (of(?! technical interviews)|documents?|reviews?|decisions?|notes?|advice|from)|high-risk designs|guide designs|feedback on designs|\bthe design\b|designing systems|architecture|architectural|decision records?|monolith|microservices|technical direction",
    "api contracts": r"API contracts?|contract tests|OpenAPI|versioning|backward compatib|API guidelines|data models?",
    "mentoring": r"mentor|mentees|coach|onboarding new|onboarded|new joiners?|newer juniors|pairs with junior|grow into|sponsor",
    "code review": r"review(ed|ing|s)? .{0,30}pull requests|code reviews?|review comments|review feedback|reviewing teammates|review critical changes",
    "sharing knowledge": r"lunch-and-learn|workshops?|write-ups?|wrote up|team demos|documentation|documented|runbooks?|README|wiki|onboarding guide|publish|teaching|\btalks\b(?! through)|articles",
    "stakeholders": r"stakeholders?|product owners?|product managers?|with product|plain language|non-technical|senior leadership|executives?|explains? (the )?(trade-offs|technical|complex)",
    "across teams": r"another team|other teams|neighbouring teams|cross-team|cross-functional|across (two |several )?teams|several teams|three teams|two teams|beyond (their|the) own team",
    "leading teams": r"multiple (technical )?teams|sub-teams|across two teams|of three teams|with three teams|many teams|several teams|entire tech organi[sz]ation|across the organi[sz]ation|organi[sz]ation-wide",
    "planning and delivery": r"\bepics?\b|slices|milestones|increments|incrementally|estimat|backlog|roadmap|\bscope\b|breaking (a feature|large initiatives|initiatives)|deliver",
    "technical debt": r"technical debt|legacy|paying down|obsolete|boilerplate",
    "ownership": r"\bown(s|ed|ing)\b|first point of contact|took over",
    "hiring": r"hiring|interview|candidates",
    "people leadership": r"one-to-ones|growth plans|people leadership|delegat|setting expectations|difficult feedback|effective feedback|team members|conflict (within|between)|resolving conflicts and",
    "new technology": r"proofs? of concept|\bspike\b|prototyp|new technolog|new library|libraries and technologies|platform choices|build-versus-buy",
    "engineering practices": r"standards|(engineering|platform|testing) practices|\bprocess(es)?\b|engineering principles|conventions|analy[sz]er|guidelines|service templates|building blocks|reference (architectures|implementation)",
    "git": r"\bGit\b|branch(es|ing)?\b|merg(e|ing)\b|rebas|trunk-based",
    "debugging": r"debug|reproduc|root causes?|null reference|null handling",
    "communication": r"reporting progress|progress and blockers|daily progress|stand-up|asks? (clear )?questions|asking for help|asked for help|going quiet|status, risks",
    "requirements": r"acceptance criteria|requirements?\b|refin(e|ing|ement)|clarif",
    "facilitation": r"retrospectives?|facilitat|moderat|rituals|design reviews?|reach decisions|consensus|got agreement",
    "strategy": r"(?<!branching )(?<!testing )(?<!hiring )strateg|business (goals|strategy|outcomes)|roadmap",
    "delivery measures": r"lead time|deployment frequency|change failure|escaped defects",
}
_TOPIC_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in TOPICS.items()}
# The slots of an evidence phrase as plain words, for finding its topics.
_PLAIN_SLOTS = {
    "service": "the service", "other": "the other service", "feature": "the feature",
    "team": "another team", "name": "a colleague", "thing": "records", "month": "the month",
    "n": "5", "pct": "20", "slow": "900", "fast": "300", "mins": "10", "cover": "80",
}  # fmt: skip


def topics(text: str) -> frozenset[str]:
    """The topics a criterion's text names."""
    return frozenset(name for name, pattern in _TOPIC_PATTERNS.items() if pattern.search(text))


def evidence_topics(template: str) -> frozenset[str]:
    """The topics an evidence phrase (before its slots are filled) speaks to."""
    return topics(template.format(**_PLAIN_SLOTS))


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

# The review round: what managers write in a promotion case, what skip-level managers add, what
# the committee decides and why it adjusts a rating. Slots: {first} (the person's first name),
# {code} (the level), {focus} (their first gap), {date} (a day).
RECOMMENDATIONS = [
    "{first} has worked at {code} level all half: the shared assessment and the evidence show "
    "every expectation met. I recommend the promotion.",
    "{first} already does the {code} job day to day, and the team relies on it. I recommend "
    "{first} for {code} this round.",
    "Consistent {code} work over the last two halves, with evidence for each criterion. "
    "{first} is ready and has my full support.",
]
JUSTIFICATIONS = {
    "eligible_from": "Everything {code} asks is met except the time in level, which {first} "
    "reaches on {date}. I would rather the committee see the case now than wait a round.",
    "not_yet": "{first} is not ready on paper ({focus}), but has carried {code} work through a "
    "hard half. I think the gap is closing fast and want the committee's view.",
}
ENDORSEMENTS = [
    "I have seen {first}'s work across the teams this half and endorse the case.",
    "Endorsed: {first} has been working at {code} level in every review I took part in.",
]
FEEDBACK = {
    "approved": "Approved. The committee saw consistent {code} work in the assessment and the "
    "evidence. Congratulations, {first}.",
    "deferred": "Deferred: everything else {code} asks is met, and the committee will confirm "
    "the promotion once the time in level is reached on {date}.",
    "deferred_later": "Deferred to the next round: the committee wants to see one more half of "
    "{code} work in the evidence before deciding.",
    # Declining: each line becomes an item of the person's growth plan.
    "declined": "Show {focus} on a piece of work the committee can see.\n"
    "Ask for a stretch assignment that needs {code} scope, and link it as evidence.\n"
    "Review progress with your manager before the next round.",
}
ADJUSTMENT_REASON = (
    "Calibrated against the other {code} cases: {dimension} was rated above what the evidence "
    "shows compared with peers."
)
