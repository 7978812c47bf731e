"""Schemathesis fuzzes every operation of the running API against the API's own schema.

It reads /api/v1/openapi.json from a real `ladder serve` over a seeded demo organisation
(tests/api/served.py) and sends each operation valid and invalid input, in its examples,
coverage, fuzzing and stateful phases: once as the demo's admin with every scope, once as its
manager with read and write, who meets the pages' permission rules. Every check schemathesis
has must pass: no 5xx; each answer's status, content type, headers and body as the schema
declares them; invalid input refused; valid input accepted; no token, no answer. The run is
bounded by a number of examples per operation and a fixed seed (tests/api/schemathesis.toml),
so it takes the same path every time and the whole module about three minutes on two cores.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

CONFIG = Path(__file__).with_name("schemathesis.toml")
# The admin reaches every operation and object, in every phase. The manager's run is about the
# paths the permission rules take for someone who is no admin: the coverage phase's boundary
# and invalid values are the admin run's already, so it fuzzes alone, with fewer examples.
CALLERS = {
    "admin": [],  # as tests/api/schemathesis.toml says
    "manager": ["--max-examples", "8", "--phases", "examples,fuzzing,stateful"],
}
METHODS = {"get", "put", "post", "patch", "delete"}


def operations(url: str) -> int:
    with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=30) as answer:
        schema = json.load(answer)
    return sum(method in METHODS for item in schema["paths"].values() for method in item)


def schemathesis(url: str, token: str, options: list[str], folder: Path):
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [str(st), "--config-file", str(CONFIG), "run", f"{url}/api/v1/openapi.json"]
        + ["--checks", "all", "--no-color", *options]
        + ["--header", f"Authorization: Bearer {token}"],
        # Anything schemathesis writes stays out of the clone.
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("caller", CALLERS)
def test_schemathesis_finds_nothing_wrong_with_any_operation(served_api, caller, tmp_path):
    token = served_api.tokens[caller]

    result = schemathesis(served_api.url, token, CALLERS[caller], tmp_path)

    report = result.stdout + result.stderr
    assert result.returncode == 0, f"schemathesis found problems as the {caller}:\n{report}"
    # Every operation the schema lists was run, not just loaded.
    tested = re.search(r"Tested: (\d+)", report)
    assert tested, report
    assert int(tested[1]) == operations(served_api.url) > 1, report
