"""Building the demo organisation: the plan first, then each phase written in bulk.

Everything is planned in memory from `random.Random(seed)`, so the same seed gives the same
organisation, then written with no query per person: the people (`people`), then, in batches of
people, their evidence (`evidence`), their self and manager assessments with the readiness
verdict worked out in memory by the rule the pages use (`assessments`), and growth plans made
from the gaps (`plans`). Last, the review round those assessments belong to is run through the
promotion services (`review`): a bounded number of calls, whatever the organisation's size.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ladder.assessments.models import Assessment
from ladder.assessments.readiness import Verdict
from ladder.assessments.stored import readiness_refresh
from ladder.frameworks.bundled import BUNDLED_LADDER, BUNDLED_LADDER_NAME
from ladder.frameworks.models import Ladder, LadderVersion, Level
from ladder.frameworks.selectors import version_ladder
from ladder.frameworks.services import ladder_import
from ladder.people.models import Person

from .activity import Activity, level_infos
from .assessments import write_assessments
from .bulk import BATCH_SIZE
from .evidence import write_evidence
from .people import write_people
from .planning import (
    ADMIN_EMAIL,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    ENGINEER_EMAIL,
    MANAGER_EMAIL,
    MIN_PEOPLE,
    Node,
    plan_levels,
    plan_names,
    plan_round,
    plan_standouts,
    plan_tree,
)
from .plans import write_plans
from .review import RoundResult, write_round

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "ENGINEER_EMAIL",
    "MANAGER_EMAIL",
    "MIN_PEOPLE",
    "PHASES",
    "DemoResult",
    "demo_organisation_create",
]

LADDER_SLUG = "dotnet"

# The steps of a build, each reported to `progress` as people done out of all of them.
PHASES = ("people", "evidence", "assessments", "growth plans", "review cycle")
Progress = Callable[[str, int], None]
VERDICT_ORDER = (Verdict.READY, Verdict.ELIGIBLE_FROM, Verdict.NOT_YET, Verdict.NOT_ASSESSED)


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
    # The review round in calibration; None when there is no demo admin to run it.
    review: RoundResult | None = None


def demo_organisation_create(
    *, people: int, seed: int = 0, progress: Progress | None = None
) -> DemoResult:
    """Add `people` people in a believable organisation on the latest "dotnet" ladder version,
    with their evidence, assessments against their next level, growth plans, and a review
    round in calibration (review.py).

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
        round_dates = plan_round(today)
        latest_start = round_dates.latest_level_start
        nodes, team_count = plan_tree(people, rng)
        plan_names(nodes, rng)
        plan_levels(nodes, levels, rng, today, latest_start)
        # Generators of their own, so the extras never change who is in the organisation.
        standouts = random.Random(f"standouts-{seed}")
        plan_standouts(nodes, levels, ladder, standouts, today, latest_start)
        saved, logins = write_people(
            nodes,
            team_count,
            levels,
            rng,
            (lambda done: progress(PHASES[0], done)) if progress is not None else None,
        )
        activity = Activity(
            nodes=nodes,
            saved=saved,
            infos=level_infos(version, levels, ladder),
            ladder=ladder,
            version=version,
            rng=random.Random(f"activity-{seed}"),
            today=today,
            now=timezone.now(),
            round_dates=round_dates,
        )
        writers = (write_evidence, write_assessments, write_plans)
        for phase, write in zip(PHASES[1:4], writers, strict=True):
            for start in range(0, len(nodes), BATCH_SIZE):
                batch = range(start, min(start + BATCH_SIZE, len(nodes)))
                write(activity, batch)
                if progress is not None:
                    progress(phase, batch.stop)
        review = write_round(activity, seed)
        # The bulk writes above go round the services, so readiness is stored here, at once.
        readiness_refresh(None, today=today)
        if progress is not None:
            progress(PHASES[4], len(nodes))
        result = _result(nodes, team_count, version, levels, saved[0], logins, activity)
        result.review = review
    _analyze()
    return result


def _analyze() -> None:
    """Give PostgreSQL's planner statistics for the rows just loaded.

    Autovacuum analyses a table only a while after it changes; until then the planner takes a
    freshly filled table for nearly empty and picks plans (nested loops, no index) that are slow
    at thousands of rows. SQLite plans without such statistics, so it is left alone.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _dotnet_version() -> LadderVersion:
    ladder = Ladder.objects.filter(slug=LADDER_SLUG).first()
    version = ladder.latest_version() if ladder else None
    if version is None:
        source = BUNDLED_LADDER.read_text(encoding="utf-8")
        version = ladder_import(
            source=source, source_name=BUNDLED_LADDER_NAME, slug=LADDER_SLUG
        ).version
    return version


def _result(
    nodes: list[Node],
    team_count: int,
    version: LadderVersion,
    levels: list[Level],
    top: Person,
    logins: list[str],
    activity: Activity,
) -> DemoResult:
    counts = Counter(node.history[-1][0] for node in nodes if node.history)
    verdicts = Counter(
        activity.judged[index][2].verdict if index in activity.judged else Verdict.NOT_ASSESSED
        for index, node in enumerate(nodes)
        if node.history and activity.infos[node.history[-1][0]].next is not None
    )
    states = activity.states
    return DemoResult(
        people=len(nodes),
        teams=team_count,
        managers=len({node.parent for node in nodes if node.parent is not None}),
        depth=max(node.depth for node in nodes) + 1,
        version=version,
        levels={level.code: counts[level.code] for level in levels if counts[level.code]},
        without_level=sum(1 for node in nodes if not node.history),
        logins=logins,
        top=top,
        evidence=activity.counts["evidence"],
        people_with_evidence=len(activity.evidence),
        assessments={state: states[state] for state in Assessment.State.values if states[state]},
        people_assessed=activity.counts["people assessed"],
        plans=activity.counts["plans"],
        plan_items=activity.counts["plan items"],
        verdicts={str(verdict): verdicts[verdict] for verdict in VERDICT_ORDER},
    )
