"""What is made from one ladder version, made once and kept in Django's cache.

A version never changes once imported, so everything derived from it (the ladder as plain data,
the parts of its pages that show no one in particular, its charts and downloads) is kept under a
key that names the version. An import makes a new version and so new keys: every process, on
every machine sharing the cache, reads the new version at its next request, with no message to
send and nothing to clear. Which version is current is never kept here: the pages ask the
database, in one query (current_version).
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

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


class _Near:
    """The entries read most, kept in this process in front of a shared cache (Redis).

    An entry's key names the version it was made from, and a version never changes, so a copy
    kept here can never be out of date: it only saves the network round trip to the shared
    cache. Which version is current is still asked of the database on every request, so an
    import elsewhere is seen at once. Bounded, least recently used first out. With the default
    cache, which is this process's memory already, nothing is kept twice.
    """

    SIZE = 256

    def __init__(self):
        self.entries: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict[str, object]:
        with self.lock:
            found = {key: self.entries[key] for key in keys if key in self.entries}
            for key in found:
                self.entries.move_to_end(key)
        return found

    def put(self, key: str, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.SIZE:
                self.entries.popitem(last=False)


_near = _Near()


def _get_many(keys: list[str]) -> dict[str, object]:
    """The entries under `keys` that are kept: from this process when it has them, else from
    the cache (and then kept here too)."""
    if _local_cache():
        return cache.get_many(keys)
    found = _near.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        fetched = cache.get_many(missing)
        for key, value in fetched.items():
            _near.put(key, value)
        found.update(fetched)
    return found


def _set(key: str, value) -> None:
    cache.set(key, value, TIMEOUT)
    if not _local_cache():
        _near.put(key, value)


def _local_cache() -> bool:
    """Whether Django's cache is this process's own memory (the default)."""
    return isinstance(caches["default"], LocMemCache)


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
    found = _get_many(keys)
    version = found.pop(keys[0], None)
    if version is None:
        version = LadderVersion.objects.select_related("ladder").defer("source").get(pk=pk)
        _set(keys[0], version)
    else:
        # A copy: the one kept may be this process's, and the page marks what it read ahead.
        version = copy.copy(version)
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
    return ahead[key] if key in ahead else _get_many([key]).get(key)


def keep(version: LadderVersion, value, *parts: str) -> None:
    _set(version_key(version, *parts), value)


def version_data(version: LadderVersion) -> LadderData:
    """The version as the pure model (selectors.version_ladder), read from its rows once."""
    return from_version(version, "data", make=lambda: version_ladder(version))
