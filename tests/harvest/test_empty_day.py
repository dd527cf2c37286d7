"""A day with no accepted read is an error, never an empty publication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from ckanext.ssen_smartmeter.harvest.day_plan import DayRange
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, generate, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def break_timestamps(reads: Path) -> int:
    """Every row of a CSV reads file gets an impossible ``period_end``; its row count."""
    header, *rows = reads.read_text().splitlines()
    column = header.split(",").index("period_end")
    broken = []
    for row in rows:
        cells = row.split(",")
        cells[column] = "2024-13-45T99:00:00Z"
        broken.append(",".join(cells))
    reads.write_text("\n".join([header, *broken]) + "\n")
    return len(rows)


def day_resources(name: str, day: dt.date) -> list[dict[str, Any]]:
    dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    return [r for r in dataset["resources"] if r["period_start"] == day.isoformat()]


def test_a_day_with_no_accepted_read_is_an_error_and_publishes_nothing(
    harvest_config: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    folder = generate(harvest_config / "csv", DAYS, fmt="csv")
    rows = break_timestamps(folder / "reads" / f"{DAYS[1]}.csv")
    source = make_source(source_config(folder, reads_pattern="{date}.csv"))

    report = run_job(source["name"])

    assert report["statuses"] == {"published": 2, "error": 1}
    bad = {d["day"]: d for d in report["days"]}[DAYS[1].isoformat()]
    assert bad["errors"] == [
        f"no accepted reads for {DAYS[1]}: {rows:,} rows rejected (bad_timestamp: {rows:,})"
    ]
    assert bad["files_published"] == []
    for name in ("smart-meter-lv-feeder-2024-02", "smart-meter-secondary-substation-2024-02"):
        assert day_resources(name, DAYS[1]) == []
        assert len(day_resources(name, DAYS[0])) == 2


def test_a_restatement_with_no_accepted_read_leaves_the_published_day(
    harvest_config: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    folder = generate(harvest_config / "csv", DAYS, fmt="csv")
    source = make_source(source_config(folder, reads_pattern="{date}.csv"))
    assert run_job(source["name"])["statuses"] == {"published": 3}
    before = day_resources("smart-meter-lv-feeder-2024-02", DAYS[0])

    rows = break_timestamps(folder / "reads" / f"{DAYS[0]}.csv")
    report = run_job(source["name"], DayRange(DAYS[0], DAYS[0], restate=True))

    assert report["statuses"] == {"error": 1}
    assert report["days"][0]["errors"] == [
        f"no accepted reads for {DAYS[0]}: {rows:,} rows rejected (bad_timestamp: {rows:,})"
    ]
    after = day_resources("smart-meter-lv-feeder-2024-02", DAYS[0])
    assert [(r["id"], r["sha256"], r["last_modified"]) for r in after] == [
        (r["id"], r["sha256"], r["last_modified"]) for r in before
    ]
