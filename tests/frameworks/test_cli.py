"""The `ladder` file commands, run as a person runs them: the real console script."""

import json
import shutil

import django
import jsonschema
import pytest

from ladder.frameworks.parse import parse_file
from ladder.frameworks.services import slug_from
from tests.conftest import DOTNET, SEED, run_ladder


def test_check_accepts_the_bundled_ladder_and_the_seed():
    result = run_ladder("check", str(DOTNET), str(SEED))

    assert result.returncode == 0, result.stderr
    assert f"{DOTNET}: ok (10 levels, 2 tracks," in result.stdout
    assert f"{SEED}: ok (1 level, 1 track, 18 criteria)" in result.stdout


def test_check_reports_every_error_with_file_and_line(tmp_path, seed_text):
    bad = tmp_path / "bad.md"
    bad.write_text(
        seed_text.replace("|         3        |", "|  three  |").replace(
            "### Scenario:", "### Scenery:"
        )
    )

    result = run_ladder("check", str(bad))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{bad}:3: level TL2: missing section 'Scenario'",
        f"{bad}:39: unknown section 'Scenery': expected one of Responsibilities, Skills and "
        "Criteria, Soft Skills and Collaboration, Minimum Experience, Next Actions, Scenario, "
        "Competency Ratings",
        f"{bad}:48: level TL2: rating 'three' for Team Contributor is not an integer from 1 to 5",
        "3 errors in 1 file",
    ]
    assert result.stdout == ""


def test_check_of_a_missing_file_says_it_cannot_be_read(tmp_path):
    result = run_ladder("check", str(tmp_path / "nope.md"))

    assert result.returncode == 1
    assert f"{tmp_path / 'nope.md'}: cannot read the file" in result.stderr


def test_fmt_rewrites_a_file_into_canonical_form_and_check_then_passes(tmp_path, seed_text):
    path = tmp_path / "seed.md"
    typed = seed_text.replace("\n- ", "\n* ").replace("\n", "\r\n").encode()
    path.write_bytes(typed)

    assert run_ladder("fmt", "--check", str(path)).returncode == 1
    assert path.read_bytes() == typed

    result = run_ladder("fmt", str(path))
    assert result.returncode == 0, result.stderr
    assert f"reformatted {path}" in result.stdout
    assert parse_file(path) == parse_file(SEED)
    assert run_ladder("fmt", "--check", str(path)).returncode == 0


def test_fmt_changes_no_file_when_one_of_them_has_errors(tmp_path, seed_text):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(seed_text)
    bad.write_text(seed_text.replace("## Tech Lead (TL2)", "## Tech Lead"))

    result = run_ladder("fmt", str(good), str(bad))

    assert result.returncode == 1
    assert f"{bad}:3: level heading 'Tech Lead' must read 'Title (CODE)'" in result.stderr
    assert good.read_text() == seed_text


def test_the_bundled_ladder_is_in_canonical_form():
    assert run_ladder("fmt", "--check", str(DOTNET)).returncode == 0


def test_export_json_matches_the_schema_and_the_seed_figures():
    exported = run_ladder("export", str(DOTNET), "--format", "json")
    schema = run_ladder("schema")

    assert exported.returncode == 0 and schema.returncode == 0
    data = json.loads(exported.stdout)
    jsonschema.validate(data, json.loads(schema.stdout))
    tl2 = next(level for level in data["levels"] if level["code"] == "TL2")
    assert tl2["minimum_experience"]["months"] == 12
    assert tl2["ratings"] == {
        "Team Contributor": 3,
        "Technical Leadership": 5,
        "People Management": 3,
    }
    assert tl2["responsibilities"][0] == "Leading multiple teams or sub-teams."
    assert (
        next(lv for lv in data["levels"] if lv["code"] == "PE1")["minimum_experience"]["months"]
        is None
    )


def test_export_json_has_exactly_the_documented_keys():
    data = json.loads(run_ladder("export", str(SEED)).stdout)

    assert list(data) == ["title", "dimensions", "scale", "levels", "synonyms"]
    assert list(data["levels"][0]) == [
        "code", "title", "number", "track", "responsibilities", "skills", "soft_skills",
        "minimum_experience", "next_actions", "scenario", "ratings",
    ]  # fmt: skip


def test_export_markdown_is_the_canonical_text(tmp_path):
    copy = tmp_path / "dotnet.md"
    shutil.copy(DOTNET, copy)

    result = run_ladder("export", str(copy), "--format", "markdown")

    assert result.stdout == DOTNET.read_text()


def test_file_commands_need_no_secret_key_or_database(tmp_path):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "change-me",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }

    result = run_ladder("check", str(SEED), env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(SEED)],
        ["fmt", "--check", str(DOTNET)],
        ["export", str(SEED), "--format", "markdown"],
        ["schema"],
    ],
)
def test_file_commands_run_without_setting_django_up(args):
    # Settings that cannot even be imported: any command that set Django up would fail on them.
    result = run_ladder(*args, env={"DJANGO_SETTINGS_MODULE": "no.such.settings"})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["check", "fmt", "export", "schema"])
