import re

import pytest
from django.core.cache import cache

from tests.smtp import smtp_server as smtp_server_fixture

smtp_server = smtp_server_fixture  # a real SMTP server, for the tests of this folder


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The reset throttle counts in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


LINK = re.compile(r"https?://\S+")


def link_in(message) -> str:
    """The one link of a received mail, as its reader would click it."""
    [link] = [found for found in LINK.findall(message.get_content()) if "/accounts/" in found]
    return link


def path_of(link: str, site_url: str) -> str:
    assert link.startswith(site_url), link
    return link[len(site_url) :]
