"""A person's review tasks and promotion case on their page: what each viewer sees and may do,
the target picker, and starting an assessment from the task."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.assessments.models import Assessment
from ladder.promotions.cycles import cycle_advance
from ladder.promotions.models import CycleMember, PromotionCase
from tests.promotions.test_cycles import PAST_DATES, add_person, assessed, make_cycle

pytestmark = pytest.mark.django_db


def page_of(client, viewer, person) -> str:
    client.force_login(viewer.user)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def panel(client, viewer, person) -> str:
    """The panel's part of the person page ("" when it is not shown)."""
    page = page_of(client, viewer, person)
    start = page.find('aria-labelledby="promotion-heading"')
    if start == -1:
        return ""
    return page[start : page.index("</section>", start)]


def start_forms(html: str) -> list[str]:
    return [role for role in ("self", "manager") if f'name="role" value="{role}"' in html]


def test_the_engineer_sees_their_task_with_its_due_dates_and_may_start_their_own_part(client, org):
    cycle = make_cycle(org)

    html = panel(client, org.engineer, org.engineer)

    assert cycle.name in html and "MD2" in html
    assert f'datetime="{cycle.self_due:%Y-%m-%d}"' in html
    assert f'datetime="{cycle.manager_due:%Y-%m-%d}"' in html
    assert start_forms(html) == ["self"]
    assert "Overdue" not in html


def test_starting_from_the_panel_begins_the_self_assessment_against_the_target(client, org):
    make_cycle(org)
    html = panel(client, org.engineer, org.engineer)
    level = html.split('name="self-level" value="')[1].split('"')[0]

    response = client.post(
        f"/people/{org.engineer.pk}/assessments/start/", {"role": "self", "self-level": level}
    )

    assessment = Assessment.objects.get(person=org.engineer, role="self")
    assert response.status_code == 302 and assessment.level.code == "MD2"
    after = panel(client, org.engineer, org.engineer)
    assert "Draft" in after and f'href="/assessments/{assessment.pk}/"' in after
    assert start_forms(after) == []


def test_the_manager_sees_the_task_and_may_start_the_manager_assessment(client, org):
    make_cycle(org)

    html = panel(client, org.manager, org.engineer)

    assert "MD2" in html and start_forms(html) == ["manager"]


def test_a_self_assessment_draft_is_its_authors_alone_even_from_the_panel(client, org):
    make_cycle(org)
    draft = assessed(org.engineer, org.engineer, org.levels["MD2"], "self", "draft")

    assert f'href="/assessments/{draft.pk}/"' in panel(client, org.engineer, org.engineer)
    managers = panel(client, org.manager, org.engineer)
    assert "Draft" in managers and f'href="/assessments/{draft.pk}/"' not in managers


def test_an_admin_sees_the_task_but_starts_nothing(client, org):
    make_cycle(org)

    html = panel(client, org.admin, org.engineer)

    assert "MD2" in html and start_forms(html) == []
    assert "Target" not in html


def test_late_parts_are_flagged_overdue(client, org):
    make_cycle(org, **PAST_DATES)

    assert panel(client, org.engineer, org.engineer).count("Overdue") == 2


def test_tasks_of_a_cycle_in_calibration_or_closed_leave_the_page(client, org):
    cycle = cycle_advance(by=org.admin.user, cycle=make_cycle(org))

    html = panel(client, org.engineer, org.engineer)

    assert cycle.name not in html and "No open review tasks." in html


def test_someone_with_two_next_levels_picks_their_target_until_the_manager_submits(client, org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)
    member = CycleMember.objects.get(cycle=cycle, person=sid)
    html = panel(client, sid, sid)
    assert f'action="/cycles/{cycle.pk}/members/{member.pk}/target/"' in html
    assert f'<option value="{org.levels["TL1"].pk}">TL1' in html

    picked = client.post(
        f"/cycles/{cycle.pk}/members/{member.pk}/target/",
        {"level": org.levels["TL1"].pk},
        follow=True,
    )

    member.refresh_from_db()
    assert member.target.code == "TL1"
    assert f"Sid Senior is assessed against TL1 in {cycle.name}." in picked.content.decode()
    assessed(sid, org.manager, org.levels["TL1"], "manager", "submitted")
    assert "Change target" not in panel(client, sid, sid)
    refused = client.post(
        f"/cycles/{cycle.pk}/members/{member.pk}/target/",
        {"level": org.levels["SR2"].pk},
        follow=True,
    )
    assert "the target is fixed for this cycle" in refused.content.decode()
    member.refresh_from_db()
    assert member.target.code == "TL1"


