"""Who may see and do what with assessments, evidence and plans, asked of the rules directly."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from ladder.assessments import permissions, selectors, services
from ladder.assessments.models import Assessment, GrowthItem

pytestmark = pytest.mark.django_db


def written(org, author, role, *, state=Assessment.State.DRAFT):
    """An assessment of the engineer against MD2, taken as far as `state`."""
    assessment = services.assessment_start(
        author=author, person=org.engineer, level=org.levels["MD2"], role=role
    )
    if state != Assessment.State.DRAFT:
        Assessment.objects.filter(pk=assessment.pk).update(
            state=Assessment.State.SUBMITTED, submitted_at=assessment.created_at
        )
        assessment.refresh_from_db()
    if state == Assessment.State.SHARED:
        assessment = services.assessment_share(author=author, assessment=assessment)
    return assessment


CAST = ["engineer", "peer", "manager", "skip", "other_manager", "admin"]

# (role, state) then who reads it, in CAST order.
WHO_READS = [
    ("self", "draft", [True, False, False, False, False, False]),
    ("self", "submitted", [True, False, False, False, False, True]),
    ("self", "shared", [True, False, True, True, False, True]),
    ("manager", "draft", [False, False, True, False, False, False]),
    ("manager", "submitted", [False, False, True, True, False, True]),
    ("manager", "shared", [True, False, True, True, False, True]),
]


@pytest.mark.parametrize("role, state, readers", WHO_READS)
def test_who_reads_an_assessment_follows_its_role_and_state(org, role, state, readers):
    author = org.engineer if role == Assessment.Role.SELF else org.manager
    assessment = written(org, author, role, state=state)

    for name, expected in zip(CAST, readers, strict=True):
        user = getattr(org, name).user
        assert permissions.may_view_assessment(user, assessment) is expected, name


def test_only_the_author_edits_a_draft_and_only_while_it_is_one(org):
    draft = written(org, org.manager, Assessment.Role.MANAGER)
    submitted = written(org, org.engineer, Assessment.Role.SELF, state=Assessment.State.SUBMITTED)

    assert permissions.may_edit_assessment(org.manager.user, draft)
    assert not permissions.may_edit_assessment(org.skip.user, draft)
    assert not permissions.may_edit_assessment(org.admin.user, draft)
    assert not permissions.may_edit_assessment(org.engineer.user, submitted)
    assert permissions.may_share_assessment(org.engineer.user, submitted)
    assert not permissions.may_share_assessment(org.manager.user, submitted)


def test_a_self_assessment_is_the_persons_and_a_manager_assessment_their_managers(org):
    self_role, manager_role = Assessment.Role.SELF, Assessment.Role.MANAGER

    assert permissions.may_assess(org.engineer.user, org.engineer, self_role)
    assert not permissions.may_assess(org.manager.user, org.engineer, self_role)
    assert permissions.may_assess(org.skip.user, org.engineer, manager_role)
    assert not permissions.may_assess(org.engineer.user, org.engineer, manager_role)
    assert not permissions.may_assess(org.peer.user, org.engineer, manager_role)
    assert not permissions.may_assess(org.admin.user, org.engineer, "peer")


def test_evidence_is_added_by_the_person_or_a_manager_and_plans_also_by_an_admin(org):
    assert permissions.may_add_evidence(org.engineer.user, org.engineer)
    assert permissions.may_add_evidence(org.skip.user, org.engineer)
    assert not permissions.may_add_evidence(org.peer.user, org.engineer)
    assert not permissions.may_add_evidence(org.admin.user, org.engineer)
    assert permissions.may_edit_plan(org.admin.user, org.engineer)
    assert not permissions.may_edit_plan(org.other_manager.user, org.engineer)


def test_a_draft_someone_else_wrote_is_not_found_as_if_it_did_not_exist(org):
    draft = written(org, org.manager, Assessment.Role.MANAGER)

    with pytest.raises(Http404):
        permissions.get_visible_assessment(org.skip.user, draft.pk)
    with pytest.raises(Http404):
        permissions.get_visible_assessment(org.skip.user, draft.pk + 1000)
    assert permissions.get_visible_assessment(org.manager.user, draft.pk) == draft


def test_a_shared_assessment_is_read_by_its_reader_but_saved_only_by_its_author(org):
    shared = written(org, org.engineer, Assessment.Role.SELF, state=Assessment.State.SHARED)

    assert permissions.get_visible_assessment(org.manager.user, shared.pk) == shared
    with pytest.raises(Http404):
        permissions.get_assessment_for_saving(org.manager.user, shared.pk)
    # Its author still reaches it, to be told it no longer changes.
    assert permissions.get_assessment_for_saving(org.engineer.user, shared.pk) == shared


def test_plan_getters_refuse_whoever_may_not_edit_the_plan(org):
    plan = services.growth_plan_generate(by=None, person=org.engineer)
    item = plan.items.first()

    assert permissions.get_growth_item_for_editing(org.engineer.user, org.engineer.pk, item.pk) == (
        org.engineer,
        item,
    )
    with pytest.raises(Http404):
        permissions.get_growth_item_for_editing(org.peer.user, org.engineer.pk, item.pk)
    with pytest.raises(Http404):
        permissions.get_growth_item_for_editing(org.manager.user, org.peer.pk, item.pk)
    with pytest.raises(Http404):
        permissions.get_person_for_adding_evidence(org.admin.user, org.engineer.pk)


def test_reports_are_found_only_for_someone_with_reports(org):
    assert permissions.get_manager(org.manager.user) == org.manager
    for who in (org.engineer, org.admin):
        with pytest.raises(Http404):
            permissions.get_manager(who.user)


def test_selectors_raise_the_models_does_not_exist_never_a_404(org):
    with pytest.raises(Assessment.DoesNotExist):
        selectors.get_assessment(123456)
    with pytest.raises(GrowthItem.DoesNotExist):
        selectors.growth_item_of(org.engineer, 123456)


# -- services work out what they need themselves -----------------------------------------------


def test_starting_an_assessment_works_out_which_levels_the_person_may_be_assessed_against(org):
    with pytest.raises(ValidationError, match="can be assessed against MD1, MD2, not PE1"):
        services.assessment_start(
            author=org.engineer, person=org.engineer, level=org.levels["PE1"], role="self"
        )
    with pytest.raises(ValidationError, match="Unknown role"):
        services.assessment_start(
            author=org.engineer, person=org.engineer, level=org.levels["MD2"], role="peer"
        )


def test_a_growth_plan_is_made_from_the_person_alone(org):
    written(org, org.manager, Assessment.Role.MANAGER, state=Assessment.State.SHARED)

    plan = services.growth_plan_generate(by=None, person=org.engineer)

    assert plan.target == org.levels["MD2"]
    kinds = set(plan.items.values_list("kind", flat=True))
    # An unanswered assessment leaves every dimension below what MD2 expects.
    assert {GrowthItem.Kind.DIMENSION, GrowthItem.Kind.NEXT_ACTION} <= kinds
    with pytest.raises(ValidationError, match="next levels are MD2, not PE1"):
        services.growth_plan_generate(by=None, person=org.engineer, target=org.levels["PE1"])


# -- the person page's panel -----------------------------------------------------------------


def test_the_readiness_panel_is_plain_data_for_the_asked_next_level(org):
    panel = selectors.readiness_panel(org.engineer, timezone.localdate())

    assert panel.target == org.levels["MD2"]
    assert panel.readiness.target_code == "MD2"
    assert panel.plan is None and panel.plan_items == []
    assert panel.target_expected == org.levels["MD2"].expected_ratings.by_dimension()
    top = selectors.readiness_panel(org.admin, timezone.localdate())
    assert top.target is None and top.readiness is None


def test_the_person_page_includes_the_panel_through_its_template_tag(client, org):
    client.force_login(org.engineer.user)

    html = client.get(f"/people/{org.engineer.pk}/").content.decode()

    assert "Readiness for <span" in html and "Not assessed against MD2 yet" in html
    assert "No growth plan yet." in html and "Edit the growth plan" in html


def test_people_code_no_longer_holds_the_assessment_rules():
    from ladder.people import permissions as person_rules

    for name in ("may_view_assessment", "get_visible_assessment", "may_edit_plan"):
        assert not hasattr(person_rules, name)
