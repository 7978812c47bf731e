"""`ladder serve` refuses to start what it should not serve, before any worker starts."""

import pytest

from tests.conftest import run_ladder
from tests.test_production import production


def test_serve_refuses_the_placeholder_secret_key_in_production(tmp_path):
    result = run_ladder(
        "serve",
        "--bind",
        "127.0.0.1:0",
        env=production(SECRET_KEY="change-me", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"),
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Booting worker" not in result.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [("--workers=0", "--workers must be at least 1"), ("--timeout=0", "--timeout must be")],
)
def test_serve_refuses_an_option_out_of_range(tmp_path, option, message):
    result = run_ladder(
        "serve", option, env=production(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    )

    assert result.returncode == 1
    assert message in result.stderr


@pytest.mark.parametrize("value", ["0", "many", "-2"])
def test_serve_refuses_a_worker_count_from_the_environment_it_cannot_read(tmp_path, value):
    result = run_ladder(
        "serve",
        env=production(SERVE_WORKERS=value, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"),
    )

    assert result.returncode != 0
    assert "SERVE_WORKERS" in result.stderr
