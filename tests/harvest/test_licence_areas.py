"""A source publishes the feeders of its licence areas only."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import duckdb
import pytest

from ckanext.ssen_smartmeter.harvest import publish
from ckanext.ssen_smartmeter.harvest.aggregate import cli_arguments
from ckanext.ssen_smartmeter.harvest.fetch import parse_time
from ckanext.ssen_smartmeter.harvest.harvester import load_config
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
CLI = str(Path(sys.executable).with_name("ssen-smartmeter"))


def feeders_by_area(topology: Path) -> dict[str, set[str]]:
    rows = duckdb.sql(
        f"SELECT licence_area, dataset_id FROM read_parquet('{topology}/lv_feeders.parquet')"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for area, dataset_id in rows:
        found.setdefault(area, set()).add(dataset_id)
    return found


def meters_on(topology: Path, feeders: set[str]) -> int:
    mapped = duckdb.sql(
        f"SELECT dataset_id FROM read_parquet('{topology}/meter_feeders.parquet')"
    ).fetchall()
    return sum(1 for (dataset_id,) in mapped if dataset_id in feeders)


def published_feeders(resource_id: str) -> set[str]:
    path = publish.published_file(resource_id)
    assert path is not None
    with path.open(newline="") as handle:
        return {row["dataset_id"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(("area", "other"), [("SHEPD", "SEPD"), ("SEPD", "SHEPD")])
def test_a_one_area_source_publishes_only_that_areas_feeders(
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    tmp_path: Path,
    area: str,
    other: str,
) -> None:
    areas = feeders_by_area(generated / "topology")
    assert areas[area] and areas[other]  # the generated network has both
    config = source_config(generated, licence_areas=[area], last_date=DAYS[0].isoformat())
    source = make_source(config)

    report = run_job(source["name"])

    assert report["statuses"] == {"published": 1}
    name = f"smart-meter-lv-feeder-{area.lower()}-2024-02"
    dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert dataset["licence_area"] == area
    csv_resource = next(r for r in dataset["resources"] if r["format"] == "CSV")
    feeders = published_feeders(csv_resource["id"])
    assert feeders and feeders <= areas[area]
    quality = csv_resource["quality_report"]
    assert quality["licence_areas"] == {
        "areas": [area],
        "feeders": len(areas[area]),
        "feeders_excluded": len(areas[other]),
        "meters_excluded": meters_on(generated / "topology", areas[other]),
    }
    assert quality["feeders_published"] == len(feeders)
    # the report names the source's table, not the work area's copy
    topology_inputs = sorted(i["path"] for i in quality["inputs"] if i["kind"] == "topology")
    assert topology_inputs == [
        f"lv_feeders.parquet ({area} feeders)",
        f"meter_feeders.parquet ({area} feeders)",
    ]

    # the CLI with the harvester's options gives the same bytes
    out = tmp_path / "cli"
    args = cli_arguments(load_config(source["config"]), parse_time(quality["published_at"]))
    subprocess.run(
        [
            CLI,
            "aggregate",
            "--reads",
            str(generated / "reads" / f"{DAYS[0]}.parquet"),
            "--topology",
            str(generated / "topology"),
            "--date",
            DAYS[0].isoformat(),
            "--out",
            str(out),
            *args,
        ],
        check=True,
        capture_output=True,
    )
    stored = publish.published_file(csv_resource["id"])
    assert stored is not None
    assert stored.read_bytes() == (out / "lv_feeder" / f"{DAYS[0]}.csv").read_bytes()


def test_a_topology_without_feeders_of_the_area_is_an_error(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    topology = generated / "topology" / "lv_feeders.parquet"
    duckdb.sql(
        f"COPY (SELECT * REPLACE ('SEPD' AS licence_area) FROM read_parquet('{topology}')) "
        f"TO '{topology}.new' (FORMAT parquet)"
    )
    Path(f"{topology}.new").replace(topology)
    total = sum(len(v) for v in feeders_by_area(generated / "topology").values())
    source = make_source(
        source_config(generated, licence_areas=["SHEPD"], last_date=DAYS[0].isoformat())
    )

    report = run_job(source["name"])

    assert report["statuses"] == {"error": 1}
    assert report["days"][0]["errors"] == [
        f"{DAYS[0]}: input unusable: lv_feeders.parquet, column licence_area: "
        f"none of the {total:,} LV feeders is in licence area SHEPD"
    ]
