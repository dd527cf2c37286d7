"""How many slices the first pass is split into, from the memory limit."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from ckanext.ssen_smartmeter.pipeline import (
    AggregateConfig,
    InputError,
    aggregate_day,
    generate_day,
)
from ckanext.ssen_smartmeter.pipeline.config import MAX_SLICES
from ckanext.ssen_smartmeter.pipeline.engine import memory_limit_bytes, plan_slices

from .helpers import DATA, PUBLISHED, run

# a full SSEN day: ~92,900 meter groups x 48 half-hours, 1.8M meters
FULL_DAY = {"groups": 4_460_000, "meters": 1_800_000, "threads": 2}


@pytest.mark.parametrize(
    ("limit", "slices"),
    [
        (4_000_000_000, 1),
        (2_000_000_000, 1),  # the default: one scan
        (1_000_000_000, 3),
        (800_000_000, 5),
        (500_000_000, 15),
        (100_000_000, MAX_SLICES),  # less than the fixed part: as many as allowed
    ],
)
def test_a_full_day_takes_more_slices_as_memory_shrinks(limit, slices):
    assert plan_slices(**FULL_DAY, limit_bytes=limit) == slices


def test_a_small_day_is_one_slice_and_more_threads_need_more_slices():
    assert plan_slices(groups=48_000, meters=1_000, threads=2, limit_bytes=100_000_000) == 1
    two = plan_slices(**{**FULL_DAY, "threads": 2}, limit_bytes=1_500_000_000)
    eight = plan_slices(**{**FULL_DAY, "threads": 8}, limit_bytes=1_500_000_000)
    assert two < eight


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("1GB", 953.6 * 2**20),
        ("2GiB", 2 * 2**30),
        ("500MB", 476.8 * 2**20),
        ("300000KiB", 292.9 * 2**20),
        ("-1", 16383.9 * 2**50),  # no limit
    ],
)
def test_memory_limit_is_read_back_from_duckdb_in_bytes(setting, expected):
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{setting}'")
    assert memory_limit_bytes(con) == int(expected)


@pytest.mark.parametrize("slices", [0, MAX_SLICES + 1])
def test_slices_out_of_range_are_refused(slices):
    with pytest.raises(InputError, match=f"slices: must be between 1 and {MAX_SLICES}"):
        AggregateConfig(slices=slices).validate()


def test_a_memory_limit_below_100mb_is_refused(tmp_path):
    with pytest.raises(InputError, match="memory_limit: must be at least 100MB"):
        run(
            [DATA / "basic" / "reads.csv"],
            DATA / "basic" / "topology",
            dt.date(2024, 2, 12),
            tmp_path / "out",
            memory_limit="50MB",
        )
    assert not (tmp_path / "out" / "quality").exists()


def test_a_small_limit_slices_the_first_pass_and_changes_no_byte(tmp_path):
    """Automatic slices (CSV staged as Parquet once) give the one-scan files and report."""
    day = dt.date(2024, 2, 12)
    generate_day(40_000, day, tmp_path / "in", seed=3, fmt="csv", threads=2)
    reads = [tmp_path / "in" / "reads" / f"{day}.csv"]
    phases: list[str] = []
    sliced = aggregate_day(
        reads,
        tmp_path / "in" / "topology",
        day,
        tmp_path / "a",
        AggregateConfig(threads=2, memory_limit="100MB", published_at=PUBLISHED),
        progress=lambda phase, *_: phases.append(phase),
    )
    whole = run(reads, tmp_path / "in" / "topology", day, tmp_path / "b", threads=2, slices=1)

    slices = {int(m.group(1)) for p in phases if (m := re.search(r"slice \d+ of (\d+)", p))}
    assert len(slices) == 1 and slices.pop() >= 2
    assert f"staging {day}.csv as Parquet" in phases
    assert sliced.to_dict() == whole.to_dict()
    for level in ("lv_feeder", "secondary_substation"):
        for suffix in ("csv", "parquet"):
            name = f"{level}/{day}.{suffix}"
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # the staged copy is gone with the run
    assert not list((tmp_path / "a").rglob("reads-*.parquet"))
