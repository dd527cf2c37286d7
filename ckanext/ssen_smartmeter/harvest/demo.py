"""The quick start's demo: a generated week harvested into smart meter datasets.

:func:`load_demo` runs inside a loaded CKAN app. Everything is created only
when absent, so running it again does nothing (and says nothing).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.ssen_smartmeter.harvest import state
from ckanext.ssen_smartmeter.harvest.harvester import source_roots
from ckanext.ssen_smartmeter.harvest.sync_run import RunError, run_job
from ckanext.ssen_smartmeter.pipeline import generate_day

SOURCE_NAME = "ssen-smart-meter-demo"
DEMO_USER = "admin"
METERS = 2000
SEED = 2026
DAYS = 7
LAG_DAYS = 2


def _existing_source() -> dict[str, Any] | None:
    try:
        return tk.get_action("harvest_source_show")(
            {"ignore_auth": True, "use_cache": False}, {"id": SOURCE_NAME}
        )
    except tk.ObjectNotFound:
        return None


def _week(source: dict[str, Any] | None) -> list[dt.date]:
    """The demo's days: those of the existing source, else the last ready week."""
    if source is not None:
        config = json.loads(source.get("config") or "{}")
        first = dt.date.fromisoformat(config["first_date"])
        last = dt.date.fromisoformat(config["last_date"])
    else:
        last = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=LAG_DAYS)
        first = last - dt.timedelta(days=DAYS - 1)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _all_published(source_id: str, days: list[dt.date]) -> bool:
    states = state.day_states(source_id, days)
    return all(d in states and states[d].published for d in days)


def load_demo(storage_root: Path, org_name: str) -> list[str]:
    """Generate a week of reads under ``storage_root/demo``, harvest it for ``org_name``.

    :param storage_root: a folder listed in ``ckanext.ssen_smartmeter.source_roots``
    :param org_name: the organisation that owns the demo source and datasets
    :returns: one line per thing done; empty when everything was already there
    """
    root = Path(storage_root).resolve()
    if not any(root == r.resolve() or root.is_relative_to(r.resolve()) for r in source_roots()):
        raise ValueError(
            f"{root} is not under ckanext.ssen_smartmeter.source_roots "
            f"({' '.join(str(r) for r in source_roots()) or 'none set'})"
        )
    folder = root / "demo"
    lines: list[str] = []
    source = _existing_source()
    days = _week(source)
    missing = [d for d in days if not (folder / "reads" / f"{d}.parquet").is_file()]
    for day in missing:
        generate_day(METERS, day, folder, seed=SEED, fmt="parquet")
    if missing:
        lines.append(
            f"generated {len(missing)} day(s) of reads of {METERS} meters "
            f"({missing[0]} to {missing[-1]}) under {folder}"
        )
    if source is None:
        config = {
            "reads": str(folder / "reads"),
            "reads_pattern": "{date}.parquet",
            "topology": str(folder / "topology"),
            "licence_areas": ["SHEPD", "SEPD"],
            "first_date": days[0].isoformat(),
            "last_date": days[-1].isoformat(),
            "lag_days": LAG_DAYS,
            "organisation": org_name,
        }
        tk.get_action("harvest_source_create")(
            {"user": DEMO_USER},
            {
                "name": SOURCE_NAME,
                "title": "SSEN smart meters (generated demo)",
                "url": config["reads"],
                "source_type": "ssen_smartmeter",
                "owner_org": org_name,
                "frequency": "MANUAL",
                "config": json.dumps(config),
                "notes": "Synthetic half-hourly reads generated for the quick start.",
            },
        )
        lines.append(f"created harvest source {SOURCE_NAME} for organisation {org_name}")
    if source is not None and _all_published(source["id"], days):
        return lines  # a job now would only add an empty one to the source
    try:
        report = run_job(SOURCE_NAME)
    except RunError as exc:
        return [*lines, f"harvest not run: {exc}"]
    if report["days"]:
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(report["statuses"].items()))
        lines.append(
            f"harvested {len(report['days'])} day(s) ({statuses}): "
            f"{report['totals']['files_published']} files published"
        )
        for day in report["days"]:
            for error in day["errors"]:
                lines.append(f"  {day['day']}: {error}")
    return lines
