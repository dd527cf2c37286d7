"""pytest plugin (``-p ssen_search_shim``) for running other projects' test
suites against the PostgreSQL search backend.

Their tests choose their own plugin lists with ``ckan_config`` markers and
the ``with_plugins`` fixture, which would unload ``ssen_search`` and send
searches to Solr. This shim forces the backend on for the whole session and
re-installs its dispatchers before every test (cheap, idempotent), so every
test runs against PostgreSQL whatever plugins it loads.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ckanext.ssen_search import backend


def pytest_configure(config: pytest.Config) -> None:
    # before collection: test modules bind ``make_connection`` at import
    backend.STATE.forced = True
    backend.install()


@pytest.fixture(autouse=True)
def _ssen_search_backend() -> Iterator[None]:
    backend.STATE.forced = True
    backend.install()
    yield
