"""The audit log through the API: admins only, newest first by cursor, with the audit page's
filters and each event's values before and after."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def record(*actions: str, at=None, actor="ada@example.com", label="Eve Engineer", **values):
    """One event per action, a second apart and oldest first, or all at `at` when given."""
    events = [
        AuditEvent(
            at=at or NOW - datetime.timedelta(seconds=len(actions) - n),
            actor_label=actor,
            action=action,
            target_type=action.split(".")[0],
            target_id=str(n),
            target_label=label,
            **values,
        )
        for n, action in enumerate(actions)
    ]
    return AuditEvent.objects.bulk_create(events)


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk(admin, **params) -> list[list[dict]]:
    """Every page of the log from the first, following `next`."""
    pages, response = [], admin.get("audit/", **params)
    while True:
        assert response.status_code == 200, response.content
        pages.append(response.json()["results"])
        if response.json()["next"] is None:
            return pages
        assert len(pages) < 50, "the next links go round in a loop"
        response = admin.get(local(response.json()["next"]))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


@pytest.fixture
def admin(api, org):
    """An admin's token with the admin scope; making it is itself an event of the log."""
    return api.as_(org.admin.user, "read admin")


# -- who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["engineer", "manager", "skip"])
def test_the_log_is_a_404_to_anyone_but_an_admin(api, org, who):
    record("person.updated")

    response = api.as_(getattr(org, who).user).get("audit/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_an_admins_token_without_the_admin_scope_gets_a_404(api, org):
    assert api.as_(org.admin.user, "read write").get("audit/").status_code == 404


# -- what it answers --------------------------------------------------------------------------


def test_each_event_says_who_did_what_when_with_the_values_before_and_after(admin):
    [event] = record(
        "level.assigned", before={"level": "MD1"}, after={"level": "MD2", "reason": "promotion"}
    )

    response = admin.get("audit/", action="level.assigned")

    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {
            "id": event.pk,
            "at": response.json()["results"][0]["at"],
            "actor": "ada@example.com",
            "action": "level.assigned",
            "target_type": "level",
            "target_id": "0",
            "target_label": "Eve Engineer",
            "before": {"level": "MD1"},
            "after": {"level": "MD2", "reason": "promotion"},
        }
    ]
    at = datetime.datetime.fromisoformat(response.json()["results"][0]["at"])
    assert at == event.at


def test_a_creation_has_no_before_and_a_removal_no_after(admin):
    record("team.created", after={"name": "Core"})
    record("team.deleted", before={"name": "Core"})

    events = admin.get("audit/", target_type="team").json()["results"]

    assert [(e["action"], e["before"], e["after"]) for e in events] == [
        ("team.deleted", {"name": "Core"}, None),
        ("team.created", None, {"name": "Core"}),
    ]


def test_the_log_is_newest_first_with_ties_in_time_newest_key_first(admin):
    record("person.updated", "person.updated", "person.updated")
    record("team.updated", "team.updated", at=NOW - datetime.timedelta(seconds=2))

    listed = ids(admin.get("audit/"))

    assert listed == list(AuditEvent.objects.order_by("-at", "-id").values_list("id", flat=True))
    assert len(listed) == len(set(listed)) == AuditEvent.objects.count()


def test_the_log_pages_by_cursor_following_next_to_the_oldest(admin):
    record(*["person.updated"] * 7)
    record(*["team.updated"] * 4, at=NOW - datetime.timedelta(seconds=3))

    pages = walk(admin, page_size=3)

    walked = [event["id"] for page in pages for event in page]
    assert walked == list(AuditEvent.objects.order_by("-at", "-id").values_list("id", flat=True))
    assert all(len(page) == 3 for page in pages[:-1])


def test_a_filtered_log_keeps_its_filter_on_every_page(admin):
    record(*["person.updated", "team.updated"] * 5)

    pages = walk(admin, page_size=2, target_type="person")

    assert [len(page) for page in pages] == [2, 2, 1]
    assert {event["action"] for page in pages for event in page} == {"person.updated"}


# -- filters, as on the audit page ------------------------------------------------------------


def test_an_action_filter_takes_the_action_or_its_first_part(admin):
    assigned, ended, levelled, other = record(
        "level.assigned", "level.ended", "levelling.done", "person.updated"
    )

    assert ids(admin.get("audit/", action="level")) == [ended.pk, assigned.pk]
    assert ids(admin.get("audit/", action="Level.")) == [ended.pk, assigned.pk]
    assert ids(admin.get("audit/", action="level.ended")) == [ended.pk]


def test_the_kind_filter_is_the_target_type(admin):
    person, team = record("person.updated", "team.updated")

    assert ids(admin.get("audit/", target_type="team")) == [team.pk]
    assert ids(admin.get("audit/", target_type="person")) == [person.pk]


def test_the_actor_and_name_filters_take_any_part_in_any_case(admin):
    [by_ada] = record("person.updated", actor="ada@example.com", label="Eve Engineer")
    [by_sam] = record("person.updated", actor="sam@example.com", label="Pat Peer")

    assert ids(admin.get("audit/", actor="SAM@")) == [by_sam.pk]
    assert ids(admin.get("audit/", q="eve eng")) == [by_ada.pk]


def test_a_day_range_holds_whole_days_in_the_sites_time_zone(admin):
    day = timezone.localdate() - datetime.timedelta(days=10)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    [before] = record("person.updated", at=start - datetime.timedelta(microseconds=1))
    [first] = record("person.updated", at=start)
    [last] = record("person.updated", at=start + datetime.timedelta(days=1, microseconds=-1))
    [after] = record("person.updated", at=start + datetime.timedelta(days=1))

    assert ids(admin.get("audit/", since=day, until=day)) == [last.pk, first.pk]
    assert before.pk not in ids(admin.get("audit/", since=day))
    assert after.pk not in ids(admin.get("audit/", until=day))


def test_filters_that_match_nothing_answer_an_empty_page(admin):
    record("person.updated")

    response = admin.get("audit/", action="nothing.like.this")

    assert response.json() == {"next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"since": "yesterday"}, "query.since"),
        ({"until": "2026-02-30"}, "query.until"),
        ({"until": "9999-12-31"}, "query.until"),
        ({"since": "0001-01-01"}, "query.since"),
        ({"action": "x" * 51}, "query.action"),
        ({"target_type": "x" * 51}, "query.target_type"),
        ({"actor": "x" * 255}, "query.actor"),
        ({"q": "x" * 201}, "query.q"),
        ({"page_size": "many"}, "query.page_size"),
        ({"cursor": "not a cursor"}, "query.cursor"),
    ],
)
def test_a_bad_filter_is_a_422_problem_naming_it(admin, params, field):
    response = admin.get("audit/", **params)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_cursor_edited_to_a_place_that_is_no_time_is_a_422(admin):
    import base64

    edited = base64.b64encode(b"p=the+day+after").decode()

    response = admin.get("audit/", cursor=edited)

    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == ["query.cursor"]


# -- cost -------------------------------------------------------------------------------------


def count_queries(admin, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = admin.get("audit/", **params)
    assert response.status_code == 200, response.content
    return len(queries)


def test_a_page_costs_the_same_queries_for_2_and_20_events(admin):
    record("person.updated", "person.updated")
    admin.get("audit/")
    two = count_queries(admin, target_type="person")
    record(*["person.updated"] * 18)

    assert count_queries(admin, target_type="person") == two
    assert len(admin.get("audit/", target_type="person").json()["results"]) == 20
