"""Growth plans through the API: read, generated from the gaps and Next Actions, and their
items changed, by whoever may edit the plan on its page."""

import datetime

import pytest

from ladder.assessments import services
from ladder.assessments.models import GrowthItem, GrowthPlan

pytestmark = pytest.mark.django_db


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.fixture
def plan(org):
    return services.growth_plan_generate(by=org.engineer.user, person=org.engineer)


@pytest.fixture
def item(plan):
    return plan.items.order_by("position").first()


def item_url(org, item) -> str:
    return f"people/{org.engineer.pk}/plan/items/{item.pk}/"


def test_a_person_with_no_plan_has_an_empty_one(api, org):
    response = api.as_(org.engineer.user, "read").get(f"people/{org.engineer.pk}/plan/")

    assert response.status_code == 200
    assert response.json() == {
        "person": {"id": org.engineer.pk, "name": org.engineer.name},
        "target": None,
        "generated_at": None,
        "done": 0,
        "total": 0,
        "items": [],
    }


def test_a_plan_is_read_with_its_target_and_items_in_order(api, org, plan):
    response = api.as_(org.manager.user, "read").get(f"people/{org.engineer.pk}/plan/")

    body = response.json()
    assert body["target"]["code"] == "MD2"
    assert [i["id"] for i in body["items"]] == [i.pk for i in plan.items.order_by("position")]
    assert body["total"] == len(body["items"]) > 0
    assert body["items"][0]["owner"] == {"id": org.engineer.pk, "name": org.engineer.name}


def test_generating_makes_the_plan_the_page_makes(api, org):
    response = api.as_(org.manager.user).post(f"people/{org.engineer.pk}/plan/generate/", {})

    assert response.status_code == 200, response.content
    made = GrowthPlan.objects.get(person=org.engineer)
    assert [i["title"] for i in response.json()["items"]] == [
        i.title for i in made.items.order_by("position")
    ]
    assert response.json()["target"]["code"] == made.target.code == "MD2"


def test_generating_towards_a_level_that_is_no_next_level_is_a_422(api, org):
    response = api.as_(org.engineer.user).post(
        f"people/{org.engineer.pk}/plan/generate/", {"target": "PE1"}
    )

    assert response.status_code == 422
    assert fields(response) == {"body.target"}
    assert not GrowthPlan.objects.exists()


def test_generating_needs_no_body(api, org):
    engineer = api.as_(org.engineer.user)

    response = engineer.client.generic(
        "POST",
        f"/api/v1/people/{org.engineer.pk}/plan/generate/",
        HTTP_AUTHORIZATION=f"Bearer {engineer.token}",
    )

    assert response.status_code == 200


def test_an_item_is_changed_and_kept_when_the_plan_is_made_again(api, org, item):
    due = datetime.date(2031, 1, 31)
    response = api.as_(org.engineer.user).patch(
        item_url(org, item),
        {"state": "in_progress", "owner": org.manager.pk, "due": due.isoformat()},
    )

    assert response.status_code == 200, response.content
    assert response.json()["owner"]["id"] == org.manager.pk and response.json()["edited"] is True
    services.growth_plan_generate(by=org.engineer.user, person=org.engineer)
    kept = GrowthItem.objects.get(pk=item.pk)
    assert (kept.state, kept.owner, kept.due) == ("in_progress", org.manager, due)


def test_what_an_item_patch_leaves_out_stays_as_it_is(api, org, item):
    api.as_(org.engineer.user).patch(item_url(org, item), {"due": "2031-01-31"})

    response = api.as_(org.engineer.user).patch(item_url(org, item), {"state": "done"})

    assert response.json()["due"] == "2031-01-31" and response.json()["state"] == "done"
    assert response.json()["owner"]["id"] == org.engineer.pk


def test_an_item_owner_may_be_cleared(api, org, item):
    response = api.as_(org.engineer.user).patch(item_url(org, item), {"owner": None})

    assert response.status_code == 200
    assert response.json()["owner"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"owner": "PEER"}, "body.owner"),  # neither the person nor a manager above them
        ({"state": "abandoned"}, "state"),
        ({"due": "soon"}, "due"),
        ({"owner": 2**63}, "owner"),
    ],
)
def test_what_the_item_form_refuses_is_a_422_naming_the_field(api, org, item, body, field):
    if body.get("owner") == "PEER":
        body["owner"] = org.peer.pk

    response = api.as_(org.engineer.user).patch(item_url(org, item), body)

    assert response.status_code == 422
    assert all(error["field"].endswith(field) for error in response.json()["errors"])
    assert GrowthItem.objects.get(pk=item.pk).edited is False


@pytest.mark.parametrize("who", ["peer", "other_manager", "outsider"])
def test_those_who_may_not_edit_the_plan_get_a_404(api, org, item, who):
    user = getattr(org, who).user

    assert api.as_(user).patch(item_url(org, item), {"state": "done"}).status_code == 404
    assert api.as_(user).post(f"people/{org.engineer.pk}/plan/generate/").status_code == 404
    assert GrowthItem.objects.get(pk=item.pk).state == "open"


def test_an_item_of_another_persons_plan_is_a_404(api, org, item):
    response = api.as_(org.peer.user).patch(
        f"people/{org.peer.pk}/plan/items/{item.pk}/", {"state": "done"}
    )

    assert response.status_code == 404


def test_an_admin_edits_any_plan(api, org, item):
    response = api.as_(org.admin.user).patch(item_url(org, item), {"state": "done"})

    assert response.status_code == 200
