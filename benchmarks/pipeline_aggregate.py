"""Benchmark of ``ssen-smartmeter aggregate`` on a synthetic SSEN day.

Generates a day (default 1.8M meters, 86.4M rows) as zstd Parquet and as CSV,
then runs, each in a fresh subprocess so peak RSS is its own:

- ``aggregate`` from Parquet (the whole run: inputs, privacy rules, outputs),
- the same under a lower DuckDB memory limit (``--bounded-memory``, 800MB:
  the first pass runs in slices so it fits), from Parquet and from CSV,
- ``aggregate`` from CSV,
- the bare aggregation in DuckDB from Parquet (join, group, threshold; no
  checks and no files: the floor for the whole job),
- a bare DuckDB scan of the same CSV (the floor for CSV input),
- a plain pandas version of the same aggregation from Parquet (the baseline).

Prints seconds, peak RSS and rows/s for each, and the targets. Usage::

    .venv/bin/python benchmarks/pipeline_aggregate.py [--meters 1800000] [--threads 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DAY = dt.date(2024, 2, 12)


def child(mode: str, work: Path, threads: int) -> dict:
    """Run one measured job in this (fresh) process."""
    reads_pq = work / "parquet" / "reads" / f"{DAY}.parquet"
    reads_csv = work / "csv" / "reads" / f"{DAY}.csv"
    topology = work / "parquet" / "topology"
    started = time.perf_counter()
    # "aggregate-parquet@800MB": the same job under that DuckDB memory limit
    mode, _, limit = mode.partition("@")
    if mode in ("aggregate-parquet", "aggregate-csv"):
        from ckanext.ssen_smartmeter.pipeline import AggregateConfig, aggregate_day

        out = work / f"out-{mode}"
        shutil.rmtree(out, ignore_errors=True)
        reads = reads_pq if mode == "aggregate-parquet" else reads_csv
        report = aggregate_day(
            [reads],
            topology,
            DAY,
            out,
            AggregateConfig(
                threads=threads,
                published_at=dt.datetime(2024, 2, 14, tzinfo=dt.UTC),
                memory_limit=limit or AggregateConfig.memory_limit,
            ),
        )
        rows = report.rows_read
    elif mode == "duckdb-scan-csv":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        rows = con.execute(
            "SELECT count(*), count(mpan), max(period_end), sum(active_import_wh), "
            "sum(secondary_active_import_wh), sum(reactive_import_varh) "
            f"FROM read_csv('{reads_csv}')"
        ).fetchone()[0]
    elif mode == "duckdb-floor-parquet":
        rows = duckdb_floor(reads_pq, topology, threads)
    elif mode == "pandas-parquet":
        rows = pandas_baseline(reads_pq, topology, work / "out-pandas")
    else:
        raise SystemExit(f"unknown mode {mode}")
    return {"seconds": time.perf_counter() - started, "rows": int(rows)}


def duckdb_floor(reads: Path, topology: Path, threads: int) -> int:
    """The simplest form of the job in DuckDB (the 4.4 s of performance-notes.md).

    Join to the meter->feeder lookup, group by feeder x half-hour, sum and
    count, apply the threshold; no validation, duplicates, P2 or files. What
    the whole ``aggregate`` costs above this is the price of the contract.
    """
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    row = con.execute(f"""
        SELECT sum(n), count(*) FROM (
            SELECT m.dataset_id, r.period_end, count(*) AS n,
                   CASE WHEN count(r.active_import_wh) >= 5 THEN sum(r.active_import_wh) END,
                   CASE WHEN count(r.reactive_import_varh) >= 5
                        THEN sum(r.reactive_import_varh) END
            FROM read_parquet('{reads}') r
            JOIN read_parquet('{topology / "meter_feeders.parquet"}') m ON m.mpan = r.mpan
            GROUP BY ALL
        )
    """).fetchone()
    return int(row[0])


def pandas_baseline(reads: Path, topology: Path, out: Path) -> int:
    """The same aggregation written plainly in pandas (no duplicate or P2 handling)."""
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(reads)
    meters = pd.read_parquet(topology / "meter_feeders.parquet")
    feeders = pd.read_parquet(topology / "lv_feeders.parquet")
    start = pd.Timestamp(DAY, tz="UTC")
    ok = (
        df["mpan"].str.fullmatch(r"\d{13}")
        & (df["period_end"] > start)
        & (df["period_end"] <= start + pd.Timedelta(days=1))
        & (df["active_import_wh"].fillna(0) >= 0)
        & (df["active_import_wh"].fillna(0) <= 50_000)
    )
    df = df[ok].merge(meters, on="mpan", how="inner")
    cells = (
        df.groupby(["dataset_id", "period_end"])
        .agg(
            aggregated_device_count_active=("active_import_wh", "count"),
            primary_consumption_active_import=("active_import_wh", "sum"),
            secondary_consumption_active_import=("secondary_active_import_wh", "sum"),
            aggregated_device_count_reactive=("reactive_import_varh", "count"),
            total_consumption_reactive_import=("reactive_import_varh", "sum"),
        )
        .reset_index()
    )
    hide = cells["aggregated_device_count_active"] < 5
    for col in ("primary_consumption_active_import", "secondary_consumption_active_import"):
        cells.loc[hide, col] = np.nan
    cells.loc[
        cells["aggregated_device_count_reactive"] < 5, "total_consumption_reactive_import"
    ] = np.nan
    cells = cells.merge(feeders, on="dataset_id").sort_values(["dataset_id", "period_end"])
    out.mkdir(parents=True, exist_ok=True)
    cells.to_csv(out / f"{DAY}.csv", index=False)
    return len(ok)


def measure(mode: str, work: Path, threads: int) -> dict:
    """Run ``mode`` in a fresh interpreter; seconds from the child, peak RSS from wait4."""
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--work",
        str(work),
        "--threads",
        str(threads),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{mode} failed with exit code {proc.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["mode"] = mode
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=1_800_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", default="/tmp/ssen-pipeline-bench")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the generated day")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument(
        "--bounded-memory",
        default="800MB",
        help="also run aggregate from Parquet under this DuckDB memory limit ('' to skip)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.work)
    if args.child:
        print(json.dumps(child(args.child, work, args.threads)))
        return 0
    if not args.skip_generate:
        from ckanext.ssen_smartmeter.pipeline import generate_day

        for fmt in ("parquet", "csv"):
            t0 = time.perf_counter()
            shutil.rmtree(work / fmt, ignore_errors=True)
            generate_day(args.meters, DAY, work / fmt, seed=1, fmt=fmt, threads=args.threads)
            print(f"generated {fmt}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    bounded = f"aggregate-parquet@{args.bounded_memory}" if args.bounded_memory else None
    modes = ["aggregate-parquet", "duckdb-floor-parquet", "aggregate-csv", "duckdb-scan-csv"]
    if bounded:
        modes.insert(1, bounded)
        modes.insert(4, f"aggregate-csv@{args.bounded_memory}")
    if not args.skip_pandas:
        modes.append("pandas-parquet")
    results = {m: measure(m, work, args.threads) for m in modes}
    print(f"{args.meters:,} meters, {args.threads} threads, {os.cpu_count()} cores visible")
    print(f"{'job':<26} {'seconds':>9} {'peak RSS MB':>12} {'rows/s':>14}")
    for r in results.values():
        print(
            f"{r['mode']:<26} {r['seconds']:>9.2f} {r['peak_rss_mb']:>12.0f} "
            f"{r['rows'] / r['seconds']:>14,.0f}"
        )
    pq_run, csv_run = results["aggregate-parquet"], results["aggregate-csv"]
    scan = results["duckdb-scan-csv"]
    print(
        f"target parquet <= 5 s: {pq_run['seconds']:.2f} s; <= 1024 MB: "
        f"{pq_run['peak_rss_mb']:.0f} MB"
    )
    if bounded:
        b = results[bounded]
        print(
            f"with memory_limit {args.bounded_memory}: {b['seconds']:.2f} s; <= 1024 MB: "
            f"{b['peak_rss_mb']:.0f} MB (from CSV: "
            f"{results[f'aggregate-csv@{args.bounded_memory}']['seconds']:.2f} s)"
        )
    floor = results["duckdb-floor-parquet"]
    print(
        f"bare aggregation floor (no checks, no files): {floor['seconds']:.2f} s; "
        f"the whole aggregate is {pq_run['seconds'] / floor['seconds']:.2f} x that"
    )
    print(f"target csv <= 1.5 x bare scan: {csv_run['seconds'] / scan['seconds']:.2f} x")
    if "pandas-parquet" in results:
        print(
            f"target >= 6 x faster than pandas: "
            f"{results['pandas-parquet']['seconds'] / pq_run['seconds']:.2f} x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
