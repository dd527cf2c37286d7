#!/usr/bin/env python3
"""One harvested day end to end next to the bare aggregation of the same day.

    CKAN_SQLALCHEMY_URL=postgresql://ckan_default:pass@127.0.0.1/ckan_test_harvest \\
    CKAN_STORAGE_PATH=/work/main/var/test-storage-harvest \\
        .venv/bin/python benchmarks/harvest_bench.py --scale 0.1 --repeat 3

RESETS the configured database (its name must contain ``test`` or ``bench``).
Generates one synthetic day (``--scale`` x 1.8M meters, cached under
``benchmarks/out/harvest/``), then alternates, in fresh processes:

- bare: ``aggregate_day`` on the day (what ``ssen-smartmeter aggregate`` runs),
  same options as the harvest (threshold 5, pinned publication time);
- harvest: a smart meter harvest job for that day through the real stages
  (gather, fetch = the same aggregation in the work area plus output
  checksums, import = files placed in the resource storage and two monthly
  datasets written through ``package_create``), job closed by
  ``harvest_jobs_run``. CKAN start-up is not timed (consumers are long-lived);
  the datasets are purged after each run, untimed.

Prints wall seconds (median and best), peak RSS of each process, rows/s, the
harvest's stage breakdown and its overhead over the bare aggregation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FULL_METERS = 1_800_000
DAY = dt.date(2024, 2, 12)
PUBLISHED_AT = dt.datetime(2024, 2, 14, 6, 0, 0)
SOURCE = "bench-smart-meters"
SEED = 11


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def data_dir(meters: int) -> Path:
    return ROOT / "benchmarks" / "out" / "harvest" / f"{meters}"


def ensure_day(meters: int) -> Path:
    folder = data_dir(meters)
    if not (folder / "reads" / f"{DAY}.parquet").is_file():
        from ckanext.ssen_smartmeter.pipeline import generate_day

        started = time.perf_counter()
        generate_day(meters, DAY, folder, seed=SEED, fmt="parquet")
        print(
            f"generated {meters:,} meters for {DAY} in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
    return folder


def load_app(ini: str) -> Any:
    import ckan.plugins.toolkit as tk
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    context = app._wsgi_app.test_request_context()
    context.push()
    tk.config["ckanext.ssen_smartmeter.source_roots"] = str(ROOT / "benchmarks" / "out")
    return app


def check_database() -> None:
    import ckan.plugins.toolkit as tk

    name = tk.config["sqlalchemy.url"].rsplit("/", 1)[-1]
    if "test" not in name and "bench" not in name:
        raise SystemExit(f"refusing to reset database {name!r} (name lacks test/bench)")


# ---- child processes ---------------------------------------------------------------------
def child_setup(ini: str, folder: Path) -> dict[str, Any]:
    load_app(ini)
    check_database()
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _resolve_alembic_config, _run_migrations
    from ckan.tests import factories, helpers

    helpers.reset_db()
    for name in tk.aslist(tk.config.get("ckan.plugins")):
        if os.path.exists(_resolve_alembic_config(name)):
            _run_migrations(name)
    admin = factories.Sysadmin(name="bench-admin")
    factories.Organization(name="bench-org", users=[{"name": admin["name"], "capacity": "admin"}])
    config = {
        "reads": str(folder / "reads"),
        "reads_pattern": "{date}.parquet",
        "topology": str(folder / "topology"),
        "licence_areas": ["SHEPD", "SEPD"],
        "first_date": DAY.isoformat(),
        "last_date": DAY.isoformat(),
        "threshold": 5,
    }
    tk.get_action("harvest_source_create")(
        {"user": admin["name"]},
        {
            "name": SOURCE,
            "title": "Bench",
            "url": config["reads"],
            "source_type": "ssen_smartmeter",
            "owner_org": "bench-org",
            "frequency": "MANUAL",
            "config": json.dumps(config),
        },
    )
    return {"ok": True}


def child_bare(folder: Path, out: Path) -> dict[str, Any]:
    from ckanext.ssen_smartmeter.pipeline import AggregateConfig, aggregate_day

    started = time.perf_counter()
    report = aggregate_day(
        [folder / "reads" / f"{DAY}.parquet"],
        folder / "topology",
        DAY,
        out,
        AggregateConfig(threshold=5, published_at=PUBLISHED_AT),
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": report.rows_read, "peak_rss_mib": peak_rss_mib()}


def child_harvest(ini: str) -> dict[str, Any]:
    load_app(ini)
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.harvest.model import HarvestObject

    from ckanext.ssen_smartmeter.harvest import publish
    from ckanext.ssen_smartmeter.harvest.day_plan import DayRange
    from ckanext.ssen_smartmeter.harvest.sync_run import run_job, site_context

    started = time.perf_counter()
    report = run_job(SOURCE, DayRange(DAY, DAY))
    seconds = time.perf_counter() - started
    (day,) = report["days"]
    if day["status"] != "published":
        raise SystemExit(f"the harvest did not publish: {day}")
    obj = model.Session.get(HarvestObject, day["object_id"])
    stages = {
        "gather": 0.0,
        "fetch": (obj.fetch_finished - obj.fetch_started).total_seconds(),
        "import": (obj.import_finished - obj.import_started).total_seconds(),
    }
    rss = peak_rss_mib()
    # untimed: remove the publication so that the next run publishes again
    for level in ("lv-feeder", "secondary-substation"):
        name = f"smart-meter-{level}-{DAY:%Y-%m}"
        dataset = tk.get_action("package_show")(site_context(), {"id": name})
        for res in dataset["resources"]:
            path = publish.published_file(res["id"])
            if path is not None:
                path.unlink()
        tk.get_action("dataset_purge")(site_context(), {"id": name})
    source_id = tk.get_action("harvest_source_show")(
        {**site_context(), "use_cache": False}, {"id": SOURCE}
    )["id"]
    tk.get_action("harvest_source_clear")(site_context(), {"id": source_id})
    return {"seconds": seconds, "rows": day["rows_read"], "peak_rss_mib": rss, "stages": stages}


# ---- parent ------------------------------------------------------------------------------
def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of 1.8M meters")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "setup":
            result = child_setup(args.ini, Path(rest[0]))
        elif kind == "bare":
            result = child_bare(Path(rest[0]), Path(rest[1]))
        else:
            result = child_harvest(args.ini)
        print(json.dumps(result))
        return

    meters = round(FULL_METERS * args.scale)
    folder = ensure_day(meters)
    run_child("setup", str(folder))
    bare: list[dict[str, Any]] = []
    harvest: list[dict[str, Any]] = []
    for i in range(args.repeat):
        out = data_dir(meters) / f"bare-{i}"
        bare.append(run_child("bare", str(folder), str(out)))
        harvest.append(run_child("harvest"))
        subprocess.run(["rm", "-rf", str(out)], check=True)
        print(
            f"run {i + 1}: bare {bare[-1]['seconds']:.2f}s, harvest {harvest[-1]['seconds']:.2f}s",
            file=sys.stderr,
        )

    rows = bare[0]["rows"]
    print(
        f"\none day, {meters:,} meters ({args.scale:g} x 1.8M), {rows:,} rows read; "
        f"{args.repeat} run(s) each, fresh process per run, {os.cpu_count()} cores"
    )
    print(f"{'variant':<34}{'median s':>10}{'best s':>9}{'rows/s':>14}{'peak RSS MiB':>14}")
    for name, runs in (
        ("bare aggregate_day", bare),
        ("harvest job (gather+fetch+import)", harvest),
    ):
        times = [r["seconds"] for r in runs]
        print(
            f"{name:<34}{statistics.median(times):>10.2f}{min(times):>9.2f}"
            f"{rows / statistics.median(times):>14,.0f}"
            f"{max(r['peak_rss_mib'] for r in runs):>14.0f}"
        )
    fetch = statistics.median(r["stages"]["fetch"] for r in harvest)
    imp = statistics.median(r["stages"]["import"] for r in harvest)
    b, h = (
        statistics.median(r["seconds"] for r in bare),
        statistics.median(r["seconds"] for r in harvest),
    )
    print(
        f"harvest stages (median): fetch {fetch:.2f}s, import {imp:.2f}s, "
        f"rest (gather, job bookkeeping) {h - fetch - imp:.2f}s"
    )
    print(f"harvest overhead over bare aggregation: {100 * (h - b) / b:+.1f}% (target <= +20%)")


if __name__ == "__main__":
    main()
