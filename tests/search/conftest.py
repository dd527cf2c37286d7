"""Fixtures of the search backend's tests."""
from __future__ import annotations

from pathlib import Path

GRID_ASSET_SCHEMA = (Path(__file__).parent / "data" / "grid_asset.yaml").as_uri()
SCHEMING_PLUGINS = "ssen_search scheming_datasets"


def pytest_configure(config: object) -> None:
    # CKAN's marker, needed under the repository's --strict-markers
    config.addinivalue_line(  # type: ignore[attr-defined]
        "markers", "ckan_config(key, value): override a CKAN config option for a test")
