"""The harvest CLI's summary table and progress lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ckanext.ssen_smartmeter.harvest.cli import format_report, ssen_smartmeter

from .conftest import DAYS, source_config


def day(name: str, status: str, **counts: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "day": name,
        "status": status,
        "aggregated": status in ("published", "restated"),
        "rows_read": 0,
        "rows_accepted": 0,
        "rows_rejected": 0,
        "cells_suppressed_p1": 0,
        "cells_suppressed_p2": 0,
        "files_published": [],
        "rejected": {},
        "errors": [],
    }
    row.update(counts)
    return row


def test_the_table_is_aligned_with_wide_numbers_and_dashes_where_counts_do_not_apply() -> None:
    report = {
        "days": [
            day(
                "2024-02-12",
                "published",
                rows_read=86_400_000,
                rows_accepted=86_399_990,
                rows_rejected=10,
                cells_suppressed_p1=1_234_567,
                cells_suppressed_p2=89,
                files_published=["a", "b", "c", "d"],
                rejected={"bad_mpan": 10, "duplicate": 0},
            ),
            day("2024-02-13", "unchanged"),
            day(
                "2024-02-14",
                "late",
                late={"late_rows": 1_500, "late_files": ["2024-02-14.parquet"]},
            ),
            day(
                "2024-02-15",
                "error",
                errors=["2024-02-15: input unusable: 2024-02-15.parquet: not a readable file"],
            ),
        ],
        "statuses": {"published": 1, "unchanged": 1, "late": 1, "error": 1},
        "totals": {
            "rows_read": 86_400_000,
            "rows_accepted": 86_399_990,
            "rows_rejected": 10,
            "cells_suppressed_p1": 1_234_567,
            "cells_suppressed_p2": 89,
            "files_published": 4,
        },
    }
    assert format_report(report).splitlines() == [
        "day         status      rows read    accepted  rejected   P1 cells  P2 cells  files",
        "-" * 83,
        "2024-02-12  published  86,400,000  86,399,990        10  1,234,567        89      4",
        "2024-02-13  unchanged           –           –         –          –         –      –",
        "2024-02-14  late                –           –         –          –         –      –",
        "2024-02-15  error               –           –         –          –         –      –",
        "-" * 83,
        "total       4 day(s)   86,400,000  86,399,990        10  1,234,567        89      4",
        "error 1, late 1, published 1, unchanged 1",
        "2024-02-12 rejected: bad_mpan 10",
        "2024-02-14 late reads (not applied): 1,500 row(s) in 2024-02-14.parquet; "
        "apply with: ckan ssen-smartmeter restate SOURCE --date 2024-02-14",
        "2024-02-15 error: input unusable: 2024-02-15.parquet: not a readable file",
    ]


def test_a_source_of_one_licence_area_shows_the_rows_of_the_others() -> None:
    report = {
        "days": [
            day(
                "2024-02-12",
                "published",
                rows_read=1_200,
                rows_accepted=1_197,
                rows_rejected=3,
                rows_other_licence_area=41_000_000,
                rejected={"unmapped_meter": 3},
            ),
            day("2024-02-13", "unchanged", rows_other_licence_area=0),
        ],
        "statuses": {"published": 1, "unchanged": 1},
        "totals": {
            "rows_read": 1_200,
            "rows_accepted": 1_197,
            "rows_rejected": 3,
            "rows_other_licence_area": 41_000_000,
            "cells_suppressed_p1": 0,
            "cells_suppressed_p2": 0,
            "files_published": 0,
        },
    }
    lines = format_report(report).splitlines()
    assert lines[0] == (
        "day         status     rows read  accepted  rejected  other areas  "
        "P1 cells  P2 cells  files"
    )
    assert lines[2] == (
        "2024-02-12  published      1,200     1,197         3   41,000,000  "
        "       0         0      0"
    )
    assert lines[3].split() == ["2024-02-13", "unchanged", *["–"] * 7]
    assert lines[5].split()[:7] == ["total", "2", "day(s)", "1,200", "1,197", "3", "41,000,000"]
    assert "2024-02-12 rejected: unmapped_meter 3" in lines
    # a source of every area of its topology has no such rows: no column
    for row in report["days"]:
        row["rows_other_licence_area"] = 0
    assert "other areas" not in format_report(report)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_harvest_command_prints_plain_progress_lines_without_a_terminal(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    source = make_source(source_config(generated))
    result = CliRunner().invoke(ssen_smartmeter, ["harvest", source["name"]])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("days ")]
    # the first day, then (within 10 s) only the last: the report's words
    assert progress[0].startswith("days 1/3, about ") and progress[0].endswith(
        f"s left; {DAYS[0]} published"
    )
    assert progress[-1] == f"days 3/3; {DAYS[2]} published"
    table = result.stdout.splitlines()
    assert [line.split()[:2] for line in table if line.startswith("2024-")] == [
        [d.isoformat(), "published"] for d in DAYS
    ]

    again = CliRunner().invoke(ssen_smartmeter, ["harvest", source["name"], "--date", str(DAYS[1])])
    assert again.exit_code == 0, again.output
    assert f"days 1/1; {DAYS[1]} unchanged" in again.stderr.splitlines()
    (row,) = [line for line in again.stdout.splitlines() if line.startswith(str(DAYS[1]))]
    assert row.split() == [str(DAYS[1]), "unchanged", "–", "–", "–", "–", "–", "–"]
