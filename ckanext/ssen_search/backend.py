"""Route CKAN's search calls to PostgreSQL while the plugin is loaded.

CKAN has no search-backend interface: its search code calls module-level
functions (``make_connection``, ``is_available``,
``check_solr_schema_version``) that reach Solr. :func:`install` wraps each of
them once with a dispatcher that answers from PostgreSQL while the
``ssen_search`` plugin is loaded (or :data:`STATE` forces it) and falls
through to the original Solr code otherwise, so unloading the plugin (as
CKAN's ``with_plugins`` fixture does between tests) restores stock
behaviour without any unload hook.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

import ckan.plugins as p

from ckanext.ssen_search.connection import PgSearchConnection, forget_table

log = logging.getLogger(__name__)

PLUGIN_NAME = "ssen_search"
_MARK = "_ssen_search_original"

# modules that import ``make_connection`` by name
CONNECTION_MODULES = (
    "ckan.lib.search",
    "ckan.lib.search.common",
    "ckan.lib.search.index",
    "ckan.lib.search.query",
    "ckanext.harvest.logic.action.update",
)


class _State:
    forced = False


STATE = _State()


def active() -> bool:
    """True when searches go to PostgreSQL."""
    return STATE.forced or p.plugin_loaded(PLUGIN_NAME)


def make_connection(decode_dates: bool = True) -> PgSearchConnection:
    return PgSearchConnection(decode_dates)


def is_available() -> bool:
    return True


def check_solr_schema_version(schema_file: str | None = None) -> bool:
    """No Solr schema to check: the index table is ours. A given
    ``schema_file`` is still validated by CKAN's own code."""
    if schema_file:
        original = getattr(_search_module().check_solr_schema_version, _MARK)
        return original(schema_file)
    return True


def _search_module() -> Any:
    return importlib.import_module("ckan.lib.search")


def _dispatch(
    original: Callable[..., Any], replacement: Callable[..., Any], always: bool = False
) -> Callable[..., Any]:
    def dispatcher(*args: Any, **kwargs: Any) -> Any:
        if always or active():
            return replacement(*args, **kwargs)
        return original(*args, **kwargs)

    dispatcher.__name__ = getattr(original, "__name__", "dispatcher")
    dispatcher.__doc__ = getattr(original, "__doc__", None)
    setattr(dispatcher, _MARK, original)
    return dispatcher


def _wrap(module: Any, name: str, replacement: Callable[..., Any], always: bool = False) -> None:
    current = getattr(module, name, None)
    if current is None or hasattr(current, _MARK):
        return
    setattr(module, name, _dispatch(current, replacement, always))


def _empty_index_after(original: Callable[..., Any]) -> Callable[..., Any]:
    def reset(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        empty_index()
        return result

    setattr(reset, _MARK, original)
    return reset


def empty_index() -> None:
    """Remove every indexed document (no-op when the table is missing)."""
    from ckan import model
    from sqlalchemy import text

    from ckanext.ssen_search.tables import TABLE

    with model.ensure_engine().begin() as connection:
        if connection.execute(text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar():
            connection.execute(text(f"DELETE FROM {TABLE}"))


def _hook_database_reset() -> None:
    """CKAN's test ``reset_db`` empties only the tables of its own model
    (``Repository.delete_all``): empty the index with them, or documents of
    datasets that no longer exist would stay searchable."""
    from ckan import model

    current = model.repo.delete_all
    if not hasattr(current, _MARK):
        model.repo.delete_all = _empty_index_after(current)  # type: ignore[method-assign]
    current = model.repo.clean_db
    if not hasattr(current, _MARK):
        model.repo.clean_db = _forget_table_after(current)  # type: ignore[method-assign]


def _forget_table_after(original: Callable[..., Any]) -> Callable[..., Any]:
    def clean(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        forget_table()
        return result

    setattr(clean, _MARK, original)
    return clean


def install() -> None:
    """Install the dispatchers (idempotent; cheap to call on every
    ``update_config``, which also catches modules imported later)."""
    _hook_database_reset()
    search = _search_module()
    for module_name in CONNECTION_MODULES:
        module = sys.modules.get(module_name)
        if module is not None:
            _wrap(module, "make_connection", make_connection)
    # the start-up check also runs while CKAN's test fixtures reload plugins
    # (every plugin briefly unloaded): once installed, it never calls Solr
    for module in (search, sys.modules["ckan.lib.search.common"]):
        _wrap(module, "is_available", is_available, always=True)
    _wrap(search, "check_solr_schema_version", check_solr_schema_version, always=True)


def uninstall() -> None:
    """Put CKAN's original functions back."""
    search = _search_module()
    modules = [sys.modules.get(m) for m in CONNECTION_MODULES] + [search]
    for module in modules:
        if module is None:
            continue
        for name in ("make_connection", "is_available", "check_solr_schema_version"):
            current = getattr(module, name, None)
            if current is not None and hasattr(current, _MARK):
                setattr(module, name, getattr(current, _MARK))
