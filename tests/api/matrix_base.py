"""Matrix rows for the API's own operations (see test_authorization.py for the shape)."""

ROWS = [
    ("get", "me", None, [401, 200, 200, 200, 200, 200, 200, 200]),
]  # fmt: skip


def prepare(org, ids: dict) -> None:
    """Nothing beyond the calibration round."""
