"""With a shared cache (Redis), the entries of a version read most are kept in the process too:
a page read again costs no round trip to Redis, and a new version is still served at once."""

import pytest
from django.core.cache import caches

from ladder.frameworks import version_cache
from tests.frameworks.test_version_cache import changed_ladder, import_changed

pytestmark = pytest.mark.django_db

# A Redis database of its own, emptied before and after: CI always has Redis on this port.
REDIS = "redis://127.0.0.1:6379/8"
LEVEL = "/ladders/dotnet/levels/TL2/"


@pytest.fixture
def redis_cache(settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": "ladder-test",
        }
    }
    monkeypatch.setattr(version_cache, "_near", version_cache._Near())
    shared = caches["default"]
    shared.clear()
    asked = []
    real = shared.get_many
    monkeypatch.setattr(shared, "get_many", lambda keys, **kw: asked.append(keys) or real(keys))
    yield asked
    shared.clear()


def test_a_page_read_again_asks_nothing_of_the_shared_cache(client, dotnet_version, redis_cache):
    first = client.get(LEVEL)
    assert first.status_code == 200 and redis_cache, "the first request reads the shared cache"
    redis_cache.clear()

    again = client.get(LEVEL)

    assert again.status_code == 200
    assert again.content == first.content
    assert redis_cache == []


def test_another_process_finds_what_one_made_in_the_shared_cache(
    client, dotnet_version, redis_cache
):
    made = client.get(LEVEL).content
    # A process that has read nothing yet: its own copies are empty, the shared cache is not.
    version_cache._near.entries.clear()
    redis_cache.clear()

    assert client.get(LEVEL).content == made
    assert redis_cache, "the shared cache was asked"


def test_a_new_version_is_served_at_once_whatever_this_process_kept(
    client, dotnet_version, redis_cache
):
    assert "Leading multiple teams or sub-teams." in client.get(LEVEL).content.decode()

    version = import_changed()
    page = client.get(LEVEL).content.decode()

    assert "Leading several teams at once." in page
    assert f"version {version.number}" in page
    assert "Leading several teams at once." in changed_ladder()


def test_at_most_so_many_entries_are_kept_in_the_process(monkeypatch):
    near = version_cache._Near()
    monkeypatch.setattr(near, "SIZE", 3)
    for n in range(5):
        near.put(f"k{n}", n)
    near.get_many(["k2"])
    near.put("k5", 5)

    assert list(near.entries) == ["k4", "k2", "k5"]
