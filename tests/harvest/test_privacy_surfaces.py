"""Nothing below the threshold reaches logs, object errors, the job page or the report.

A day generated with every kind of bad row (``anomalies``) is harvested next
to a day whose file is unreadable; then every operator-facing surface is
searched for the meters' MPANs and for single meters' readings.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import duckdb
import pytest

from ckanext.ssen_smartmeter.harvest.sync_run import run_job
from ckanext.ssen_smartmeter.pipeline import generate_day

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_no_mpan_or_small_group_value_on_any_operator_surface(
    harvest_config: Path,
    make_source: Callable[..., dict[str, Any]],
    app: Any,
    sysadmin: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = harvest_config / "anomalies"
    generate_day(300, DAYS[0], folder, seed=3, anomalies=True)
    generate_day(300, DAYS[1], folder, seed=3)
    bad = folder / "reads" / f"{DAYS[1]}.parquet"
    bad.write_bytes(bad.read_bytes()[: len(bad.read_bytes()) // 2])  # truncated file
    mpans = {
        row[0]
        for row in duckdb.connect()
        .execute(
            f"SELECT DISTINCT CAST(mpan AS VARCHAR) FROM read_parquet('{folder}/reads/"
            f"{DAYS[0]}.parquet')"
        )
        .fetchall()
        if row[0]
    }
    assert len(mpans) > 300

    source = make_source(source_config(folder, last_date=DAYS[1].isoformat()))
    with caplog.at_level(logging.DEBUG):
        report = run_job(source["name"])
    assert report["statuses"] == {"published": 1, "error": 1}
    day = report["days"][0]
    assert day["rows_rejected"] > 0 and day["cells_suppressed_p1"] > 0

    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    page = app.get(
        f"/harvest/{source['name']}/job/{report['job_id']}", headers={"Authorization": token}
    ).body
    harvest_report = tk.get_action("harvest_job_report")(
        {"ignore_auth": True}, {"id": report["job_id"]}
    )
    surfaces = {
        "log": "\n".join(r.getMessage() for r in caplog.records),
        "job report": json.dumps(report),
        "harvest job report": json.dumps(harvest_report, default=str),
        "job page": page,
    }
    for name, text in surfaces.items():
        leaked = [m for m in mpans if m in text]
        assert leaked == [], f"MPANs in the {name}: {leaked[:3]}"

    # one meter's reading is a group of one: none may appear either (they carry a decimal)
    readings = {
        str(v)
        for (v,) in duckdb.connect()
        .execute(
            "SELECT DISTINCT active_import_wh"
            f" FROM read_parquet('{folder}/reads/{DAYS[0]}.parquet')"
            " WHERE active_import_wh <> round(active_import_wh)"
        )
        .fetchall()
    }
    assert len(readings) > 100
    for name, text in surfaces.items():
        decimals = set(re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", text))
        assert sorted(readings & decimals) == [], name
