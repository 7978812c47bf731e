"""The site's settings plus one page that fails, for tests that run a production server."""

from ladder.settings import *  # noqa: F403

ROOT_URLCONF = "tests.prod_urls"
