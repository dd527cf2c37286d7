"""Fixtures of the harvester tests: generated days, a source root, a source.

The harvest queues use ``ckan.harvest.mq.redis_db``; the tests point it at the
database of ``ckan.redis.url`` (the same Redis database CKAN itself uses in
this test run), so parallel test runs on other databases never share queues.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest

from ckanext.ssen_smartmeter.pipeline import generate_day

METERS = 400
DAYS = [dt.date(2024, 2, 12), dt.date(2024, 2, 13), dt.date(2024, 2, 14)]
SEED = 7


def redis_db_of(url: str | None) -> str:
    path = urlparse(url or "").path.strip("/")
    return path or "0"


@pytest.fixture
def harvest_config(
    ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """A source root (the only allowed one) and queues on this run's Redis database."""
    root = tmp_path / "sources"
    root.mkdir()
    monkeypatch.setitem(ckan_config, "ckanext.ssen_smartmeter.source_roots", str(root))
    monkeypatch.setitem(
        ckan_config, "ckan.harvest.mq.redis_db", redis_db_of(ckan_config.get("ckan.redis.url"))
    )
    return root


def generate(
    folder: Path, days: list[dt.date], meters: int = METERS, seed: int = SEED, fmt: str = "parquet"
) -> Path:
    """``folder/reads/DATE.<fmt>`` for each day and ``folder/topology``."""
    for day in days:
        # same meters and seed: one topology for all days
        generate_day(meters, day, folder, seed=seed, fmt=fmt)
    return folder


@pytest.fixture
def generated(harvest_config: Path) -> Path:
    """Three generated days of 400 meters under the source root."""
    return generate(harvest_config / "demo", DAYS)


def source_config(folder: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "reads": str(folder / "reads"),
        "reads_pattern": "{date}.parquet",
        "topology": str(folder / "topology"),
        "licence_areas": ["SHEPD", "SEPD"],
        "first_date": DAYS[0].isoformat(),
        "last_date": DAYS[-1].isoformat(),
        "lag_days": 2,
        "threshold": 5,
    }
    config.update(overrides)
    return config


@pytest.fixture
def make_source(sysadmin: dict[str, Any], org: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """Create a smart meter harvest source through the action API."""
    import ckan.plugins.toolkit as tk

    def make(
        config: dict[str, Any], name: str = "smart-meters", url: str | None = None
    ) -> dict[str, Any]:
        source = tk.get_action("harvest_source_create")(
            {"user": sysadmin["name"]},
            {
                "name": name,
                "title": "Smart meters",
                "url": url or config["reads"],
                "source_type": "ssen_smartmeter",
                "owner_org": org["id"],
                "config": json.dumps(config),
                "frequency": "MANUAL",
            },
        )
        model.Session.remove()
        return source

    return make


@pytest.fixture
def worker_ini(tmp_path: Path, harvest_config: Path) -> Path:
    """An ini for the consumer processes: test.ini plus this test's settings."""
    test_ini = Path(tk.config["__file__"])
    keys = (
        "sqlalchemy.url",
        "ckan.storage_path",
        "ckan.redis.url",
        "ckan.harvest.mq.redis_db",
        "ckanext.ssen_smartmeter.source_roots",
    )
    lines = ["[app:main]", f"use = config:{test_ini}"]
    lines += [f"{key} = {tk.config.get(key)}" for key in keys if tk.config.get(key)]
    logging = test_ini.read_text().split("[loggers]", 1)[1]
    ini = tmp_path / "worker.ini"
    ini.write_text("\n".join(lines) + "\n\n[loggers]" + logging)
    return ini
