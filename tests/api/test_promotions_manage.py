"""Managing review cycles through the API: an admin, with a token of the `admin` scope, creates
a draft cycle and moves it on, through the services of the cycle pages."""

import pytest

from ladder.audit.models import AuditEvent
from ladder.people.tree import rebuild_paths
from ladder.promotions.models import ReviewCycle
from tests.conftest import make_person
from tests.promotions.test_cycles import dates

pytestmark = pytest.mark.django_db


def new_cycle(**changes) -> dict:
    body = {
        "name": "2027 H1",
        "ladder": "dotnet",
        "scope": "everyone",
        **{day: value.isoformat() for day, value in dates().items()},
        "committee": ["cora@example.com", "SAM@example.com"],
    }
    return {**body, **changes}


def fields(response) -> list[str]:
    named = [error["field"].split(".") for error in response.json().get("errors", [])]
    return sorted(f"{parts[0]}.{parts[-1]}" for parts in named)


@pytest.fixture
def cora(org):
    person = make_person("Cora Committee", "cora@example.com")
    rebuild_paths()
    return person


def test_an_admin_creates_a_draft_cycle_as_the_page_does(api, org, cora):
    response = api.as_(org.admin.user).post("cycles/", new_cycle())

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["stage"], body["people"]) == ("2027 H1", "draft", None)
    assert [m["email"] for m in body["committee"]] == ["cora@example.com", "sam@example.com"]
    cycle = ReviewCycle.objects.get(pk=body["id"])
    assert cycle.committee.count() == 2 and cycle.self_due.isoformat() == body["self_due"]
    event = AuditEvent.objects.get(action="cycle.created")
    assert event.actor == org.admin.user and event.after["name"] == "2027 H1"


def test_a_cycle_of_chosen_teams_or_a_managers_organisation_names_them(api, org, cora):
    admin = api.as_(org.admin.user)

    teams = admin.post("cycles/", new_cycle(name="Teams", scope="teams", teams=["core"])).json()
    subtree = admin.post(
        "cycles/", new_cycle(name="Below Mia", scope="subtree", subtree_of="mia@example.com")
    ).json()

    assert (teams["scope"], teams["teams"]) == ("teams", [{"slug": "core", "name": "Core"}])
    assert subtree["subtree_of"] == {"id": org.manager.pk, "name": "Mia Manager"}


@pytest.mark.parametrize(
    "changes, named",
    [
        ({"name": "  "}, ["body.name"]),
        ({"ladder": "nope"}, ["body.ladder"]),
        ({"scope": "teams"}, ["body.teams"]),
        ({"scope": "teams", "teams": ["Nowhere"]}, ["body.teams"]),
        ({"scope": "subtree", "subtree_of": "who@example.com"}, ["body.subtree_of"]),
        ({"committee": ["who@example.com"]}, ["body.committee"]),
        ({"self_due": "2100-01-01"}, ["body.manager_due"]),
        ({"scope": "nobody"}, ["body.scope"]),
        ({"effective_on": "9999-12-31"}, ["body.effective_on"]),
        ({"self_due": "1000-01-01"}, ["body.self_due"]),
        ({"name": "x" * 101}, ["body.name"]),
        ({"committee": ["a@example.com"] * 201}, ["body.committee"]),
    ],
)
def test_a_refused_cycle_names_each_field_and_nothing_is_made(api, org, cora, changes, named):
    response = api.as_(org.admin.user).post("cycles/", new_cycle(**changes))

    assert response.status_code == 422, response.content
    assert fields(response) == named
    assert not ReviewCycle.objects.exists()


def test_a_taken_name_is_refused(api, org, cora):
    admin = api.as_(org.admin.user)
    admin.post("cycles/", new_cycle())

    again = admin.post("cycles/", new_cycle(name="2027 h1"))

    assert again.status_code == 422 and fields(again) == ["body.name"]
    assert ReviewCycle.objects.count() == 1


@pytest.mark.parametrize("who", ["manager", "skip", "engineer"])
def test_only_an_admin_creates_a_cycle(api, org, cora, who):
    response = api.as_(getattr(org, who).user).post("cycles/", new_cycle())

    assert response.status_code == 404
    assert not ReviewCycle.objects.exists()


def test_an_admins_token_without_the_admin_scope_creates_nothing(api, org, cora):
    response = api.as_(org.admin.user, "read write").post("cycles/", new_cycle())

    assert response.status_code == 404
    assert not ReviewCycle.objects.exists()


def test_moving_a_cycle_on_opens_it_and_gives_everyone_a_task(api, org, cora):
    admin = api.as_(org.admin.user)
    pk = admin.post("cycles/", new_cycle()).json()["id"]

    opened = admin.post(f"cycles/{pk}/advance/", {"to": "open"})

    assert opened.status_code == 200, opened.content
    assert opened.json()["stage"] == "open" and opened.json()["opened_at"] is not None
    assert opened.json()["people"]["total"] == ReviewCycle.objects.get(pk=pk).members.count() > 0
    assert opened.json()["next_stage"] == "calibration"
    assert AuditEvent.objects.filter(action="cycle.opened", target_id=str(pk)).count() == 1


def test_asking_again_for_the_stage_a_cycle_is_in_is_a_409_that_moves_nothing(api, org, cora):
    admin = api.as_(org.admin.user)
    pk = admin.post("cycles/", new_cycle()).json()["id"]
    admin.post(f"cycles/{pk}/advance/", {"to": "open"})

    again = admin.post(f"cycles/{pk}/advance/", {"to": "open"})
    skipping = admin.post(f"cycles/{pk}/advance/", {"to": "closed"})

    assert again.status_code == 409 and again.json()["stage"] == "open"
    assert "open already: nothing changed" in again.json()["detail"]
    assert skipping.status_code == 409 and "one stage at a time" in skipping.json()["detail"]
    assert ReviewCycle.objects.get(pk=pk).stage == "open"


def test_a_closed_cycle_moves_no_further(api, org, cora):
    admin = api.as_(org.admin.user)
    pk = admin.post("cycles/", new_cycle()).json()["id"]
    for stage in ["open", "calibration", "closed"]:
        assert admin.post(f"cycles/{pk}/advance/", {"to": stage}).status_code == 200

    after = admin.post(f"cycles/{pk}/advance/", {"to": "closed"})

    assert after.status_code == 409 and after.json()["stage"] == "closed"


def test_a_stage_that_is_none_is_a_422_naming_it(api, org, cora):
    admin = api.as_(org.admin.user)
    pk = admin.post("cycles/", new_cycle()).json()["id"]

    response = admin.post(f"cycles/{pk}/advance/", {"to": "draft"})

    assert response.status_code == 422 and fields(response) == ["body.to"]


def test_no_one_but_an_admin_with_the_admin_scope_moves_a_cycle(api, org, cora):
    pk = api.as_(org.admin.user).post("cycles/", new_cycle()).json()["id"]

    narrowed = api.as_(org.admin.user, "read write").post(f"cycles/{pk}/advance/", {"to": "open"})
    manager = api.as_(org.manager.user).post(f"cycles/{pk}/advance/", {"to": "open"})

    assert (narrowed.status_code, manager.status_code) == (404, 404)
    assert ReviewCycle.objects.get(pk=pk).stage == "draft"
