"""A person's evidence through the API: listed newest first by cursor, added by the person or
a manager above them, and checked as the evidence page's form checks it."""

import base64
import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments import services
from ladder.assessments.models import Evidence

pytestmark = pytest.mark.django_db


def add(org, text: str, *, person=None, criteria=()):
    person = person or org.engineer
    return services.evidence_add(
        added_by=person,
        person=person,
        happened_on=datetime.date(2024, 5, 1),
        text=text,
        criteria=list(criteria),
    )


def criterion_of(org, code: str):
    return org.levels[code].criteria.order_by("position").first()


def valid(org, **changes) -> dict:
    return {
        "happened_on": timezone.localdate().isoformat(),
        "text": "Led the migration to .NET 8.",
        "link": "https://example.com/pull/42",
        "criteria": [criterion_of(org, "MD2").pk],
    } | changes


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def url(org, person=None) -> str:
    return f"people/{(person or org.engineer).pk}/evidence/"


# -- reading -------------------------------------------------------------------------------------


def test_evidence_is_listed_newest_first_with_its_criteria_and_who_added_it(api, org):
    criterion = criterion_of(org, "MD1")
    add(org, "Older.", criteria=[criterion])
    add(org, "Newer.")

    response = api.as_(org.manager.user, "read").get(url(org))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [entry["text"] for entry in results] == ["Newer.", "Older."]
    assert results[1]["criteria"] == [
        {"id": criterion.pk, "level": "MD1", "section": criterion.section, "text": criterion.text}
    ]
    assert results[1]["added_by"] == {"id": org.engineer.pk, "name": org.engineer.name}


def test_pages_of_evidence_follow_the_next_link_to_the_end(api, org):
    for n in range(5):
        add(org, f"Entry {n}.")
    engineer = api.as_(org.engineer.user, "read")

    seen, page = [], engineer.get(url(org), page_size=2).json()
    while True:
        seen += [entry["text"] for entry in page["results"]]
        if page["next"] is None:
            break
        next_url = urlsplit(page["next"])
        page = engineer.get(f"{next_url.path}?{next_url.query}").json()

    assert seen == [f"Entry {n}." for n in reversed(range(5))]


def test_the_list_runs_as_many_queries_for_twenty_entries_as_for_two(api, org):
    engineer = api.as_(org.engineer.user, "read")
    criteria = list(org.levels["MD2"].criteria.all()[:3])

    def queries_for(count: int) -> int:
        Evidence.objects.all().delete()
        for n in range(count):
            add(org, f"Entry {n}.", criteria=criteria)
        engineer.get(url(org))  # a token's first use also records when it was used
        with CaptureQueriesContext(connection) as queries:
            response = engineer.get(url(org))
        assert len(response.json()["results"]) == count
        return len(queries)

    assert queries_for(2) == queries_for(20)


def test_evidence_of_someone_one_may_not_see_is_a_404(api, org):
    add(org, "Private.")

    assert api.as_(org.peer.user).get(url(org)).status_code == 404
    assert api.as_(org.other_manager.user).get(url(org)).status_code == 404


def test_a_cursor_edited_by_hand_is_a_422_naming_it(api, org):
    edited = base64.b64encode(b"p=last Tuesday").decode()

    response = api.as_(org.engineer.user).get(url(org), cursor=edited)

    assert response.status_code == 422
    assert fields(response) == {"query.cursor"}


# -- adding ------------------------------------------------------------------------------------


def test_the_person_adds_evidence_and_it_is_answered_as_stored(api, org):
    response = api.as_(org.engineer.user).post(url(org), valid(org))

    assert response.status_code == 201, response.content
    stored = Evidence.objects.get()
    assert response.json()["id"] == stored.pk
    assert (stored.added_by, stored.person, stored.link) == (
        org.engineer,
        org.engineer,
        "https://example.com/pull/42",
    )
    assert [c.pk for c in stored.criteria.all()] == valid(org)["criteria"]


def test_a_manager_above_adds_evidence_and_is_named_as_adding_it(api, org):
    response = api.as_(org.skip.user).post(url(org), valid(org))

    assert response.status_code == 201
    assert response.json()["added_by"]["id"] == org.skip.pk


def test_a_link_without_a_scheme_is_taken_as_https_as_on_the_page(api, org):
    response = api.as_(org.engineer.user).post(url(org), valid(org, link="example.com/a"))

    assert response.status_code == 201
    assert response.json()["link"] == "https://example.com/a"


@pytest.mark.parametrize("who", ["peer", "other_manager", "admin", "outsider"])
def test_those_who_may_not_add_evidence_get_a_404(api, org, who):
    response = api.as_(getattr(org, who).user).post(url(org), valid(org))

    assert response.status_code == 404
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"link": "not a web address"}, "body.link"),
        ({"link": "https://example.com/" + "a" * 500}, "body.link"),
        ({"link": "javascript:alert(1)"}, "body.link"),
        ({"text": ""}, "body.text"),
        ({"text": "   "}, "body.text"),
        ({"criteria": []}, "body.criteria"),
        ({"criteria": ["PE1"]}, "body.criteria"),  # a level that is neither current nor next
        ({"criteria": [987654]}, "body.criteria"),
        ({"happened_on": "TOMORROW"}, "body.happened_on"),
    ],
)
def test_what_the_evidence_form_refuses_is_a_422_naming_the_field(api, org, changes, field):
    if changes.get("criteria") == ["PE1"]:
        changes["criteria"] = [criterion_of(org, "PE1").pk]
    if changes.get("happened_on") == "TOMORROW":
        changes["happened_on"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = api.as_(org.engineer.user).post(url(org), valid(org, **changes))

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert fields(response) == {field}
    assert not Evidence.objects.exists()


def test_a_refusal_says_which_field_in_the_words_of_the_page(api, org):
    response = api.as_(org.engineer.user).post(url(org), valid(org, text="", criteria=[]))

    assert response.json()["detail"] == (
        "What happened: This field is required. Criteria it supports: This field is required."
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"happened_on": "last Tuesday"},
        {"criteria": "12"},
        {"criteria": [2**63]},
        {"criteria": list(range(1, 1000))},
        {"text": None},
    ],
)
def test_input_off_the_schema_is_a_422_naming_the_field(api, org, changes):
    response = api.as_(org.engineer.user).post(url(org), valid(org, **changes))

    assert response.status_code == 422
    [name] = changes
    assert all(name in error["field"] for error in response.json()["errors"])


def test_a_nul_in_the_text_is_refused_and_nothing_is_stored(api, org):
    response = api.as_(org.engineer.user).post(url(org), valid(org, text="before\x00after"))

    assert response.status_code == 422
    assert fields(response) == {"body.text"}
    assert not Evidence.objects.exists()


def test_half_a_character_in_the_text_is_a_422_naming_it_never_a_500(api, org):
    response = api.as_(org.engineer.user).post(url(org), valid(org, text="before\ud800after"))

    assert response.status_code == 422
    assert [error["field"].rsplit(".", 1)[-1] for error in response.json()["errors"]] == ["text"]
    assert not Evidence.objects.exists()


def test_a_person_id_past_any_that_exists_is_a_404_or_a_422_never_a_500(api, org):
    engineer = api.as_(org.engineer.user)

    assert engineer.get(f"people/{2**63 - 1}/evidence/").status_code == 404
    assert engineer.get(f"people/{2**63}/evidence/").status_code == 422
    assert engineer.post(f"people/{2**63 - 1}/evidence/", valid(org)).status_code == 404
