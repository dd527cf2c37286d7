"""Figures for the dataset page's load profile on a full-size day.

Run: .venv/bin/python benchmarks/profile_bench.py [FEEDERS]

Writes an LV-feeder day like the pipeline does (DuckDB COPY, zstd, sorted by
dataset_id; default 87,000 feeders x 48 = 4.18 M rows), then times what one
page view does (suggestions + one feeder's profile + the SVG) against a
naive baseline that reads the whole file and filters it in pandas.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from ckanext.ssen_smartmeter import chart, profile


def write_day(path: Path, feeders: int) -> None:
    duckdb.execute(f"""
        COPY (
          SELECT lpad((f // 2)::VARCHAR, 10, '0') || lpad((f % 2 + 1)::VARCHAR, 2, '0')
                   AS dataset_id,
                 'Scottish and Southern Electricity Networks' AS dno_name, 'SSEN' AS dno_alias,
                 lpad((f // 2)::VARCHAR, 10, '0') AS secondary_substation_id,
                 'Substation ' || (f // 2) AS secondary_substation_name,
                 lpad((f % 2 + 1)::VARCHAR, 2, '0') AS lv_feeder_id,
                 'Feeder ' || f AS lv_feeder_name,
                 '57.1, -2.1' AS substation_geo_location,
                 CASE WHEN (f + h) % 17 = 0 THEN NULL ELSE 5 + (f % 40) END::BIGINT
                   AS aggregated_device_count_active,
                 (1000 + h * 10 + f % 100)::BIGINT AS primary_consumption_active_import,
                 NULL::BIGINT AS secondary_consumption_active_import,
                 CASE WHEN (f + h) % 17 = 0 THEN NULL ELSE 1000 + h * 10 + f % 100 END::BIGINT
                   AS total_consumption_active_import,
                 (5 + f % 40)::BIGINT AS aggregated_device_count_reactive,
                 (40 + h)::BIGINT AS total_consumption_reactive_import,
                 TIMESTAMPTZ '2024-02-12 00:00:00+00' + to_minutes(30 * (h + 1))
                   AS data_collection_log_timestamp,
                 TIMESTAMPTZ '2024-02-14 06:00:00+00' AS insert_time,
                 TIMESTAMPTZ '2024-02-14 06:00:00+00' AS last_modified_time
          FROM range({feeders}) t(f), range(48) s(h)
          ORDER BY dataset_id, data_collection_log_timestamp
        ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
    """)


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM: ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def page_view(path: str, target: str) -> tuple[float, float, int, int]:
    """What the dataset page does, in a fresh process: (seconds, peak MB, ...)."""
    start = time.perf_counter()
    units = profile.list_units(path, 200)
    found = profile.read_profile(path, target, "active", 5)
    assert found is not None and len(found.points) == 48
    svg = chart.load_profile_svg(found.points, title="t", unit="Wh")
    return time.perf_counter() - start, _peak_mb(), len(units), len(svg)


def naive_view(path: str, target: str) -> tuple[float, float]:
    """The baseline: read the whole day, filter in pandas."""
    start = time.perf_counter()
    frame = pq.read_table(path).to_pandas()
    assert len(frame[frame["dataset_id"] == target]) == 48
    return time.perf_counter() - start, _peak_mb()


def main() -> None:
    feeders = int(sys.argv[1]) if len(sys.argv) > 1 else 87_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lv_feeder_2024-02-12.parquet"
        start = time.perf_counter()
        write_day(path, feeders)
        meta = pq.ParquetFile(path).metadata
        took = time.perf_counter() - start
        print(
            f"file: {meta.num_rows:,} rows, {meta.num_row_groups} row groups, "
            f"{path.stat().st_size / 1e6:.1f} MB (written in {took:.1f} s)"
        )
        target = f"{feeders // 2 - 1:010d}02"  # a feeder near the end of the file

        spawn = multiprocessing.get_context("spawn")
        with spawn.Pool(1) as pool:
            ours, peak_ours, n_units, svg_bytes = pool.apply(page_view, (str(path), target))
        with spawn.Pool(1) as pool:
            baseline, peak_naive = pool.apply(naive_view, (str(path), target))

        print(
            f"page view (200 suggestions + 1 profile + SVG of {svg_bytes:,} bytes): "
            f"{ours * 1000:.0f} ms, peak RSS {peak_ours:.0f} MB, {n_units} suggestions"
        )
        print(
            f"naive baseline (read whole file, filter in pandas): {baseline * 1000:.0f} ms, "
            f"peak RSS {peak_naive:.0f} MB"
        )
        print(f"speed-up: {baseline / ours:.0f}x")


if __name__ == "__main__":
    main()
