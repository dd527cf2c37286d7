"""scripts/bootstrap.py from an empty state, then again: the second run
changes nothing. Runs against throw-away databases (a name prefix) and
config files in a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "bootstraptest_"
DATABASES = ["ckan_default", "ckan_test", "datastore_default", "datastore_test"]


def _admin() -> psycopg2.extensions.connection:
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    return conn


def _drop_all() -> None:
    conn = _admin()
    try:
        with conn.cursor() as cur:
            for name in DATABASES:
                cur.execute(f'DROP DATABASE IF EXISTS "{PREFIX}{name}" WITH (FORCE)')
    finally:
        conn.close()


@pytest.fixture
def scratch(tmp_path: Path):
    _drop_all()
    yield tmp_path
    _drop_all()


def _bootstrap(tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bootstrap.py"),
            "--db-prefix",
            PREFIX,
            "--ini",
            str(tmp / "ckan.ini"),
            "--test-ini",
            str(tmp / "test-core.ini"),
            "--port",
            "5999",
            "--no-demo",
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_bootstrap_is_idempotent(scratch: Path) -> None:
    first = _bootstrap(scratch)
    assert first.returncode == 0, first.stderr
    for name in DATABASES:
        assert f"created database {PREFIX}{name}" in first.stderr
    assert "migrated ckan" in first.stderr
    assert "migrated harvest" in first.stderr
    assert "migrated ssen_search" in first.stderr
    ini = (scratch / "ckan.ini").read_text()
    assert f"/{PREFIX}ckan_default" in ini
    assert "ckan.site_url=http://127.0.0.1:5999" in ini
    # every view created by default is a loaded plugin (CKAN's default names
    # datatables_view, which is not: each new resource logged it missing)
    settings = dict(
        line.split("=", 1) for line in ini.splitlines() if "=" in line and line[0] not in "#;["
    )
    # the home and about pages say what the portal holds, not CKAN's placeholder
    assert "LV feeder" in settings["ckan.site_intro_text"]
    assert "(/roadmap)" in settings["ckan.site_about"]
    views = settings["ckan.views.default_views"].split()
    assert views and set(views) <= set(settings["ckan.plugins"].split())
    before = {p.name: p.read_bytes() for p in scratch.glob("*.ini")}

    second = _bootstrap(scratch)
    assert second.returncode == 0, second.stderr
    assert "bootstrap: nothing to do" in second.stderr
    assert {p.name: p.read_bytes() for p in scratch.glob("*.ini")} == before


def test_a_clear_error_when_postgres_cannot_be_reached(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bootstrap.py"),
            "--db-port",
            "1",
            "--ini",
            str(tmp_path / "ckan.ini"),
            "--test-ini",
            str(tmp_path / "t.ini"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: cannot connect to PostgreSQL at 127.0.0.1:1")
