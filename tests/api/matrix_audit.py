"""Matrix rows for the audit operations (see test_authorization.py for the shape).

Each row: method, URL template under /api/v1/ filled from the ids that `prepare` and the
calibration round give, a JSON body (or a function of org and ids returning one, or None), and
the outcome for each actor with a read-write token.

Actors: anonymous, engineer, peer, manager, skip, other_manager, committee, admin. The audit
log is for admins only, as its page is; to anyone else it is not there.
"""

ROWS = [
    ("get", "audit/", None, [401, 404, 404, 404, 404, 404, 404, 200]),
    ("get", "audit/?action=level&since=2020-01-01", None, [401, 404, 404, 404, 404, 404, 404, 200]),
]  # fmt: skip


def prepare(org, ids: dict) -> None:
    """Nothing beyond the calibration round."""
