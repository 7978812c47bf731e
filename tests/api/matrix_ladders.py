"""Matrix rows for the ladders operations (see test_authorization.py for the shape).

Each row: method, URL template under /api/v1/ filled from the ids that `prepare` and the
calibration round give, a JSON body (or a function of org and ids returning one, or None), and
the outcome for each actor with a read-write token.

Actors: anonymous, engineer, peer, manager, skip, other_manager, committee, admin. Anyone may
read a ladder on the pages, so anyone with a token may read it here.
"""

EVERYONE = [401, 200, 200, 200, 200, 200, 200, 200]

ROWS = [
    ("get", "ladders/", None, EVERYONE),
    ("get", "ladders/{ladder}/", None, EVERYONE),
    ("get", "ladders/{ladder}/versions/", None, EVERYONE),
    ("get", "ladders/{ladder}/versions/{version}/", None, EVERYONE),
    ("get", "ladders/{ladder}/versions/{version}/levels/", None, EVERYONE),
    ("get", "ladders/{ladder}/versions/{version}/levels/{level}/", None, EVERYONE),
    ("get", "ladders/{ladder}/diff/?from={version}&to={version}", None, EVERYONE),
]  # fmt: skip


def prepare(org, ids: dict) -> None:
    """The bundled ladder by slug, its first version and the engineer's level."""
    ids["ladder"] = "dotnet"
    ids["version"] = org.levels["MD1"].version.number
    ids["level"] = org.levels["MD1"].code
