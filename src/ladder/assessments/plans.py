"""Which gaps become growth-plan items: one rule for the plan page, the services and the demo."""

from __future__ import annotations

from collections.abc import Iterable

from ladder.frameworks.models import Criterion

from .models import GrowthItem, Status
from .readiness import Reason

# Reasons that become one item each. Criteria are listed one by one instead of as their share,
# and an unmet responsibility is already one of the criteria.
_KIND_OF_REASON = {
    "dimension": GrowthItem.Kind.DIMENSION,
    "experience": GrowthItem.Kind.EXPERIENCE,
}
_GAP_STATUSES = (Status.NOT_YET, Status.DEVELOPING)


def planned_items(
    *,
    gaps: Iterable[Reason],
    criteria: Iterable[tuple[str, str, str]],
    next_actions: Iterable[str],
) -> list[tuple[str, str, str]]:
    """The plan's items as (kind, closes, title), each (kind, closes) once, in the plan's order.

    `gaps` are the unmet reasons of the readiness verdict, `criteria` the assessment's
    (section, text, status) and `next_actions` those of the person's current level.
    """
    wanted: list[tuple[str, str, str]] = []
    for gap in gaps:
        if gap.kind in _KIND_OF_REASON:
            wanted.append((_KIND_OF_REASON[gap.kind], gap.subject, gap.text))
    for section, text, status in criteria:
        if status in _GAP_STATUSES:
            is_responsibility = section == Criterion.Section.RESPONSIBILITIES
            kind = (
                GrowthItem.Kind.RESPONSIBILITY if is_responsibility else GrowthItem.Kind.CRITERION
            )
            wanted.append((kind, text, text))
    for action in next_actions:
        wanted.append((GrowthItem.Kind.NEXT_ACTION, action, action))
    firsts: dict[tuple[str, str], str] = {}
    for kind, closes, title in wanted:
        firsts.setdefault((kind, closes), title)
    return [(kind, closes, title) for (kind, closes), title in firsts.items()]