def test_a_file_commands_help_and_version_are_djangos_listing_every_option(command):
    helped = run_ladder(command, "--help", env={"DEBUG": "1"})
    version = run_ladder(command, "--version", env={"DEBUG": "1"})

    assert helped.returncode == 0, helped.stderr
    assert "--verbosity" in helped.stdout and "--traceback" in helped.stdout
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == django.get_version()


def test_check_without_files_is_still_djangos_system_check():
    result = run_ladder("check", env={"DEBUG": "1"})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_file_command_given_an_option_of_djangos_runs_through_django_alike(tmp_path):
    fast = run_ladder("export", str(SEED))
    through_django = run_ladder("export", str(SEED), "--traceback", env={"DEBUG": "1"})

    assert through_django.returncode == 0, through_django.stderr
    assert through_django.stdout == fast.stdout


def test_import_bundled_needs_no_path(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0

    first = run_ladder("import", "--bundled", env=env, cwd=tmp_path)
    again = run_ladder("import", str(DOTNET), env=env)
    neither = run_ladder("import", env=env)

    assert first.returncode == 0, first.stderr
    assert "dotnet: imported version 1 from ladders/dotnet.md (10 levels)." in first.stdout
    assert "has the content of version 1; nothing to import" in again.stdout
    assert neither.returncode == 2
    assert "one of the arguments PATH --bundled is required" in neither.stderr


def test_serving_refuses_the_placeholder_secret_key_outside_debug(tmp_path):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "change-me",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }

    result = run_ladder("migrate", env=env)

    assert result.returncode == 1
    assert "SECRET_KEY is the placeholder while DEBUG is off" in result.stderr


def test_import_through_the_cli_is_idempotent_and_reports_changes(tmp_path, dotnet_text):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    path = tmp_path / "dotnet.md"
    path.write_text(dotnet_text)

    first = run_ladder("import", str(path), env=env)
    again = run_ladder("import", str(path), env=env)
    path.write_text(dotnet_text.replace("- Leading multiple teams or sub-teams.\n", ""))
    changed = run_ladder("import", str(path), env=env)

    assert first.returncode == 0, first.stderr
    assert f"dotnet: imported version 1 from {path} (10 levels)." in first.stdout
    assert "nothing to import" in again.stdout
    assert "imported version 2" in changed.stdout
    assert "~ level TL2" in changed.stdout
    assert "- Responsibilities: Leading multiple teams or sub-teams." in changed.stdout


def migrated(tmp_path) -> dict:
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    return env


@pytest.mark.parametrize("slug", ["Dotnet 2025", "dotnet/2025", "", "a" * 51])
def test_import_refuses_a_bad_slug_naming_it_and_the_rule_and_writes_nothing(tmp_path, slug):
    env = migrated(tmp_path)

    result = run_ladder("import", str(DOTNET), "--slug", slug, env=env)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-2:] == [
        f"{DOTNET}: slug {slug!r} is not valid: a ladder slug is lowercase letters a-z, digits "
        "and single hyphens between them (like dotnet-2025), at most 50 characters; "
        f"{slug_from(slug)!r} would do",
        "nothing was imported",
    ]
    assert "Traceback" not in result.stderr
    assert run_ladder("retire", slug_from(slug), env=env).returncode == 1  # no such ladder


def test_a_file_name_that_is_no_slug_still_imports_under_a_valid_one(tmp_path, dotnet_text):
    env = migrated(tmp_path)
    path = tmp_path / "Dotnet 2025.md"
    path.write_text(dotnet_text)

    result = run_ladder("import", str(path), env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dotnet-2025: imported version 1")


def test_retire_and_undo_through_the_cli(tmp_path, dotnet_text):
    env = migrated(tmp_path)
    path = tmp_path / "dotnet.md"
    path.write_text(dotnet_text)
    assert run_ladder("import", str(path), env=env).returncode == 0

    retired = run_ladder("retire", "dotnet", env=env)
    again = run_ladder("retire", "dotnet", env=env)
    path.write_text(dotnet_text.replace("- Leading multiple teams or sub-teams.\n", ""))
    refused = run_ladder("import", str(path), env=env)
    restored = run_ladder("retire", "--undo", "dotnet", env=env)
    imported = run_ladder("import", str(path), env=env)

    assert retired.returncode == 0, retired.stderr
    assert retired.stdout.startswith("dotnet: retired; its pages answer 404")
    assert "nothing changed" in again.stdout
    assert refused.returncode == 1
    assert "ladder 'dotnet' is retired; run `ladder retire --undo dotnet`" in refused.stderr
    assert restored.stdout == "dotnet: restored; its pages are back.\n"
    assert "dotnet: imported version 2" in imported.stdout


def test_retire_of_an_unknown_slug_lists_the_ladders(tmp_path):
    env = migrated(tmp_path)
    assert run_ladder("import", str(DOTNET), env=env).returncode == 0

    result = run_ladder("retire", "dotnett", env=env)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-2:] == [
        "no ladder has the slug 'dotnett'; ladders: dotnet",
        "nothing changed",
    ]
