"""What is made from one ladder version, made once and kept in Django's cache.

A version never changes once imported, so everything derived from it (the ladder as plain data,
the parts of its pages that show no one in particular, its charts and downloads) is kept under a
key that names the version. An import makes a new version and so new keys: every process, on
every machine sharing the cache, reads the new version at its next request, with no message to
send and nothing to clear. Which version is current is never kept here: the pages ask the
database, in one query (current_version).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import TypeVar

from django.core.cache import cache

from .ladder_data import Ladder as LadderData
from .models import LadderVersion
from .selectors import get_current_version_row, version_ladder

# Raise this when what is kept changes shape or a page's markup changes, so that a process
# running new code never reads what older code kept. A release changes the key as well.
FORMAT = 1
try:
    RELEASE = package_version("ladder")
except PackageNotFoundError:  # run from a folder that is not installed
    RELEASE = "0"
# Kept a month, not forever: a shared cache then drops the entries of versions no one reads.
TIMEOUT = 30 * 24 * 3600

Made = TypeVar("Made")


def version_stamp(version: LadderVersion) -> str:
    return _stamp(version.pk, version.number, version.content_hash, version.ladder.slug)


def _stamp(pk: int, number: int, content_hash: str, slug: str) -> str:
    """What names a version in the cache: its primary key, and what the pages show of it.

    The key alone could name two versions: a database restored or rebuilt behind the same
    shared cache numbers its rows again. Its number, content and ladder tell those apart.
    """
    return f"{pk}-{number}-{content_hash[:16]}-{slug}"


def current_version(slug: str, *ahead: tuple[str, ...]) -> LadderVersion:
    """The latest version of a ladder on the pages, with its ladder: one bare query to the
    database for which version that is, and the version itself from the cache.

    `ahead` names what the page reads from the version's cache next (as `read` takes it), read
    in the same round trip: a shared cache is a network away.
    """
    pk, *shown = get_current_version_row(slug)
    stamp = _stamp(pk, *shown)
    keys = [_key(stamp, "version"), *(_key(stamp, *parts) for parts in ahead)]
    found = cache.get_many(keys)
    version = found.pop(keys[0], None)
    if version is None:
        version = LadderVersion.objects.select_related("ladder").defer("source").get(pk=pk)
        cache.set(keys[0], version, TIMEOUT)
    version.read_ahead = found
    return version


def version_key(version: LadderVersion, *parts: str) -> str:
    """The cache key of something made from the version; `parts` name what (and for which
    levels)."""
    return _key(version_stamp(version), *parts)


def _key(stamp: str, *parts: str) -> str:
    # Parts are hashed, so that a level code of any characters makes a valid key.
    named = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"frameworks:{FORMAT}:{RELEASE}:{stamp}:{named}"


def from_version(version: LadderVersion, *parts: str, make: Callable[[], Made]) -> Made:
    """What `make` makes from the version, made by the first request that asks for it."""
    found = read(version, *parts)
    if found is None:
        found = make()
        keep(version, found, *parts)
    return found


def read(version: LadderVersion, *parts: str):
    """What was kept from the version under `parts`; None when nothing was (or is no more)."""
    key = version_key(version, *parts)
    ahead = getattr(version, "read_ahead", {})
    return ahead[key] if key in ahead else cache.get(key)


def keep(version: LadderVersion, value, *parts: str) -> None:
    cache.set(version_key(version, *parts), value, TIMEOUT)


def version_data(version: LadderVersion) -> LadderData:
    """The version as the pure model (selectors.version_ladder), read from its rows once."""
    return from_version(version, "data", make=lambda: version_ladder(version))
