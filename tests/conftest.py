"""Fixtures shared by the whole suite.

CKAN's ``clean_db`` drops every table, including those that plugins create
with their own migrations (harvest, activity, ssen_search). Ours re-applies
the migrations of every loaded plugin that has some, so tests that list
``with_plugins`` before ``clean_db`` get a complete database, and empties the
search index (CKAN's session-wide ``reset_db`` may predate the ssen_search
hook that does it).
"""
from __future__ import annotations

import os
from collections.abc import Callable
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
