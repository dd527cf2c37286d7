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
from bs4 import BeautifulSoup
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


#: the largest feeder of the generated network (41 meters; P2 never hides it)
BATCH_FEEDER = "000100100301"


def withhold_reads(full: Path, kept: Path, topology: Path) -> int:
    """Write ``kept``: ``full`` without the last 4 half-hours of 30 meters outside
    ``BATCH_FEEDER``'s substation (late one by one: the P3 guard holds those
    half-hours) and of 5 meters of ``BATCH_FEEDER`` with an active and a
    reactive read and no second register there (a batch of threshold meters:
    applied). Returns the rows withheld."""
    con = duckdb.connect()
    source = f"read_parquet('{full}')"
    meters = f"read_parquet('{topology / 'meter_feeders.parquet'}')"
    last = f"period_end > (SELECT max(period_end) FROM {source}) - INTERVAL 2 HOUR"
    removed = con.execute(f"""
        COPY (SELECT * FROM {source}
              WHERE NOT ({last} AND mpan IN (
                  (SELECT mpan FROM {meters} WHERE left(dataset_id, 10) <> '{BATCH_FEEDER[:10]}'
                   ORDER BY mpan LIMIT 30)
                  UNION ALL
                  (SELECT r.mpan FROM {source} r JOIN {meters} m ON m.mpan = r.mpan
                   WHERE m.dataset_id = '{BATCH_FEEDER}' AND {last}
                   GROUP BY r.mpan
                   HAVING count(active_import_wh) = 4 AND count(reactive_import_varh) = 4
                      AND count(secondary_active_import_wh) = 0
                   ORDER BY r.mpan LIMIT 5))))
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
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    tmp_path: Path,
    app: Any,
    sysadmin: dict[str, Any],
) -> None:
    reads = generated / "reads" / f"{LATE_DAY}.parquet"
    full = tmp_path / "full.parquet"
    reads.rename(full)
    removed = withhold_reads(full, reads, generated / "topology")
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
    # the summary says what was changed and what the P3 guard held
    (said,) = [line for line in result.output.splitlines() if " restated: " in line]
    lv_counts = "lv_feeder rows new 0, changed 4, removed 0, held "
    assert said.startswith(f"{LATE_DAY} restated: {lv_counts}")
    assert said.endswith("substation half-hour(s) held by the P3 restatement guard")
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
    quality = resource["quality_report"]
    # rule P3's guard: the batch of five meters changes BATCH_FEEDER and its
    # substation in the last 4 half-hours; the half-hours where meters came
    # late one by one keep their published rows
    last = {r["data_collection_log_timestamp"] for r in old_rows[-4:]}
    assert quality["restatement"]["lv_feeder"]["changed_rows"] == 4
    assert quality["restatement"]["secondary_substation"]["changed_rows"] == 4
    assert quality["restatement_blocks_held"] > 0
    assert quality["restatement"]["lv_feeder"]["held_rows"] > 0

    def aggregate_cli(out: Path, *extra: str) -> Path:
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
                *extra,
            ],
            check=True,
            capture_output=True,
        )
        return out / "lv_feeder" / f"{LATE_DAY}.csv"

    # the files are those of the CLI restating the earlier publication
    previous = tmp_path / "previous"
    for level, files in before.items():
        (previous / level).mkdir(parents=True)
        (previous / level / f"{LATE_DAY}.csv").write_bytes(files["CSV"])
    restated_by_cli = aggregate_cli(tmp_path / "cli", "--previous", str(previous))
    assert restated_by_cli.read_bytes() == restated_lv["CSV"].read_bytes()

    # each row is the earlier one or, where it changed, a first publication's
    fresh = csv_rows(aggregate_cli(tmp_path / "fresh"))
    times = ("insert_time", "last_modified_time")

    def values(row: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in row.items() if k not in times}

    changed = held = 0
    for old, new, first in zip(old_rows, new_rows, fresh, strict=True):
        assert new["insert_time"] == first_at
        same = values(old) == values(new)
        assert new["last_modified_time"] == (first_at if same else restated_at)
        if not same:
            assert values(new) == values(first)
            assert new["dataset_id"] == BATCH_FEEDER
            assert new["data_collection_log_timestamp"] in last
        held += same and values(old) != values(first)
        changed += not same
    assert changed == quality["restatement"]["lv_feeder"]["changed_rows"]
    assert held > 0

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
    (day,) = report["days"]
    assert day["restatement"] == quality["restatement"]
    assert day["restatement_blocks_held"] == quality["restatement_blocks_held"]
    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    page = app.get(
        f"/harvest/{source['name']}/job/{report['job_id']}", headers={"Authorization": token}
    ).body
    shown = BeautifulSoup(page, "html.parser").select_one("#ssen-job-days .restatement")
    assert (
        shown.select_one("[data-level=lv_feeder]")
        .get_text(strip=True)
        .startswith("lv_feeder: 0 new, 4 changed, 0 removed,")
    )
    held = quality["restatement_blocks_held"]
    assert shown.select_one(".blocks-held").get_text(strip=True) == (
        f"{held:,} substation half-hours held (P3 restatement guard)"
    )
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
