"""docs/api_client.py, the example client the README points to, run for real against a live
server: it lists the readiness of everyone below the demo's manager, page after page."""

import json
import re
import subprocess
import sys

from tests.api.served import ladder
from tests.conftest import ROOT

CLIENT = ROOT / "docs" / "api_client.py"

# Everyone below the manager, by name as the API lists them, with their level now: read from
# the server's database, not through the API.
BELOW = """
import json
from ladder.people.models import LevelAssignment, Person

manager = Person.objects.get(pk={pk})
below = Person.objects.reports_of(manager).order_by("name", "id")
levels = dict(
    LevelAssignment.objects.filter(person__in=below, end__isnull=True)
    .values_list("person_id", "level__code")
)
print(json.dumps([[person.name, levels.get(person.pk, "-")] for person in below]))
"""
VERDICTS = r"(\w+ (ready|not yet|not assessed|eligible from \d{4}-\d\d-\d\d))"
LINE = re.compile(
    rf"(?P<name>[^\t]+)\t(?P<level>[^\t]+)\t({VERDICTS}(, {VERDICTS})*|no next level)"
)


def run_client(url: str, token: str, page_size: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CLIENT)],
        env={"LADDER_URL": url, "LADDER_TOKEN": token, "LADDER_PAGE_SIZE": page_size},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_client_lists_everyone_below_me_following_next_links(served_api):
    script = BELOW.format(pk=served_api.manager_person)
    below = json.loads(
        ladder("shell", "--no-imports", "-c", script, environment=served_api.environment)
        .strip()
        .splitlines()[-1]
    )
    assert len(below) > 2, "the demo's manager needs more reports than one page holds"

    result = run_client(served_api.url, served_api.tokens["manager_read"], page_size="2")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    assert [[found["name"], found["level"]] for found in parsed] == below


def test_the_client_says_why_the_api_refused_it(served_api):
    result = run_client(served_api.url, "ladder_pat_not-a-token", page_size="2")

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"401 from {served_api.url}/api/v1/me: Send a valid token" in result.stderr
