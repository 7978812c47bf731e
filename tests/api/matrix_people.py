"""Matrix rows for the people operations (see test_authorization.py for the shape).

Each row: method, URL template under /api/v1/ filled from the ids that `prepare` and the
calibration round give, a JSON body (or a function of org and ids returning one, or None), and
the outcome for each actor with a read-write token.

Actors: anonymous, engineer, peer, manager, skip, other_manager, committee, admin. A person
sees themself and everyone below them; `under=` naming someone they may not see is a 422
naming the filter, the same whether that person exists or not.
"""

EVERYONE = [401, 200, 200, 200, 200, 200, 200, 200]
# The engineer: themself, their manager, their manager's manager and admins.
THE_ENGINEER = [401, 200, 404, 200, 200, 404, 404, 200]
UNDER_THE_ENGINEER = [401, 200, 422, 200, 200, 422, 422, 200]

ROWS = [
    ("get", "people/", None, EVERYONE),
    ("get", "people/?under={engineer}", None, UNDER_THE_ENGINEER),
    ("get", "people/{engineer}/", None, THE_ENGINEER),
    ("get", "people/{engineer}/levels/", None, THE_ENGINEER),
    ("get", "people/{engineer}/readiness/", None, THE_ENGINEER),
    ("get", "teams/", None, EVERYONE),
    # Core: the engineer, the peer and their manager are in it; the skip-level sees them all.
    ("get", "teams/{team}/", None, [401, 200, 200, 200, 200, 404, 404, 200]),
    ("get", "readiness/", None, EVERYONE),
    ("get", "readiness/?under={engineer}", None, UNDER_THE_ENGINEER),
]  # fmt: skip


def prepare(org, ids: dict) -> None:
    """The engineer's team, by slug."""
    ids["team"] = org.core.slug
