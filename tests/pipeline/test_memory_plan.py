"""How many slices the first pass is split into, from the memory limit."""

from __future__ import annotations

import duckdb
import pytest

from ckanext.ssen_smartmeter.pipeline import AggregateConfig, InputError
from ckanext.ssen_smartmeter.pipeline.config import MAX_SLICES
from ckanext.ssen_smartmeter.pipeline.engine import memory_limit_bytes, plan_slices

# a full SSEN day: ~92,900 meter groups x 48 half-hours, 1.8M meters
FULL_DAY = {"groups": 4_460_000, "meters": 1_800_000, "threads": 2}


@pytest.mark.parametrize(
    ("limit", "slices"),
    [
        (4_000_000_000, 1),
        (2_000_000_000, 1),  # the default: one scan
        (1_000_000_000, 3),
        (800_000_000, 5),
        (500_000_000, MAX_SLICES),  # less than the fixed part: as many as allowed
    ],
)
def test_a_full_day_takes_more_slices_as_memory_shrinks(limit, slices):
    assert plan_slices(**FULL_DAY, limit_bytes=limit) == slices


def test_a_small_day_is_one_slice_and_more_threads_need_more_slices():
    assert plan_slices(groups=48_000, meters=1_000, threads=2, limit_bytes=500_000_000) == 1
    two = plan_slices(**{**FULL_DAY, "threads": 2}, limit_bytes=1_500_000_000)
    eight = plan_slices(**{**FULL_DAY, "threads": 8}, limit_bytes=1_500_000_000)
    assert two < eight


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("1GB", 953.6 * 2**20), ("2GiB", 2 * 2**30), ("500MB", 476.8 * 2**20)],
)
def test_memory_limit_is_read_back_from_duckdb_in_bytes(setting, expected):
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{setting}'")
    assert memory_limit_bytes(con) == int(expected)


@pytest.mark.parametrize("slices", [0, MAX_SLICES + 1])
def test_slices_out_of_range_are_refused(slices):
    with pytest.raises(InputError, match=f"slices: must be between 1 and {MAX_SLICES}"):
        AggregateConfig(slices=slices).validate()
