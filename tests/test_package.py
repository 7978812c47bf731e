"""Ladder installed from a built wheel, not from this clone: what `pip install .` gives a user.

The wheel is built from a copy of the sources, so the build leaves nothing in the clone, and
installed into a fresh virtual environment that borrows this one's dependencies (a .pth line)
rather than downloading them again. Plain path lines do not run this environment's editable
install hook, so only the installed wheel can answer `import ladder`.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run(command: list, *, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict, Path]:
    """A virtual environment with the wheel installed: its bin folder, its environment and an
    empty folder to run it in."""
    tmp = tmp_path_factory.mktemp("package")
    project = tmp / "project"
    shutil.copytree(
        ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", project],
        cwd=tmp,
    )
    [wheel] = (tmp / "dist").glob("ladder-*.whl")

    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    python = venv / "bin" / "python"
    site_packages = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp
        ).stdout.strip()
    )
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            "-q",
            wheel,
        ],
        cwd=tmp,
    )

    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env.update(
        DEBUG="1",
        SECRET_KEY="a-secret-for-this-test-only-" + "x" * 30,
        DATABASE_URL=f"sqlite:///{tmp / 'scratch.sqlite3'}",
    )
    return venv / "bin", env, elsewhere


def test_the_installed_package_is_the_one_that_runs(installed):
    bin, env, elsewhere = installed
    code = "import ladder; from ladder.frameworks import bundled; print(ladder.__file__); print(bundled.BUNDLED_LADDER)"

    package, bundled_ladder = run(
        [bin / "python", "-c", code], cwd=elsewhere, env=env
    ).stdout.split()

    assert Path(package).is_relative_to(bin.parent), package
    assert Path(bundled_ladder).is_relative_to(bin.parent) and Path(bundled_ladder).is_file()


def test_an_installed_ladder_checks_imports_the_bundled_ladder_and_builds_a_demo(installed):
    bin, env, elsewhere = installed
    ladder = bin / "ladder"
    bundled_ladder = run(
        [
            bin / "python",
            "-c",
            "from ladder.frameworks import bundled; print(bundled.BUNDLED_LADDER)",
        ],
        cwd=elsewhere,
        env=env,
    ).stdout.strip()

    checked = run([ladder, "check", bundled_ladder], cwd=elsewhere, env=env)
    assert f"{bundled_ladder}: ok (10 levels, 2 tracks, 173 criteria)" in checked.stdout

    run([ladder, "migrate", "-v0"], cwd=elsewhere, env=env)
    # The demo imports the bundled ladder itself when there is none yet.
    demo = run([ladder, "seed-demo", "--people", "40"], cwd=elsewhere, env=env)
    assert "Built a demo organisation of 40 people in" in demo.stdout
    assert "on dotnet v1" in demo.stdout

    imported = run([ladder, "import", "--bundled"], cwd=elsewhere, env=env)
    assert "dotnet: ladders/dotnet.md has the content of version 1" in imported.stdout
    renamed = run([ladder, "import", "--bundled", "--slug", "dotnet-copy"], cwd=elsewhere, env=env)
    assert "dotnet-copy: imported version 1 from ladders/dotnet.md (10 levels)." in renamed.stdout

    listed = run([ladder], cwd=elsewhere, env=env)
    assert "\n  seed-demo " in listed.stdout and "\n  import " in listed.stdout


def test_an_installed_ladder_keeps_its_settings_and_data_in_the_folder_it_is_started_in(
    installed, tmp_path
):
    bin, env, _ = installed
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text("DEBUG=1\nSECRET_KEY=" + "k" * 50 + "\n", encoding="utf-8")
    bare = {k: v for k, v in env.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")}

    run([bin / "ladder", "migrate", "-v0"], cwd=home, env=bare)

    assert (home / "var" / "ladder.sqlite3").is_file()
    assert not list(bin.parent.rglob("ladder.sqlite3"))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run(
        [bin / "ladder", "import", "--bundled"],
        cwd=elsewhere,
        env={**bare, "LADDER_HOME": str(home)},
    )
    assert not (elsewhere / "var").exists()
    listed = run(
        [
            bin / "python",
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'ladder.settings'; django.setup(); from ladder.frameworks.models import Ladder; print(list(Ladder.objects.values_list('slug', flat=True)))",
        ],
        cwd=home,
        env=bare,
    )
    assert listed.stdout.strip() == "['dotnet']"


def test_the_installed_package_holds_every_template_and_static_file(installed):
    bin, env, elsewhere = installed
    source = ROOT / "src" / "ladder"
    wanted = sorted(
        str(path.relative_to(source))
        for path in source.rglob("*")
        if path.is_file()
        and ("templates" in path.parts or "static" in path.parts)
        and "__pycache__" not in path.parts
    )
    code = "import ladder, pathlib; print(pathlib.Path(ladder.__file__).parent)"
    package = Path(run([bin / "python", "-c", code], cwd=elsewhere, env=env).stdout.strip())

    missing = [name for name in wanted if not (package / name).is_file()]

    assert len(wanted) > 50
    assert missing == []