def test_the_manager_may_pick_the_target_too(client, org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)
    member = CycleMember.objects.get(cycle=cycle, person=sid)
    assert "Change target" in panel(client, org.manager, sid)
    assert "Change target" in panel(client, org.skip, sid)

    client.post(f"/cycles/{cycle.pk}/members/{member.pk}/target/", {"level": org.levels["TL1"].pk})

    member.refresh_from_db()
    assert member.target.code == "TL1"


def test_someone_with_one_next_level_is_offered_no_picker(client, org):
    make_cycle(org)

    assert "Change target" not in panel(client, org.engineer, org.engineer)


@pytest.mark.parametrize("who", ["peer", "other_manager", "outsider", "admin"])
def test_others_cannot_pick_someones_target(client, org, who):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)
    member = CycleMember.objects.get(cycle=cycle, person=sid)
    client.force_login(getattr(org, who).user)

    response = client.post(
        f"/cycles/{cycle.pk}/members/{member.pk}/target/", {"level": org.levels["TL1"].pk}
    )

    assert response.status_code == 404
    member.refresh_from_db()
    assert member.target.code == "SR2"


def test_a_target_for_another_cycles_task_is_not_found(client, org):
    first = make_cycle(org, name="First")
    second = make_cycle(org, name="Second")
    member = CycleMember.objects.get(cycle=first, person=org.engineer)
    client.force_login(org.engineer.user)

    response = client.post(
        f"/cycles/{second.pk}/members/{member.pk}/target/", {"level": org.levels["MD2"].pk}
    )

    assert response.status_code == 404


def test_the_case_state_shows_with_a_link_and_the_manager_may_open_one(client, org):
    make_cycle(org)
    html = panel(client, org.manager, org.engineer)
    assert f'href="/people/{org.engineer.pk}/cases/new/"' in html

    case = PromotionCase.objects.create(
        person=org.engineer,
        from_level=org.levels["MD1"],
        to_level=org.levels["MD2"],
        recommendation="Ready.",
    )

    for viewer in (org.engineer, org.manager, org.admin):
        html = panel(client, viewer, org.engineer)
        assert "Draft" in html and f'href="/cases/{case.pk}/"' in html
        assert "/cases/new/" not in html  # one open case at a time


def test_the_engineer_is_not_offered_to_open_their_own_case(client, org):
    assert "/cases/new/" not in panel(client, org.engineer, org.engineer)


def test_the_reminders_choice_is_on_the_persons_own_page_only(client, org):
    make_cycle(org)

    assert 'action="/me/reminders/"' in panel(client, org.engineer, org.engineer)
    assert 'action="/me/reminders/"' not in panel(client, org.manager, org.engineer)


def test_without_a_task_or_a_case_a_manager_sees_only_the_way_to_open_one(client, org):
    html = panel(client, org.manager, org.engineer)

    assert "Open a promotion case" in html and "Assessed against" not in html


def test_the_panel_costs_as_many_queries_in_a_big_cycle_as_in_a_small_one(client, org):
    def queries(size: int) -> int:
        for n in range(size):
            add_person(org, f"Other {size}-{n}", f"o{size}-{n}@example.com", "JR2")
        cycle = make_cycle(org, name=f"Round {size}")
        client.force_login(org.engineer.user)
        # Once first, so that what is kept per ladder version is kept, as on a running site.
        client.get(f"/people/{org.engineer.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/people/{org.engineer.pk}/").status_code == 200
        cycle_advance(by=org.admin.user, cycle=cycle)  # its task leaves the page
        return len(captured)

    assert queries(2) == queries(30)
