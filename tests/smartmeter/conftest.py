from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from freezegun import freeze_time

from . import data


@pytest.fixture
def unowned_datasets(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow datasets without an organisation (the ``ckan_config`` marker is not
    registered under --strict-markers)."""
    monkeypatch.setitem(ckan_config, "ckan.auth.create_unowned_dataset", True)


@pytest.fixture
def upload_feeder_parquet(
    sysadmin: dict[str, Any], create_with_upload: Any, tmp_path: Any
) -> Callable[..., dict[str, Any]]:
    """Upload one day's LV-feeder Parquet (``data.feeder_rows()`` unless
    ``rows`` is given) as a resource of a dataset, at ``uploaded_at`` if
    given; returns the resource."""

    def upload(
        package_id: str,
        rows: list[dict[str, Any]] | None = None,
        name: str = "2024-02-12 (Parquet)",
        filename: str = "day.parquet",
        uploaded_at: dt.datetime | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        # written before any frozen time (pyarrow crashes on freezegun's datetimes)
        path = data.write_feeder_parquet(str(tmp_path / filename), rows)
        res = data.resource(name, format="Parquet", **overrides)
        res.pop("url")
        with open(path, "rb") as handle:
            content = handle.read()
        with freeze_time(uploaded_at) if uploaded_at else contextlib.nullcontext():
            return create_with_upload(
                content,
                filename,
                context={"user": sysadmin["name"]},
                package_id=package_id,
                **res,
            )

    return upload
