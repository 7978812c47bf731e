"""API: promotions."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["promotions"])
