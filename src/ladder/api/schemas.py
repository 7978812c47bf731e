"""Shapes more than one part of the API answers with."""

from __future__ import annotations

from ninja import Schema


class LevelRef(Schema):
    ladder: str
    version: int
    code: str
    title: str
    number: int
    track: str


class TeamRef(Schema):
    slug: str
    name: str


class PersonRef(Schema):
    id: int
    name: str


def level_ref(level) -> dict | None:
    """A level, naming its ladder by slug; select_related("version__ladder") saves the query."""
    if level is None:
        return None
    return {
        "ladder": level.version.ladder.slug,
        "version": level.version.number,
        "code": level.code,
        "title": level.title,
        "number": level.number,
        "track": level.track,
    }
