"""Fixtures of the roadmap tests: organisations, users and roadmap datasets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ckan.tests import factories

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def roadmap_ready(with_plugins: None, clean_db: None, clean_index: None) -> None:
    """Plugins loaded, a clean database and search index, an empty roadmap cache."""
    from ckanext.ssen_roadmap.items import clear_cache

    clear_cache()


@pytest.fixture
def org_admin() -> dict[str, Any]:
    return factories.User(name="org-admin", fullname="Org Admin")


@pytest.fixture
def org(org_admin: dict[str, Any]) -> dict[str, Any]:
    return factories.Organization(
        name="ssen", title="SSEN", users=[{"name": org_admin["name"], "capacity": "admin"}]
    )


@pytest.fixture
def make_item(org: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """A roadmap dataset (type ``dataset``) in ``org``; keyword arguments override."""

    def make(**fields: Any) -> dict[str, Any]:
        data = {
            "type": "dataset",
            "owner_org": org["id"],
            "roadmap_status": "planned",
            "roadmap_planned_release": "2026-Q3",
            "roadmap_category": "prospective",
            "target_audience": ["consultancies"],
        }
        data.update(fields)
        return factories.Dataset(**data)

    return make
