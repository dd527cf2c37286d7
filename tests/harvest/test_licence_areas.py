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
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckanext.harvest.model import HarvestObject

from ckanext.ssen_smartmeter.harvest import publish, state
from ckanext.ssen_smartmeter.harvest.aggregate import cli_arguments
from ckanext.ssen_smartmeter.harvest.fetch import parse_time
from ckanext.ssen_smartmeter.harvest.harvester import load_config
from ckanext.ssen_smartmeter.harvest.sync_run import run_job
from ckanext.ssen_smartmeter.pipeline import sha256_file

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


def reads_by_area(reads: Path, topology: Path) -> dict[str | None, int]:
    """Rows of ``reads`` per licence area of their meter's feeder (None: no meter)."""
    rows = duckdb.sql(
        f"""
        SELECT f.licence_area, count(*)
        FROM read_parquet('{reads}') r
        LEFT JOIN read_parquet('{topology}/meter_feeders.parquet') m ON m.mpan = r.mpan
        LEFT JOIN read_parquet('{topology}/lv_feeders.parquet') f ON f.dataset_id = m.dataset_id
        GROUP BY ALL
        """
    ).fetchall()
    return {area: int(n) for area, n in rows}


def add_unknown_meter_reads(reads: Path, count: int) -> None:
    """``count`` valid reads of a meter that no feeder has, added to ``reads``."""
    duckdb.sql(
        f"""
        COPY (
            SELECT * FROM read_parquet('{reads}')
            UNION ALL
            SELECT '1999999999999', period_end, active_import_wh,
                   secondary_active_import_wh, reactive_import_varh
            FROM (SELECT * FROM read_parquet('{reads}') ORDER BY mpan, period_end LIMIT {count})
        ) TO '{reads}.new' (FORMAT parquet)
        """
    )
    Path(f"{reads}.new").replace(reads)


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
    app: Any,
    sysadmin: dict[str, Any],
    org: dict[str, Any],
) -> None:
    areas = feeders_by_area(generated / "topology")
    assert areas[area] and areas[other]  # the generated network has both
    reads = generated / "reads" / f"{DAYS[0]}.parquet"
    add_unknown_meter_reads(reads, 3)
    by_area = reads_by_area(reads, generated / "topology")
    assert by_area[None] == 3 and by_area[area] > 0 and by_area[other] > 0
    config = source_config(generated, licence_areas=[area], last_date=DAYS[0].isoformat())
    source = make_source(config)

    report = run_job(source["name"])

    assert report["statuses"] == {"published": 1}
    # the job report (exact): this area's rows, the unknown meter's rejected,
    # the other area's apart
    day = report["days"][0]
    assert day["rows_read"] == by_area[area] + 3
    assert day["rows_accepted"] == by_area[area]
    assert day["rejected"]["unmapped_meter"] == 3 == day["rows_rejected"]
    assert day["rows_other_licence_area"] == by_area[other]
    assert report["totals"]["rows_other_licence_area"] == by_area[other]
    # the job page: exact for sysadmins, withheld for the source's editors
    editor = factories.User()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": editor["name"], "role": "editor"}
    )
    for user, shown in ((sysadmin, f"{by_area[other]:,}"), (editor, "withheld")):
        token = tk.get_action("api_token_create")(
            {"user": user["name"], "ignore_auth": True}, {"user": user["name"], "name": "t"}
        )["token"]
        page = app.get(
            f"/harvest/{source['name']}/job/{report['job_id']}", headers={"Authorization": token}
        )
        row = BeautifulSoup(page.body, "html.parser").select_one("#ssen-job-days tbody tr")
        assert row.select_one(".rows-other-areas").get_text(strip=True) == shown
    name = f"smart-meter-lv-feeder-{area.lower()}-2024-02"
    dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert dataset["licence_area"] == area
    csv_resource = next(r for r in dataset["resources"] if r["format"] == "CSV")
    feeders = published_feeders(csv_resource["id"])
    assert feeders and feeders <= areas[area]
    quality = csv_resource["quality_report"]
    # public: the totals over the other area are withheld (that area's source
    # withholds them on its days with suppressed values)
    assert quality["licence_areas"] == {
        "areas": [area],
        "feeders": len(areas[area]),
        "feeders_excluded": len(areas[other]),
        "meters_excluded": None,
    }
    assert quality["rows_other_licence_area"] is None
    assert {"rows_other_licence_area", "licence_areas.meters_excluded", "inputs.rows"} <= set(
        quality["withheld"]
    )
    assert quality["rejected"]["unmapped_meter"] == 3
    assert quality["feeders_published"] == len(feeders)
    # the operator's report (on the harvest object) is exact
    exact = state.get_extra(HarvestObject.get(day["object_id"]), state.QUALITY)
    assert exact["licence_areas"]["meters_excluded"] == meters_on(
        generated / "topology", areas[other]
    )
    assert exact["rows_other_licence_area"] == by_area[other]
    assert exact["rows_read"] == by_area[area] + 3
    # each reads file's rows count them all
    assert [i["rows"] for i in exact["inputs"] if i["kind"] == "reads"] == [sum(by_area.values())]
    # the inputs are the source's own topology files (no filtered copy)
    topology = {i["path"]: i["sha256"] for i in quality["inputs"] if i["kind"] == "topology"}
    assert topology == {
        name: sha256_file(generated / "topology" / name)
        for name in ("lv_feeders.parquet", "meter_feeders.parquet")
    }

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
