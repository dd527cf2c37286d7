"""Re-runs publish nothing twice; late reads are reported, then restated (rule P3)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import duckdb
import pytest
from click.testing import CliRunner

from ckanext.ssen_smartmeter.harvest import publish
from ckanext.ssen_smartmeter.harvest.cli import ssen_smartmeter
from ckanext.ssen_smartmeter.harvest.day_plan import DayRange
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
CLI = str(Path(sys.executable).with_name("ssen-smartmeter"))
LATE_DAY = DAYS[1]


def show(name: str) -> dict[str, Any]:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": name})


def day_files(level: str, day: str) -> dict[str, Path]:
    dataset = show(f"smart-meter-{level.replace('_', '-')}-2024-02")
    return {
        r["format"]: publish.published_file(r["id"])
        for r in dataset["resources"]
        if r["period_start"] == day
    }


def withhold_reads(full: Path, kept: Path) -> int:
    """Write ``kept``: ``full`` without the last 4 half-hours of 30 meters; count removed."""
    con = duckdb.connect()
    source = f"read_parquet('{full}')"
    removed = con.execute(f"""
        COPY (SELECT * FROM {source}
              WHERE NOT (mpan IN (SELECT DISTINCT mpan FROM {source} ORDER BY mpan LIMIT 30)
                         AND period_end > (SELECT max(period_end) FROM {source})
                             - INTERVAL 2 HOUR))
        TO '{kept}' (FORMAT parquet)""").fetchone()
    total = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    return total - removed[0]


def csv_rows(path: Path) -> list[dict[str, str]]:
    con = duckdb.connect()
    return (
        con.execute(
            f"SELECT * FROM read_csv('{path}', all_varchar=true, header=true) "
            "ORDER BY dataset_id, data_collection_log_timestamp"
        )
        .fetchdf()
        .fillna("")
        .to_dict("records")
    )


def test_rerun_unchanged_late_reads_reported_then_restated(
    generated: Path, make_source: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    reads = generated / "reads" / f"{LATE_DAY}.parquet"
    full = tmp_path / "full.parquet"
    reads.rename(full)
    removed = withhold_reads(full, reads)
    assert removed > 0
    source = make_source(source_config(generated, late_window_days=100_000))

    first = run_job(source["name"])
    assert first["statuses"] == {"published": 3}
    published = {
        level: day_files(level, LATE_DAY.isoformat())
        for level in ("lv_feeder", "secondary_substation")
    }
    before = {
        level: {fmt: p.read_bytes() for fmt, p in files.items()}
        for level, files in published.items()
    }

    # a regular re-run finds nothing to do; naming the days confirms they are unchanged
    assert run_job(source["name"])["days"] == []
    again = run_job(source["name"], DayRange(DAYS[0], DAYS[-1]))
    assert again["statuses"] == {"unchanged": 3}
    assert {d["state"] for d in again["days"]} == {"COMPLETE"}
    assert len(show("smart-meter-lv-feeder-2024-02")["resources"]) == 6

    # the late reads arrive: reported, not applied
    full.replace(reads)
    late = run_job(source["name"])
    assert late["statuses"] == {"late": 1}
    (row,) = late["days"]
    assert row["day"] == LATE_DAY.isoformat()
    assert row["late"]["late_rows"] == removed
    assert row["late"]["input_files"]["changed"] == [f"{LATE_DAY}.parquet"]
    assert row["files_published"] == []
    for level, files in published.items():
        assert {fmt: p.read_bytes() for fmt, p in files.items()} == before[level]
    assert run_job(source["name"])["days"] == []  # reported once

    # the operator restates the day: insert_time kept, last_modified_time moves where changed
    result = CliRunner().invoke(
        ssen_smartmeter, ["restate", source["name"], "--date", LATE_DAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "restated" in result.output
    restated_lv = day_files("lv_feeder", LATE_DAY.isoformat())
    assert restated_lv["CSV"] == published["lv_feeder"]["CSV"]  # same resource, same file
    (tmp_path / "old.csv").write_bytes(before["lv_feeder"]["CSV"])
    old_rows = csv_rows(tmp_path / "old.csv")
    new_rows = csv_rows(restated_lv["CSV"])
    dataset = show("smart-meter-lv-feeder-2024-02")
    resource = next(
        r
        for r in dataset["resources"]
        if r["period_start"] == LATE_DAY.isoformat() and r["format"] == "CSV"
    )
    restated_at = resource["quality_report"]["published_at"]
    first_at = old_rows[0]["insert_time"]
    assert restated_at > first_at
    assert resource["quality_report"]["restatement"]["lv_feeder"]["changed_rows"] > 0

    # the values are those of the CLI on the full reads
    out = tmp_path / "cli"
    subprocess.run(
        [
            CLI,
            "aggregate",
            "--reads",
            str(reads),
            "--topology",
            str(generated / "topology"),
            "--date",
            LATE_DAY.isoformat(),
            "--out",
            str(out),
            "--published-at",
            restated_at,
        ],
        check=True,
        capture_output=True,
    )
    expected = csv_rows(out / "lv_feeder" / f"{LATE_DAY}.csv")
    times = ("insert_time", "last_modified_time")
    strip = [{k: v for k, v in r.items() if k not in times} for r in new_rows]
    assert strip == [{k: v for k, v in r.items() if k not in times} for r in expected]
    changed = 0
    for old, new in zip(old_rows, new_rows, strict=True):
        assert new["insert_time"] == first_at
        same = {k: v for k, v in old.items() if k not in times} == {
            k: v for k, v in new.items() if k not in times
        }
        assert new["last_modified_time"] == (first_at if same else restated_at)
        changed += not same
    assert changed == resource["quality_report"]["restatement"]["lv_feeder"]["changed_rows"]

    # the restatement is recorded; the next run is quiet
    report = tk.get_action("ssen_smartmeter_job_report")(
        {"ignore_auth": True},
        {
            "id": tk.get_action("harvest_job_list")(
                {"ignore_auth": True}, {"source_id": source["id"]}
            )[0]["id"]
        },
    )
    assert report["statuses"] == {"restated": 1}
    assert run_job(source["name"])["days"] == []


def test_years_of_history_gather_only_the_days_that_need_work(
    generated: Path, make_source: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ckanext.ssen_smartmeter.harvest import gather

    monkeypatch.setattr(gather, "BATCH", 50)  # many batches over ~11,000 days
    source = make_source(source_config(generated, first_date="1995-01-01", last_date=None))
    first = run_job(source["name"])
    assert [d["day"] for d in first["days"]] == [d.isoformat() for d in DAYS]
    assert first["statuses"] == {"published": 3}
    # published days outside the late window (31 days) are not looked at again
    assert run_job(source["name"])["days"] == []
