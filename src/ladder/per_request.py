"""What one request works out once and several parts of its page read.

A page is built by its view and by template tags of other apps, each asking for the same rows
(the person page: level history, standing, the ladder). Kept on the request, they are read once
per request and gone with it: nothing outlives the request, so nothing can go stale.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


def memoised(request, key: Hashable, build: Callable[[], T]) -> T:
    """What `build()` returns, built on the first call for `key` in this request only."""
    kept = request.__dict__.setdefault("_ladder_per_request", {})
    if key not in kept:
        kept[key] = build()
    return kept[key]
