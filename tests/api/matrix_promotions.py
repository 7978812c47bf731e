"""Matrix rows for the promotions operations (see test_authorization.py for the shape).

Each row: method, URL template under /api/v1/ filled from the ids that `prepare` and the
calibration round give, a JSON body (or a function of org and ids returning one, or None), and
the outcome for each actor with a read-write token.

The cycle is in calibration with Cora on its committee; the engineer's case is submitted; the
peer's case (`draft_case`, opened by their manager) is a draft. The outsider reports to the
other manager, below the skip-level manager, and has no case.
"""

from ladder.promotions import cases

OPEN_FOR_OUTSIDER = {
    "to_level": "MD1",
    "recommendation": "Olga carries the support rota.",
    "justification": "She does MD1 work already.",
}
OPEN_FOR_PEER = {
    "to_level": "SR1",
    "recommendation": "A second case.",
    "justification": "Refused: the peer has a draft.",
}
NEW_CYCLE = {
    "name": "2027 H1",
    "ladder": "dotnet",
    "scope": "everyone",
    "self_due": "2027-01-15",
    "manager_due": "2027-02-01",
    "calibration_on": "2027-02-15",
    "effective_on": "2027-03-01",
    "committee": ["cora@example.com"],
}
DEFER = {"outcome": "deferred", "feedback": "Next round, with the migration shipped."}

# Insights count everyone below a manager, or everyone for an admin; Cora manages no one.
INSIGHTS = [401, 404, 404, 200, 200, 200, 404, 200]

ROWS = [
    ("get", "cycles/", None, [401, 404, 404, 200, 200, 200, 200, 200]),
    ("post", "cycles/", NEW_CYCLE, [401, 404, 404, 404, 404, 404, 404, 201]),
    ("post", "cycles/{cycle}/advance/", {"to": "closed"}, [401, 404, 404, 404, 404, 404, 404, 200]),
    ("get", "cycles/{cycle}/", None, [401, 404, 404, 200, 200, 200, 200, 200]),
    ("get", "cycles/{cycle}/progress/", None, [401, 404, 404, 200, 200, 200, 200, 200]),
    ("get", "cases/", None, [401, 200, 200, 200, 200, 200, 200, 200]),
    ("get", "cases/{case}/", None, [401, 200, 404, 200, 200, 404, 200, 200]),
    ("get", "cases/{draft_case}/", None, [401, 404, 200, 200, 200, 404, 200, 200]),
    ("post", "people/{outsider}/cases/", OPEN_FOR_OUTSIDER, [401, 404, 404, 404, 201, 201, 404, 201]),
    ("post", "people/{peer}/cases/", OPEN_FOR_PEER, [401, 404, 404, 422, 422, 404, 404, 422]),
    ("post", "cases/{draft_case}/submit/", None, [401, 404, 404, 200, 200, 404, 404, 200]),
    ("post", "cases/{case}/submit/", None, [401, 404, 404, 409, 409, 404, 404, 409]),
    ("post", "cases/{case}/decision/", DEFER, [401, 404, 404, 404, 404, 404, 200, 200]),
    ("post", "cases/{draft_case}/decision/", DEFER, [401, 404, 404, 404, 404, 404, 409, 409]),
    ("get", "insights/levels/", None, INSIGHTS),
    ("get", "insights/readiness/", None, INSIGHTS),
    ("get", "insights/promotions/", None, INSIGHTS),
]  # fmt: skip


def prepare(org, ids: dict) -> None:
    """The peer's draft case, and the outsider's id."""
    draft = cases.case_open(
        by=org.manager.user,
        person=org.peer,
        to_level=org.levels["SR1"],
        recommendation="Pat runs the platform guild.",
        justification="The guild is senior work already.",
    )
    ids["draft_case"] = draft.pk
    ids["outsider"] = org.outsider.pk
