"""Cursors: a hand-made one is a 422 naming it, and many rows sharing a position still page."""

import base64

import pytest

from ladder.audit.models import AuditEvent
from ladder.audit.services import audit_event, audit_record_many

pytestmark = pytest.mark.django_db


def encoded(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        encoded("o=-1"),
        encoded("o=99999999999"),
        encoded("r=maybe"),
        encoded("p=not-a-time"),
        encoded("p=2026-01-01T00:00:00%00"),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_no_list_gave_is_a_422_naming_it(api, org, cursor):
    response = api.as_(org.admin.user).get("audit/", cursor=cursor)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "query.cursor"


def test_more_rows_of_one_instant_than_a_page_still_page_through(api, org):
    events = [
        audit_event(by=None, action="test.tied", target=org.engineer, before=None, after=None)
        for _ in range(250)
    ]
    instant = events[0].at
    for event in events:
        event.at = instant
    audit_record_many(events)
    caller = api.as_(org.admin.user)

    seen, response = [], caller.get("audit/", page_size=100)
    while True:
        assert response.status_code == 200, response.content
        seen += [event["id"] for event in response.json()["results"]]
        if not response.json()["next"]:
            break
        response = caller.call("get", response.json()["next"].split("testserver", 1)[1])

    assert len(seen) == len(set(seen))
    assert set(seen) == set(AuditEvent.objects.values_list("pk", flat=True))
