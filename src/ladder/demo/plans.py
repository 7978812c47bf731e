"""Writing growth plans: what `growth_plan_generate` makes from a shared manager assessment, for
a batch of people at a time, with some items already under way."""

from __future__ import annotations

import datetime

from ladder.assessments.models import Assessment, GrowthItem, GrowthPlan
from ladder.assessments.plans import planned_items
from ladder.assessments.readiness import Readiness

from .activity import Activity, Answer, choose
from .bulk import BATCH_SIZE, insert

ITEM_STATES = {
    GrowthItem.State.OPEN: 77,
    GrowthItem.State.IN_PROGRESS: 15,
    GrowthItem.State.DONE: 8,
}
ITEM_DUE_DAYS = (30, 120)


def write_plans(activity: Activity, batch: range) -> None:
    """A plan for everyone in `batch` whose manager shared an assessment."""
    plans, items = [], []
    for index in batch:
        if index not in activity.judged:
            continue
        plan, plan_items = _growth_plan(activity, index, *activity.judged[index])
        plans.append(plan)
        items.append(plan_items)
    GrowthPlan.objects.bulk_create(plans, batch_size=BATCH_SIZE)
    insert(
        GrowthItem,
        ["plan", "position", "kind", "closes", "title", "owner", "due", "state", "edited"],
        [
            (plan.pk, position, *item)
            for plan, plan_items in zip(plans, items, strict=True)
            for position, item in enumerate(plan_items)
        ],
    )
    activity.counts["plans"] += len(plans)
    activity.counts["plan items"] += sum(map(len, items))


def _growth_plan(
    activity: Activity,
    index: int,
    assessment: Assessment,
    answers: list[Answer],
    readiness: Readiness,
) -> tuple[GrowthPlan, list[tuple]]:
    """The plan, and its items as (kind, closes, title, owner, due, state, edited)."""
    rng, node, person = activity.rng, activity.nodes[index], activity.saved[index]
    later = datetime.timedelta(hours=rng.randint(1, 24 * 7))
    plan = GrowthPlan(
        person=person,
        target=assessment.level,
        generated_at=min(activity.now, assessment.shared_at + later),
    )
    unique = planned_items(
        gaps=readiness.gaps,
        criteria=((c.section, c.text, status) for c, status, _ in answers),
        next_actions=activity.infos[node.history[-1][0]].row.next_actions,
    )
    states = [choose(rng, ITEM_STATES) for _ in unique]
    dues = [activity.today + datetime.timedelta(days=rng.randint(*ITEM_DUE_DAYS)) for _ in unique]
    waiting = [kind == GrowthItem.Kind.EXPERIENCE for kind, _, _ in unique]
    for position, wait in enumerate(waiting):
        if wait:
            # Time in level is met on a known day, not worked on: due then, and open till then.
            states[position] = GrowthItem.State.OPEN
            dues[position] = max(dues[position], readiness.eligible_from or dues[position])
    workable = [position for position, wait in enumerate(waiting) if not wait]
    if node.standout == "gaps" and len(workable) >= 2:
        # The demo engineer's plan is under way: one item in progress, one done.
        states[workable[0]] = GrowthItem.State.IN_PROGRESS
        states[workable[-1]] = GrowthItem.State.DONE
    items = [
        (
            str(kind),
            closes,
            title,
            person.pk,
            due,
            str(state),
            # An item whose state moved was changed by its owner, as `growth_item_update` marks.
            state != GrowthItem.State.OPEN,
        )
        for (kind, closes, title), state, due in zip(unique, states, dues, strict=True)
    ]
    return plan, items
