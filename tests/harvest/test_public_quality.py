"""What the catalogue shows of a day's quality report keeps suppressed groups uncountable.

Exact totals (rows read, rows accepted, meters seen) minus the counts the
files publish would count the meters behind suppressed half-hours; resources
carry the public view, the job report (the source's editors) the exact one.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _published_sums(app: Any, url: str) -> dict[str, int]:
    """Per half-hour, the sum of the published active meter counts of a CSV."""
    body = app.get(url).body
    sums: dict[str, int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(body)):
        if row["aggregated_device_count_active"]:
            sums[row["data_collection_log_timestamp"]] += int(row["aggregated_device_count_active"])
    return sums


def test_resources_withhold_totals_that_would_count_suppressed_meters(
    generated: Path, make_source: Callable[..., dict[str, Any]], app: Any
) -> None:
    source = make_source(source_config(generated, last_date=DAYS[0].isoformat()))
    report = run_job(source["name"])
    day = report["days"][0]
    assert day["status"] == "published" and day["cells_suppressed_p1"] > 0
    # the operators' report is exact
    assert day["meters"] > 0 and day["rows_read"] == day["rows_accepted"] + day["rows_rejected"]

    lv = tk.get_action("package_show")({}, {"id": "smart-meter-lv-feeder-2024-02"})
    csv_resource = next(r for r in lv["resources"] if r["format"] == "CSV")
    public = csv_resource["quality_report"]
    assert public["withheld"] == [
        "rows_read",
        "rows_accepted",
        "meters",
        "inputs.rows",
        "topology.meters",
    ]
    assert (public["rows_read"], public["rows_accepted"], public["meters"]) == (None, None, None)
    assert {i["kind"]: i.get("rows") for i in public["inputs"] if i["kind"] == "reads"} == {
        "reads": None
    }
    assert public["topology"]["meters"] is None
    # rejected rows stay exact (a rejected row is in no value)
    assert sum(public["rejected"].values()) == day["rows_rejected"]

    # what stays is the file's own counts
    sums = _published_sums(app, csv_resource["url"])
    assert public["rows_published"] == sum(sums.values())
    assert public["meters_published"] == max(sums.values())
    assert lv["meters_represented"] == max(sums.values()) < day["meters"]

    # the dataset page says so, and its quality table shows no exact total
    page = app.get(f"/smart-meter/{lv['name']}").body
    assert "Withheld on days with suppressed values" in page
    row = BeautifulSoup(page, "html.parser").select_one(".ssen-quality-table tbody tr")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[0] == cells[1] == "withheld*"
    assert cells[3] == f"up to {max(sums.values()):,} per half-hour *"


def test_the_job_report_is_exact_for_sysadmins_and_public_for_editors(
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    app: Any,
    sysadmin: dict[str, Any],
    org: dict[str, Any],
) -> None:
    editor = factories.User()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": editor["name"], "role": "editor"}
    )
    source = make_source(source_config(generated, last_date=DAYS[0].isoformat()))
    job_id = run_job(source["name"])["job_id"]

    exact = tk.get_action("ssen_smartmeter_job_report")({"user": sysadmin["name"]}, {"id": job_id})
    public = tk.get_action("ssen_smartmeter_job_report")({"user": editor["name"]}, {"id": job_id})
    day, shown = exact["days"][0], public["days"][0]
    assert day["withheld"] == [] and day["meters"] > 0
    assert day["rows_read"] == day["rows_accepted"] + day["rows_rejected"] > 0
    assert (shown["rows_read"], shown["rows_accepted"], shown["meters"]) == (None, None, None)
    assert "meters" in shown["withheld"]
    assert public["totals"]["rows_read"] is None
    # what is not a total over suppressed meters stays exact for both
    for key in ("rows_rejected", "rejected", "cells_suppressed_p1", "files_published"):
        assert shown[key] == day[key], key

    token = tk.get_action("api_token_create")(
        {"user": editor["name"], "ignore_auth": True}, {"user": editor["name"], "name": "t"}
    )["token"]
    page = app.get(f"/harvest/{source['name']}/job/{job_id}", headers={"Authorization": token})
    row = BeautifulSoup(page.body, "html.parser").select_one("#ssen-job-days tbody tr")
    assert row.select_one(".rows-read").get_text(strip=True) == "withheld"
    assert f"{day['rows_read']:,}" not in page.body
