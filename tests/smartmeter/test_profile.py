"""Reading a feeder's profile from a published Parquet file (pyarrow, no CKAN)."""
from __future__ import annotations

import datetime as dt

from ckanext.ssen_smartmeter import profile

from . import data


def test_profile_of_a_feeder_with_suppressed_cells(tmp_path):
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"))
    points = profile.read_profile(path, "000100200301", "active", 5)
    assert len(points) == 48
    assert points[0] == (dt.datetime(2024, 2, 12, 0, 30), 1025)
    assert points[-1][0] == dt.datetime(2024, 2, 13, 0, 0)
    assert [k for k, (_, v) in enumerate(points, 1) if v is None] == [10, 11]


def test_counts_below_the_threshold_are_hidden_even_if_the_file_has_values(tmp_path):
    rows = data.feeder_rows()
    rows[0]["aggregated_device_count_active"] = 3  # a defective file
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"), rows)
    assert profile.read_profile(path, "000100200301", "active", 5)[0][1] is None
    assert profile.read_profile(path, "000100200301", "active", 3)[0][1] == 1025


def test_reactive_measure_and_unknown_unit(tmp_path):
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"))
    assert profile.read_profile(path, "000100200302", "reactive", 5)[0][1] == 41
    assert profile.read_profile(path, "999", "active", 5) == []


def test_units_listed_by_id_with_names(tmp_path):
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"))
    assert profile.list_units(path) == [
        profile.Unit("000100200301", "Main Street"),
        profile.Unit("000100200302", "Harbour Road"),
    ]
    assert profile.has_unit(path, "000100200302")
    assert not profile.has_unit(path, "000100200303")
