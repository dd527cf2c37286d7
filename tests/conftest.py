"""Fixtures shared by the whole suite.

CKAN's ``clean_db`` drops every table, including those that plugins create
with their own migrations (harvest, activity, ssen_search). Ours re-applies
the migrations of every loaded plugin that has some, so tests that list
``with_plugins`` before ``clean_db`` get a complete database, and empties the
search index (CKAN's session-wide ``reset_db`` may predate the ssen_search
hook that does it).

``live_server`` serves the test database, Redis and storage with a real
``ckan run`` on a free port, for the headless-Chromium tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckan.plugins as p
import pytest
from ckan.cli.db import _resolve_alembic_config, _run_migrations
from ckan.lib import search
from ckan.tests import factories


def _plugins_with_migrations() -> list[str]:
    names = p.toolkit.aslist(p.toolkit.config.get("ckan.plugins"))
    return [
        name
        for name in names
        if p.plugin_loaded(name) and os.path.exists(_resolve_alembic_config(name))
    ]


@pytest.fixture
def clean_db(reset_db: Callable[[], None]) -> None:
    reset_db()
    for name in _plugins_with_migrations():
        _run_migrations(name)
    if p.plugin_loaded("ssen_search"):
        search.clear_all()


@pytest.fixture
def sysadmin() -> dict[str, Any]:
    return factories.Sysadmin()


@pytest.fixture
def org(sysadmin: dict[str, Any]) -> dict[str, Any]:
    """An organisation that ``sysadmin`` administers."""
    return factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])


ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def chromium() -> dict[str, Any]:
    """Keyword arguments of Playwright's ``chromium.launch``: Debian's
    Chromium (never a downloaded one), headless, no background networking."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(
    request: pytest.FixtureRequest, tmp_path: Path, ckan_config: dict[str, Any]
) -> Iterator[str]:
    """Base URL of a ``ckan run`` on the same database, Redis and storage as
    the test process; stopped at teardown."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    ini = tmp_path / "live.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{Path(request.config.getoption('--ckan-ini')).resolve()}\n"
        f"ckan.site_url = {base}\n"
        f"sqlalchemy.url = {ckan_config['sqlalchemy.url']}\n"
        f"ckan.storage_path = {ckan_config['ckan.storage_path']}\n"
        f"ckan.redis.url = {ckan_config['ckan.redis.url']}\n"
        "debug = false\n\n"
        "[loggers]\nkeys = root\n\n[handlers]\nkeys = console\n\n[formatters]\nkeys = generic\n\n"
        "[logger_root]\nlevel = WARNING\nhandlers = console\n\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n\n"
        "[formatter_generic]\nformat = %(levelname)s [%(name)s] %(message)s\n",
        encoding="utf-8",
    )
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ckan")),
            "-c",
            str(ini),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--disable-reloader",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/3/action/status_show", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "live server did not start:\n"
                        + (tmp_path / "server.log").read_text(errors="replace")[-3000:]
                    )
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
