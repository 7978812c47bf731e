"""The README's commands are the real ones."""

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, run_ladder

README = (ROOT / "README.md").read_text()


def test_the_readme_shows_the_real_output_of_ladder():
    shown = re.search(r"```console\n\$ ladder\n(.*?)```", README, re.S)[1]

    assert shown == run_ladder().stdout
    assert shown == run_ladder("--help").stdout


def test_the_quickstart_is_two_make_commands():
    quickstart = re.search(r"## Quickstart.*?```console\n(.*?)```", README, re.S)[1]

    assert [line.split("#")[0].strip() for line in quickstart.splitlines()] == [
        "make run",
        "make test",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_migrates_imports_and_serves(tmp_path):
    port = free_port()
    venv = Path(sys.executable).parent.parent
    # Written beside the test rather than into the clone, where it would change every later run.
    env_file = tmp_path / ".env"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/quickstart.sqlite3",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DEBUG", None)
    process = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "run",
            f"VENV={venv}",
            f"PORT={port}",
            f"ENV_FILE={env_file}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    try:
        for line in process.stdout:
            output.append(line)
            if "Quit the server with" in line:
                break
        address = f"http://127.0.0.1:{port}/"
        text = "".join(output)
        assert f"Ladder is running at {address}" in text, text
        assert "dotnet: imported version 1 from ladders/dotnet.md (10 levels)." in text
        assert f"Wrote {env_file}: DEBUG=1 and a new SECRET_KEY" in text
        with urllib.request.urlopen(address, timeout=10) as response:
            assert response.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_make_run_writes_a_development_env_file_with_a_fresh_secret_key(tmp_path):
    first, second = tmp_path / "first" / ".env", tmp_path / "second" / ".env"
    for env_file in (first, second):
        env_file.parent.mkdir()
        make_env_file(env_file)

    settings = dict(
        line.split("=", 1) for line in first.read_text().splitlines() if not line.startswith("#")
    )
    assert settings["DEBUG"] == "1"
    assert len(settings["SECRET_KEY"]) >= 50
    assert settings["SECRET_KEY"] not in second.read_text()
    assert first.stat().st_mode & 0o077 == 0  # the secret is the owner's alone


def test_make_run_never_overwrites_an_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=0\nSECRET_KEY=the-production-one\n")

    make_env_file(env_file)

    assert env_file.read_text() == "DEBUG=0\nSECRET_KEY=the-production-one\n"


def test_git_ignores_the_env_file():
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def make_env_file(env_file: Path) -> None:
    """Make the Makefile's .env target, as `make run` does first, with the file elsewhere."""
    subprocess.run(
        ["make", "--no-print-directory", "-s", f"ENV_FILE={env_file}", str(env_file)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def test_the_readme_says_what_each_of_ladders_commands_is_for():
    listed = re.findall(r"^  (\S+)  ", run_ladder().stdout, re.M)
    after_the_list = README.split("$ ladder\n", 1)[1].split("```", 1)[1]

    assert listed
    for command in listed:
        assert f"`ladder {command}" in after_the_list, command
