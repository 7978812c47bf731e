"""The insights summaries in the API give the figures of the insights pages (levels, the
readiness funnel, promotions and cycle decisions) to the same people, with the same filters."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ladder.insights.readiness import STAGES
from ladder.people.models import LevelAssignment
from ladder.people.services import person_set_level
from ladder.promotions import cases
from tests.insights.builders import TODAY, grow

pytestmark = pytest.mark.django_db

STAGE_KEYS = [key for key, _, _ in STAGES]


@pytest.fixture
def grown(org):
    """Twelve more people below Mia and Oscar, some assessed; one promoted off-cycle."""
    grow(org, 12)
    case = cases.case_open(
        by=org.manager.user,
        person=org.engineer,
        to_level=org.levels["MD2"],
        recommendation="Ready.",
        justification="Promote anyway.",
        off_cycle=True,
    )
    cases.case_submit(by=org.manager.user, case=case)
    cases.case_decide(
        by=org.admin.user,
        case=case,
        outcome="approved",
        feedback="Well done.",
        effective_on=TODAY - datetime.timedelta(days=1),
    )
    return org


PAGES = {
    "levels": "/insights/",
    "readiness": "/insights/readiness/",
    "promotions": "/insights/promotions/",
}


def page_context(user, name: str, query: str = "") -> dict:
    page = Client()
    page.force_login(user)
    response = page.get(f"{PAGES[name]}{query}")
    assert response.status_code == 200
    return response.context


def read(api, user, name: str, scopes="read admin", **params) -> dict:
    response = api.as_(user, scopes).get(f"insights/{name}/", **params)
    assert response.status_code == 200, response.content
    return response.json()


def fields(response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


# -- levels ---------------------------------------------------------------------------------------


def levels_of_page(context) -> dict:
    counts, past = context["counts"], context["past"]
    return {
        "levels": [(row.number, row.codes, row.counts, row.total) for row in counts.rows],
        "total": counts.total,
        "without_level": counts.without_level,
        "history": [(row.day.isoformat(), row.counts, row.total, row.change) for row in past.rows],
    }


def levels_of_api(body) -> dict:
    tracks = body["tracks"]
    return {
        "levels": [
            (
                row["number"],
                ", ".join(f"{lv['code']} {lv['title']}" for lv in row["levels"]),
                tuple(row["people"][t] for t in tracks),
                row["total"],
            )
            for row in body["levels"]
        ],
        "total": body["total"],
        "without_level": body["without_level"],
        "history": [
            (
                row["day"],
                tuple(row["people"].get(t, 0) for t in sorted(row["people"])),
                row["total"],
                row["change"],
            )
            for row in body["history"]
        ],
    }


@pytest.mark.parametrize("who, query", [("admin", ""), ("manager", ""), ("admin", "?team=Core")])
def test_levels_are_the_figures_of_the_levels_page(api, grown, who, query):
    user = getattr(grown, who).user
    params = dict(part.split("=") for part in query.lstrip("?").split("&") if part)

    body = read(api, user, "levels", **params)

    assert levels_of_api(body) == levels_of_page(page_context(user, "levels", query))
    assert body["total"] > 0
    assert body["scope"]["whole"] is (who == "admin")


def test_a_manager_counts_only_the_people_below_them(api, grown):
    admin = read(api, grown.admin.user, "levels")
    manager = read(api, grown.manager.user, "levels")

    assert 0 < manager["total"] < admin["total"]
    assert manager["scope"]["label"] == "everyone below Mia Manager"


# -- readiness ------------------------------------------------------------------------------------


def funnel_of_page(funnel) -> list[tuple]:
    return [(row.label, row.counts, row.total) for row in funnel.rows]


def funnel_of_api(rows) -> list[tuple]:
    return [
        (row["label"], tuple(row["people"][key] for key in STAGE_KEYS), row["total"])
        for row in rows
    ]


@pytest.mark.parametrize("who, query", [("admin", ""), ("manager", ""), ("admin", "?level=MD1")])
def test_the_readiness_funnel_is_the_readiness_pages(api, grown, who, query):
    user = getattr(grown, who).user
    params = dict(part.split("=") for part in query.lstrip("?").split("&") if part)

    body = read(api, user, "readiness", **params)
    context = page_context(user, "readiness", query)

    assert funnel_of_api(body["by_level"]) == funnel_of_page(context["levels"])
    assert funnel_of_api(body["by_team"]) == funnel_of_page(context["teams"])
    assert tuple(body["people"][key] for key in STAGE_KEYS) == context["levels"].totals
    assert body["eligible"] == [
        {"month": row.month.strftime("%Y-%m"), "people": row.people} for row in context["eligible"]
    ]
    assert body["total"] == context["levels"].total > 0


# -- promotions -----------------------------------------------------------------------------------


def counts_of_page(rows) -> list[tuple]:
    return [(row.label, row.promotions, row.timed, row.median_months) for row in rows]


def counts_of_api(rows) -> list[tuple]:
    return [(row["label"], row["promotions"], row["timed"], row["median_months"]) for row in rows]


@pytest.mark.parametrize("who", ["admin", "manager", "other_manager"])
def test_promotions_are_the_promotions_pages(api, grown, who):
    user = getattr(grown, who).user

    body = read(api, user, "promotions")
    report = page_context(user, "promotions")["report"]

    assert counts_of_api(body["by_quarter"]) == counts_of_page(report.by_quarter)
    assert counts_of_api(body["by_level"]) == counts_of_page(report.by_level)
    assert counts_of_api(body["by_team"]) == counts_of_page(report.by_team)
    assert body["total"]["promotions"] == report.total.promotions
    assert [(c["cycle"], c["approved"], c["open"]) for c in body["cycles"]] == [
        (row.cycle_id, row.approved, row.open) for row in report.cycles
    ]


def test_the_approved_off_cycle_case_is_counted_for_its_manager(api, grown):
    body = read(api, grown.manager.user, "promotions")

    assert body["total"]["promotions"] == 1
    assert [(row["label"], row["promotions"]) for row in body["by_level"]] == [("MD2", 1)]
    (off_cycle,) = body["cycles"]
    assert (off_cycle["cycle"], off_cycle["approved"], off_cycle["approved_percent"]) == (
        None,
        1,
        100,
    )
    assert read(api, grown.other_manager.user, "promotions")["total"]["promotions"] == 0


# -- who, and bad filters -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["levels", "readiness", "promotions"])
def test_insights_are_for_admins_and_managers_only(api, org, name):
    assert api.as_(org.engineer.user, "read").get(f"insights/{name}/").status_code == 404
    # An admin's token without the admin scope acts as Ada, who manages no one.
    assert api.as_(org.admin.user, "read").get(f"insights/{name}/").status_code == 404
    assert api.as_(org.skip.user, "read").get(f"insights/{name}/").status_code == 200
    assert api.get(f"insights/{name}/").status_code == 401


@pytest.mark.parametrize(
    "params, field",
    [
        ({"team": "Nowhere"}, "query.team"),
        ({"track": "Dancer"}, "query.track"),
        ({"level": "XX9"}, "query.level"),
        ({"manager": "oscar@example.com"}, "query.manager"),
        ({"manager": "eve@example.com"}, "query.manager"),
        ({"team": "x" * 101}, "query.team"),
    ],
)
@pytest.mark.parametrize("name", ["levels", "readiness", "promotions"])
def test_a_filter_naming_nothing_in_view_is_a_422_naming_it(api, org, name, params, field):
    response = api.as_(org.manager.user, "read").get(f"insights/{name}/", **params)

    assert response.status_code == 422, response.content
    assert fields(response) == [field]


# -- queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["levels", "readiness", "promotions"])
def test_insights_cost_the_same_queries_for_a_small_or_a_larger_organisation(api, org, name):
    def queries(user, scopes) -> int:
        reader = api.as_(user, scopes)
        reader.get(f"insights/{name}/")  # the token's first use is recorded once
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(f"insights/{name}/").status_code == 200
        return len(captured)

    def promote_someone(offset: int) -> None:
        person = LevelAssignment.objects.filter(end__isnull=True).order_by("pk")[offset].person
        person_set_level(
            by=org.admin.user,
            person=person,
            level=org.levels["SR2"],
            since=TODAY - datetime.timedelta(days=offset + 1),
            reason="promotion",
        )

    grow(org, 2)
    promote_someone(0)
    few = [queries(org.admin.user, "read admin"), queries(org.manager.user, "read")]
    grow(org, 18, first=2)
    promote_someone(5)

    many = [queries(org.admin.user, "read admin"), queries(org.manager.user, "read")]

    assert many == few
