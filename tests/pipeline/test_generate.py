"""The synthetic data generator."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq

from ckanext.ssen_smartmeter.pipeline import generate_day
from ckanext.ssen_smartmeter.pipeline.generate import topology_tables

from .helpers import run


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    day = dt.date(2024, 2, 12)
    a = generate_day(200, day, tmp_path / "a", seed=7, fmt="parquet", anomalies=True)
    b = generate_day(200, day, tmp_path / "b", seed=7, fmt="parquet", anomalies=True)
    c = generate_day(200, day, tmp_path / "c", seed=8, fmt="parquet", anomalies=True)
    assert a.reads[0].read_bytes() == b.reads[0].read_bytes()
    assert a.reads[0].read_bytes() != c.reads[0].read_bytes()
    for name in ("lv_feeders.parquet", "meter_feeders.parquet"):
        assert (a.topology_dir / name).read_bytes() == (b.topology_dir / name).read_bytes()


def test_topology_is_skewed_with_tiny_feeders_and_about_four_per_substation():
    feeders, meters = topology_tables(20_000, seed=1)
    assert meters.num_rows == 20_000
    assert len(set(meters.column("mpan").to_pylist())) == 20_000
    assert all(len(m) == 13 for m in meters.column("mpan").to_pylist()[:100])
    sizes: dict[str, int] = {}
    for fid in meters.column("dataset_id").to_pylist():
        sizes[fid] = sizes.get(fid, 0) + 1
    values = sorted(sizes.values())
    assert values[0] <= 4 and sum(v <= 4 for v in values) > 0.03 * len(values)
    assert values[-1] >= 60  # long tail
    subs = {fid[:10] for fid in feeders.column("dataset_id").to_pylist()}
    assert 3.0 <= feeders.num_rows / len(subs) <= 5.0


def test_reads_have_second_registers_and_missing_reactive(tmp_path):
    day = generate_day(500, dt.date(2024, 2, 12), tmp_path, seed=2)
    table = pq.read_table(day.reads[0])
    assert table.num_rows == 500 * 48
    assert 0 < table.column("secondary_active_import_wh").null_count < table.num_rows
    assert 0 < table.column("reactive_import_varh").null_count < table.num_rows
    assert str(table.schema.field("period_end").type) == "timestamp[us, tz=UTC]"


def test_london_spring_day_parquet_naive_times_aggregate_to_48_periods(tmp_path):
    day = dt.date(2024, 3, 31)
    gen = generate_day(400, day, tmp_path / "g", seed=5, timezone="Europe/London", anomalies=True)
    table = pq.read_table(gen.reads[0])
    assert str(table.schema.field("period_end").type) == "timestamp[us]"  # naive local
    report = run(gen.reads, gen.topology_dir, day, tmp_path / "o", timezone="Europe/London")
    assert report.rejected == gen.expected_rejections
    assert report.rejected["ambiguous_local_time"] == 2  # injected; none natural in spring
    expected = json.loads((tmp_path / "g" / "expected_rejections.json").read_text())
    assert expected == report.rejected
    assert report.rows_written["lv_feeder"] == report.feeders_published * 48


def test_days_differ_but_the_meters_stay(tmp_path):
    tables = []
    for day in (dt.date(2024, 2, 12), dt.date(2024, 2, 13)):
        generate_day(300, day, tmp_path / str(day), seed=3)
        tables.append(pq.read_table(tmp_path / str(day) / "reads" / f"{day}.parquet"))
    a, b = tables
    assert a.column("mpan").to_pylist() == b.column("mpan").to_pylist()
    # the same meters' registers: secondary and reactive present for the same rows
    for name in ("secondary_active_import_wh", "reactive_import_varh"):
        assert [v is None for v in a.column(name).to_pylist()] == [
            v is None for v in b.column(name).to_pylist()
        ]
    values_a = a.column("active_import_wh").to_pylist()
    values_b = b.column("active_import_wh").to_pylist()
    differ = sum(x != y for x, y in zip(values_a, values_b, strict=True))
    assert differ > 0.9 * len(values_a)  # another day, other values
    for day in ("2024-02-12", "2024-02-13"):
        topology = {f.name: f.read_bytes() for f in (tmp_path / day / "topology").iterdir()}
        assert topology == {
            f.name: f.read_bytes() for f in (tmp_path / "2024-02-12" / "topology").iterdir()
        }
