import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_318d2bf8e0ce8fd8.txt"
DOTNET = ROOT / "ladders" / "dotnet.md"


@pytest.fixture
def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"the user's seed document is missing: {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def dotnet_text() -> str:
    return DOTNET.read_text(encoding="utf-8")


def run_ladder(
    *args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None
):
    """Run the real `ladder` console script of this environment."""
    script = Path(sys.executable).with_name("ladder")
    return subprocess.run(
        [str(script), *args],
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests create many logins and check none for strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
