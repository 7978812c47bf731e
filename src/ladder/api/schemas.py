"""Shapes more than one part of the API answers with."""

from __future__ import annotations

import datetime
import re
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value):
    """A day as YYYY-MM-DD only: pydantic alone would also read 0 or "0" as 1970-01-01."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return value
    raise ValueError("Give a day as YYYY-MM-DD.")


def _not_true_or_false(value):
    """A number, never JSON's true or false, which pydantic alone would read as 1 or 0."""
    if isinstance(value, bool):
        raise ValueError("Give a whole number, not true or false.")
    return value


# What every input day and whole number of the API is: strict where JSON and query strings
# could spell them loosely, and still `format: date` and `integer` in the schema.
Day = Annotated[datetime.date, BeforeValidator(_iso_day)]
Whole = Annotated[int, BeforeValidator(_not_true_or_false)]


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
