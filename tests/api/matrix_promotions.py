"""Matrix rows for the promotions operations (see test_authorization.py for the shape).

Each row: method, URL template under /api/v1/ filled from the ids that `prepare` and the
calibration round give, a JSON body (or a function of org and ids returning one, or None), and
the outcome for each actor with a read-write token.
"""

ROWS: list = []


def prepare(org, ids: dict) -> None:
    """Adds to `ids` what this part's URLs name beyond the calibration round."""
