"""Assessment panels other apps' pages show: `{% load assessment_panels %}`.

The person page (people app) shows readiness and the growth plan through this tag, so people
never imports assessments: the dependency runs from the template, downwards.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from ladder.frameworks.charts import MIN_DIMENSIONS, Shape, radar_svg
from ladder.people.models import Person

from .. import permissions
from ..selectors import ReadinessPanel, ladders_for, readiness_panel, standing_for_page

register = template.Library()


@register.inclusion_tag("assessments/_readiness_panel.html", takes_context=True)
def person_readiness(context, person: Person) -> dict:
    """Readiness for the next level asked for by `?target=` (else the first), with the chart
    of expected and given ratings, and the growth plan's progress."""
    request = context["request"]
    today = timezone.localdate()
    panel = readiness_panel(
        person,
        today,
        request.GET.get("target"),
        standing=standing_for_page(request, person, today),
        ladder_of=ladders_for(request),
    )
    result = {"person": person, "panel": panel, "target": panel.target}
    if panel.target is None:
        return result
    plan = panel.plan
    return {
        **result,
        "chart": _chart(person, panel),
        "plan_items": panel.plan_items,
        "progress": plan.progress() if plan else None,
        "may_edit_plan": permissions.may_edit_plan(request.user, person),
    }


def _chart(person: Person, panel: ReadinessPanel) -> str:
    target, version = panel.target, panel.target.version
    if len(version.dimensions) < MIN_DIMENSIONS:
        return ""
    shapes = [Shape(f"{target.code} expected", panel.target_expected, "b")]
    if panel.standing.current is not None:
        current = panel.standing.current
        shapes.insert(0, Shape(f"{current.code} expected (current)", panel.current_expected, "a"))
    if panel.self_assessment:
        shapes.append(Shape("Self rating", panel.self_assessment.ratings.by_dimension(), "c"))
    if panel.manager_assessment:
        shapes.append(Shape("Manager rating", panel.manager_assessment.ratings.by_dimension(), "d"))
    return radar_svg(
        version.dimensions, shapes, scale_min=version.scale_min, scale_max=version.scale_max,
        title=f"{person.name} against {target.code}",
    )  # fmt: skip
