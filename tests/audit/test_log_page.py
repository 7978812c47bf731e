"""The audit log page walks the whole log a page at a time, newest first, by (time, key)."""

import datetime
import re

import pytest
from django.utils import timezone

from ladder.audit.models import AuditEvent
from ladder.audit.views import PER_PAGE, Cursor

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def record(count: int, *, at=None, action="person.updated", label="P") -> list[AuditEvent]:
    """`count` events, all at `at` when given (ties), else a second apart, oldest first."""
    events = [
        AuditEvent(
            at=at or NOW - datetime.timedelta(seconds=count - n),
            actor_label="Ada",
            action=action,
            target_type=action.split(".")[0],
            target_id=str(n),
            target_label=f"{label} {n}",
        )
        for n in range(count)
    ]
    return AuditEvent.objects.bulk_create(events)


def shown(html: str) -> list[str]:
    return re.findall(r"<td>[a-z_]+: ([^<]*)</td>", html)


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', html)
    return found and found.group(1).replace("&amp;", "&")


def walk(client, query: str, rel: str) -> list[list[str]]:
    """Every page from `query`, following the `rel` link until there is none."""
    pages = []
    while query is not None:
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        pages.append(shown(html))
        query = link(html, rel)
        assert len(pages) < 50, "the links go round in a loop"
    return pages


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin.user)
    return client


def everyone_newest_first():
    return list(AuditEvent.objects.order_by("-at", "-pk").values_list("target_label", flat=True))


def test_older_links_walk_the_whole_log_once_newest_first_through_shared_times(admin_client):
    record(70)
    record(2 * PER_PAGE + 7, at=NOW - datetime.timedelta(seconds=30), label="Tie")

    pages = walk(admin_client, "", "next")

    assert [event for page in pages for event in page] == everyone_newest_first()
    assert all(len(page) == PER_PAGE for page in pages[:-1])


def test_newer_links_walk_back_to_the_top_through_the_same_pages(admin_client):
    record(3 * PER_PAGE + 5, at=NOW, label="Tie")
    forward = walk(admin_client, "", "next")
    query = ""
    for _ in forward[1:]:
        query = link(admin_client.get(f"/audit/?{query}").content.decode(), "next")

    back = walk(admin_client, query, "prev")

    assert back == forward[::-1]
    assert [e for page in forward for e in page] == everyone_newest_first()


def test_the_links_keep_the_filters(admin_client):
    record(PER_PAGE + 3, action="level.assigned", label="Level")
    record(PER_PAGE, action="team.created", label="Team")

    pages = walk(admin_client, "action=level", "next")

    assert [len(page) for page in pages] == [PER_PAGE, 3]
    assert {e.split()[0] for page in pages for e in page} == {"Level"}


@pytest.mark.parametrize(
    "query, message",
    [
        ("before=yesterday", "This is not a place in the log"),
        ("after=12_x", "This is not a place in the log"),
        ("before=-5_3", "This is not a place in the log"),
        ("before=99999999999999999999999_1", "past any date"),
        ("before=1_1&after=1_1", "older than one, or newer than one, not both"),
    ],
)
def test_a_bad_place_in_the_log_is_a_400_that_says_so(admin_client, query, message):
    response = admin_client.get(f"/audit/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_cursor_reads_back_as_the_same_place():
    cursor = Cursor(datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC), 42)

    assert Cursor.parse(str(cursor)) == cursor


def test_the_page_neither_counts_nor_skips_over_the_whole_log(
    admin_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record(PER_PAGE + 1)
    older = link(admin_client.get("/audit/").content.decode(), "next")
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(f"/audit/?{older}")

    sql = " ".join(q["sql"].upper() for q in captured.captured_queries)
    assert "OFFSET" not in sql and "COUNT(" not in sql and "DISTINCT" not in sql


def test_filters_by_day_kind_and_who_still_filter(admin_client):
    record(3, action="team.created", label="Team")
    AuditEvent.objects.create(
        at=NOW - datetime.timedelta(days=3),
        actor_label="Bob",
        action="person.created",
        target_type="person",
        target_id="1",
        target_label="Old",
    )
    day = (timezone.localtime(NOW) - datetime.timedelta(days=3)).date()

    def labels(query):
        return shown(admin_client.get(f"/audit/?{query}").content.decode())

    assert labels(f"since={day}&until={day}") == ["Old"]
    assert labels("target_type=Team") == ["Team 2", "Team 1", "Team 0"]
    assert labels("actor=bob") == ["Old"]
    assert labels("action=team.created&q=team 1") == ["Team 1"]


@pytest.mark.parametrize("field", ["since", "until"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_either_end_of_the_calendar_is_refused_not_a_crash(admin_client, field, day):
    response = admin_client.get("/audit/", {field: day})

    assert response.status_code == 400
    assert "Give a day" in response.content.decode()
