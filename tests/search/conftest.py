"""Fixtures of the search backend's tests."""

from __future__ import annotations

from pathlib import Path

GRID_ASSET_SCHEMA = (Path(__file__).parent / "data" / "grid_asset.yaml").as_uri()
SCHEMING_PLUGINS = "ssen_search scheming_datasets"
