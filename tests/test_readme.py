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
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/quickstart.sqlite3",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DEBUG", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"VENV={venv}", f"PORT={port}"],
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
        with urllib.request.urlopen(address, timeout=10) as response:
            assert response.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
