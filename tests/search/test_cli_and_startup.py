"""``ckan search-index`` and ``ckan db upgrade -p ssen_search`` work on the
PostgreSQL index, and nothing ever talks to Solr while the plugin is loaded."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from ckan import model
from ckan.cli.cli import ckan
from ckan.cli.db import _run_migrations
from ckan.lib import search
from ckan.tests import factories
from sqlalchemy import text

from ckanext.ssen_search.connection import PgSearchConnection, forget_table
from ckanext.ssen_search.tables import TABLE


def _indexed_names() -> list[str]:
    rows = model.Session.execute(text(f"SELECT name FROM {TABLE} ORDER BY name"))
    return [r[0] for r in rows]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestSearchIndexCommands:
    def test_clear_rebuild_show(self, cli: Any) -> None:
        factories.Dataset(name="alpha")
        factories.Dataset(name="beta")
        model.Session.remove()

        result = cli.invoke(ckan, ["search-index", "clear"])
        assert result.exit_code == 0, result.output
        assert _indexed_names() == []

        result = cli.invoke(ckan, ["search-index", "rebuild"])
        assert result.exit_code == 0, result.output
        model.Session.remove()
        assert _indexed_names() == ["alpha", "beta"]

        result = cli.invoke(ckan, ["search-index", "show", "alpha"])
        assert result.exit_code == 0, result.output
        assert "'name': 'alpha'" in result.output

    def test_rebuild_only_missing(self, cli: Any) -> None:
        factories.Dataset(name="alpha")
        factories.Dataset(name="beta")
        model.Session.execute(text(f"DELETE FROM {TABLE} WHERE name = 'beta'"))
        model.Session.commit()
        result = cli.invoke(ckan, ["search-index", "rebuild", "--only-missing"])
        assert result.exit_code == 0, result.output
        model.Session.remove()
        assert _indexed_names() == ["alpha", "beta"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_migration_creates_and_drops_the_table() -> None:
    _run_migrations("ssen_search", version="base", forward=False)
    model.Session.remove()
    assert model.Session.execute(text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar() is None
    _run_migrations("ssen_search")
    model.Session.remove()
    version = model.Session.execute(text("SELECT version_num FROM ssen_search_alembic_version"))
    assert [r[0] for r in version] == ["e7a2b5c8d034"]
    assert model.Session.execute(text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_missing_table_is_recreated_on_demand() -> None:
    model.Session.execute(text(f"DROP TABLE {TABLE} CASCADE"))
    model.Session.commit()
    forget_table()
    factories.Dataset(name="after-drop")
    assert _indexed_names() == ["after-drop"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_no_solr_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network call while ssen_search is loaded: {args}")

    monkeypatch.setattr(requests.Session, "request", refuse)
    assert isinstance(search.make_connection(), PgSearchConnection)
    assert search.is_available() is True
    assert search.check_solr_schema_version() is True
    factories.Dataset(name="quiet")
    assert search.show("quiet")["name"] == "quiet"
    search.clear_all()
    assert _indexed_names() == []
