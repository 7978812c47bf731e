"""Rules of the round that hold whichever page or service is used: no one calibrates
themself, a cycle moves only to the stage the page asked for, targets are chosen by the person
or their managers, written reasons refuse control characters of every kind."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from ladder.assessments.adjustments import assessment_adjust
from ladder.assessments.services import (
    growth_item_update,
    growth_plan_add_items,
    growth_plan_generate,
)
from ladder.people.services import person_set_level
from ladder.promotions.cycles import member_set_target
from ladder.promotions.models import CycleMember, ReviewCycle
from tests.promotions.test_calibration_page import make_cycle, shared

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    return make_cycle(org)


@pytest.fixture
def own_assessment(org, cycle):
    """Mia's shared assessment of the engineer, who also sits on the cycle's committee."""
    cycle.committee.add(org.engineer)
    return shared(org.engineer, org.levels["MD2"], "manager", {}, author=org.manager)


def test_a_committee_member_cannot_open_the_adjustment_of_their_own_assessment(
    client, org, cycle, own_assessment
):
    client.force_login(org.engineer.user)

    url = f"/cycles/{cycle.pk}/calibration/assessments/{own_assessment.pk}/adjust/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Better than rated."}).status_code == 404


def test_the_adjustment_service_refuses_anyone_adjusting_their_own_assessment(org, own_assessment):
    with pytest.raises(ValidationError, match="themself"):
        assessment_adjust(
            by=org.engineer.user,
            assessment=own_assessment,
            ratings={"Team Contributor": 5},
            reason="Better than rated.",
        )


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x1b", "\x7f", "\u0085", "\u202e", "\u2066", "\u200b", "\u2028", "\ud800"],
    ids=["NUL", "ESC", "DEL", "NEL", "RLO", "LRI", "ZWSP", "LSEP", "surrogate"],
)
def test_an_adjustment_reason_with_any_control_or_format_character_is_refused(org, cycle, char):
    assessment = shared(org.outsider, org.levels["MD1"], "manager", {}, author=org.other_manager)

    with pytest.raises(ValidationError, match="control character"):
        assessment_adjust(
            by=org.admin.user,
            assessment=assessment,
            ratings={"Team Contributor": 1},
            reason=f"Seen{char} leading",
        )


def test_an_adjustment_reason_may_run_over_lines(org, cycle):
    assessment = shared(org.outsider, org.levels["MD1"], "manager", {}, author=org.other_manager)

    adjusted = assessment_adjust(
        by=org.admin.user,
        assessment=assessment,
        ratings={"Team Contributor": 1},
        reason="Seen leading\r\n\tthe migration.",
    )

    assert adjusted.adjustment_reason == "Seen leading\r\n\tthe migration."


def test_advancing_a_cycle_without_naming_the_stage_changes_nothing(client, org, cycle):
    client.force_login(org.admin.user)

    response = client.post(f"/cycles/{cycle.pk}/advance/", follow=True)

    cycle.refresh_from_db()
    assert cycle.stage == ReviewCycle.Stage.CALIBRATION
    assert "nothing changed" in response.content.decode()


def test_only_the_person_or_a_manager_in_their_chain_chooses_a_target(org, cycle):
    ReviewCycle.objects.filter(pk=cycle.pk).update(stage=ReviewCycle.Stage.OPEN)
    member = CycleMember.objects.get(cycle=cycle, person=org.engineer)

    for outsider in (org.peer, org.other_manager, org.admin):
        with pytest.raises(ValidationError, match="chooses the target"):
            member_set_target(by_user=outsider.user, member=member, level=org.levels["MD2"])
    member_set_target(by_user=org.skip.user, member=member, level=org.levels["MD2"])


def test_a_plan_towards_another_level_starts_afresh_and_one_towards_the_same_keeps_edits(org):
    person_set_level(
        by=None, person=org.engineer, level=org.levels["SR1"], since=datetime.date(2024, 1, 1)
    )
    plan = growth_plan_generate(by=None, person=org.engineer, target=org.levels["SR2"])
    kept = plan.items.first()
    growth_item_update(item=kept, owner=org.engineer, due=None, state="in_progress")
    growth_plan_add_items(person=org.engineer, texts=["Lead one design review."])

    growth_plan_generate(by=None, person=org.engineer, target=org.levels["SR2"])
    assert set(plan.items.filter(edited=True).values_list("title", flat=True)) == {
        kept.title,
        "Lead one design review.",
    }

    growth_plan_generate(by=None, person=org.engineer, target=org.levels["TL1"])
    assert not plan.items.filter(edited=True).exists()
    assert not plan.items.filter(title="Lead one design review.").exists()
