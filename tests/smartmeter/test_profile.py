"""Reading a feeder's profile from a published Parquet file (pyarrow, no CKAN)."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq

from ckanext.ssen_smartmeter import profile

from . import data


def test_profile_of_a_feeder_with_suppressed_cells(tmp_path):
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"))
    found = profile.read_profile(path, "000100200301", "active", 5)
    assert found.unit == profile.Unit("000100200301", "Main Street")
    assert len(found.points) == 48
    assert found.points[0] == (dt.datetime(2024, 2, 12, 0, 30), 1025)
    assert found.points[-1][0] == dt.datetime(2024, 2, 13, 0, 0)
    assert [k for k, (_, v) in enumerate(found.points, 1) if v is None] == [10, 11]


def test_counts_below_the_threshold_are_hidden_even_if_the_file_has_values(tmp_path):
    rows = data.feeder_rows()
    rows[0]["aggregated_device_count_active"] = 3  # a defective file
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"), rows)
    assert profile.read_profile(path, "000100200301", "active", 5).points[0][1] is None
    assert profile.read_profile(path, "000100200301", "active", 3).points[0][1] == 1025


def test_reactive_measure_and_unknown_unit(tmp_path):
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"))
    found = profile.read_profile(path, "000100200302", "reactive", 5)
    assert found.unit.name == "Unnamed feeder, Harbour Road substation"  # not "X substation"
    assert found.points[0][1] == 41
    assert profile.read_profile(path, "999", "active", 5) is None


def test_units_listed_in_file_order_with_names(tmp_path):
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"))
    assert profile.list_units(path) == [
        profile.Unit("000100200301", "Main Street"),
        profile.Unit("000100200302", "Unnamed feeder, Harbour Road substation"),
    ]
    assert profile.list_units(path, limit=1) == [profile.Unit("000100200301", "Main Street")]


def test_a_substation_is_labelled_by_its_name_and_a_nameless_feeder_as_a_feeder(tmp_path):
    path = data.write_substation_parquet(str(tmp_path / "ss.parquet"))
    assert profile.list_units(path) == [profile.Unit("0001002003", "Harbour Road")]
    rows = [dict(r, secondary_substation_name="") for r in data.feeder_rows()]
    path = data.write_feeder_parquet(str(tmp_path / "day.parquet"), rows)
    assert [u.name for u in profile.list_units(path)] == ["Main Street", "Unnamed feeder"]


def test_suggestions_stop_after_the_first_row_groups(tmp_path):
    rows = [dict(r, dataset_id=f"{i:012d}") for i, r in enumerate(data.feeder_rows() * 50)]
    path = str(tmp_path / "many.parquet")
    data.write_feeder_parquet(path, rows)
    pq.write_table(pq.read_table(path), path, row_group_size=100)
    assert pq.ParquetFile(path).num_row_groups == 48
    units = profile.list_units(path, limit=150)
    assert [u.id for u in units] == [f"{i:012d}" for i in range(150)]
