"""Shared helpers of the pipeline tests (no CKAN needed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from ckanext.ssen_smartmeter.pipeline import AggregateConfig, QualityReport, aggregate_day

DATA = Path(__file__).parent / "data"
PUBLISHED = dt.datetime(2024, 2, 14, 6, 0, tzinfo=dt.UTC)
EMPTY_VALUES = ("",) * 6


def run(reads, topology, day, out, **config) -> QualityReport:
    config.setdefault("published_at", PUBLISHED)
    config.setdefault("threads", 1)
    return aggregate_day(reads, topology, day, out, AggregateConfig(**config))


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def non_empty_lines(path: Path) -> list[str]:
    """Header and the rows with any count or value (by CSV parsing, not by pattern)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    parsed = list(csv.reader(io.StringIO(text)))
    header = parsed[0]
    first = header.index("aggregated_device_count_active")
    last = header.index("total_consumption_reactive_import")
    return [lines[0]] + [
        line for line, row in zip(lines[1:], parsed[1:], strict=True) if any(row[first : last + 1])
    ]


def expected_quality(case: str) -> dict:
    return json.loads((DATA / case / "expected_quality.json").read_text(encoding="utf-8"))
