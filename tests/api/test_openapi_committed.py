"""The API's schema is committed as docs/openapi.json, so that every change to the API shows in
review as a change to that file: this fails while the two disagree."""

import difflib

import pytest
from django.core.management import call_command

from tests.conftest import ROOT, run_ladder

COMMITTED = ROOT / "docs" / "openapi.json"
# What `make openapi` runs, with `--output docs/openapi.json`.
COMMAND = "export_openapi_schema --skip-checks --api ladder.api.main.api --sorted --indent 2"
REGENERATE = f"make openapi (that is: ladder {COMMAND} --output docs/openapi.json)"


def written_by_the_command(folder) -> str:
    """The schema exactly as `make openapi` writes it."""
    written = folder / "openapi.json"
    call_command(
        "export_openapi_schema",
        api="ladder.api.main.api",
        sort_keys=True,
        indent=2,
        output=str(written),
    )
    return written.read_text(encoding="utf-8")


def test_the_committed_schema_is_the_schema_the_code_serves(tmp_path):
    if not COMMITTED.exists():
        pytest.fail(f"{COMMITTED.relative_to(ROOT)} is missing: write it with {REGENERATE}")
    committed = COMMITTED.read_text(encoding="utf-8")

    current = written_by_the_command(tmp_path)

    if committed != current:
        diff = difflib.unified_diff(
            committed.splitlines(),
            current.splitlines(),
            "docs/openapi.json (committed)",
            "the API's schema now",
            lineterm="",
        )
        shown = "\n".join(list(diff)[:120])
        pytest.fail(
            f"docs/openapi.json differs from the API's schema. If the change to the API is "
            f"meant, regenerate the file with {REGENERATE}, and commit it.\n{shown}"
        )


def test_the_command_writes_the_same_schema_whatever_the_hash_seed(tmp_path):
    # Sets and dicts iterate in another order under another seed: nothing may show it.
    written = []
    for seed in ("1", "2"):
        output = tmp_path / f"openapi-{seed}.json"
        result = run_ladder(*COMMAND.split(), "--output", str(output), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        written.append(output.read_text(encoding="utf-8"))

    assert written[0] == written[1]
    assert written[0] == written_by_the_command(tmp_path)
