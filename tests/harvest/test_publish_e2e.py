"""End to end through the real CKAN app, PostgreSQL and the real harvester stages."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.ssen_smartmeter.harvest import publish
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
CLI = str(Path(sys.executable).with_name("ssen-smartmeter"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def show(name: str) -> dict[str, Any]:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": name})


def test_a_source_over_generated_days_publishes_monthly_datasets(
    generated: Path, make_source: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    source = make_source(source_config(generated))
    report = run_job(source["name"])

    assert report["statuses"] == {"published": 3}
    assert [d["day"] for d in report["days"]] == [d.isoformat() for d in DAYS]
    lv = show("smart-meter-lv-feeder-2024-02")
    ss = show("smart-meter-secondary-substation-2024-02")
    assert lv["title"] == "Smart meter consumption, LV feeder, 2024-02"
    assert (lv["aggregation_level"], ss["aggregation_level"]) == (
        "lv_feeder",
        "secondary_substation",
    )
    assert lv["period"] == "2024-02" and lv["licence_area"] == "both"
    assert (lv["temporal_coverage_start"], lv["temporal_coverage_end"]) == (
        "2024-02-12",
        "2024-02-14",
    )
    assert len(lv["resources"]) == 6 and len(ss["resources"]) == 6
    assert [r["format"] for r in lv["resources"][:2]] == ["CSV", "Parquet"]

    # every published file is byte-identical to the CLI's output on the same day
    for day_report in report["days"]:
        day = day_report["day"]
        quality = day_report
        out = tmp_path / f"cli-{day}"
        first = next(r for r in lv["resources"] if r["period_start"] == day)
        published_at = first["quality_report"]["published_at"]
        subprocess.run(
            [
                CLI,
                "aggregate",
                "--reads",
                str(generated / "reads" / f"{day}.parquet"),
                "--topology",
                str(generated / "topology"),
                "--date",
                day,
                "--out",
                str(out),
                "--threshold",
                "5",
                "--published-at",
                published_at,
            ],
            check=True,
            capture_output=True,
        )
        for dataset, level in ((lv, "lv_feeder"), (ss, "secondary_substation")):
            for resource in (r for r in dataset["resources"] if r["period_start"] == day):
                suffix = ".csv" if resource["format"] == "CSV" else ".parquet"
                stored = publish.published_file(resource["id"])
                assert stored is not None
                expected = out / level / f"{day}{suffix}"
                assert stored.read_bytes() == expected.read_bytes(), (day, level, suffix)
                assert resource["sha256"] == sha256(expected)
                assert resource["size"] == expected.stat().st_size
        assert quality["rows_read"] > 0 and quality["files_published"]


def test_the_ckan_commands_harvest_report_and_run_test(
    generated: Path, make_source: Callable[..., dict[str, Any]], worker_ini: Path
) -> None:
    ckan = str(Path(sys.executable).with_name("ckan"))
    source = make_source(source_config(generated, last_date=DAYS[1].isoformat()))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [ckan, "-c", str(worker_ini), *args], capture_output=True, text=True, timeout=300
        )

    done = run("ssen-smartmeter", "harvest", source["name"], "--date", DAYS[0].isoformat())
    assert done.returncode == 0, done.stderr
    assert "1 day(s) to process" in done.stdout
    line = next(x for x in done.stdout.splitlines() if x.startswith(DAYS[0].isoformat()))
    assert line.split()[1] == "published" and line.split()[-1] == "4"
    job_id = re.search(r"^job ([0-9a-f-]{36}): Finished$", done.stdout, re.M).group(1)

    shown = run("ssen-smartmeter", "report", job_id)
    assert shown.returncode == 0 and DAYS[0].isoformat() in shown.stdout

    # the synchronous mode of ckanext-harvest publishes the remaining day
    test_run = run("harvester", "run-test", source["name"])
    assert test_run.returncode == 0, test_run.stderr
    assert [
        r["period_start"]
        for r in show("smart-meter-lv-feeder-2024-02")["resources"]
        if r["format"] == "CSV"
    ] == [DAYS[0].isoformat(), DAYS[1].isoformat()]

    refused = run("ssen-smartmeter", "harvest", source["name"], "--from", "2024-02-13")
    assert refused.returncode != 0 and "--from and --to go together" in refused.stderr
