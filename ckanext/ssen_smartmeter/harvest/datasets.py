"""The smart meter datasets and resources a harvested day turns into.

Pure logic (imports nothing from CKAN): names, titles, the dataset fields the
harvester fills, the day's resource dicts and how a day merges into its
monthly dataset. One dataset per aggregation level and month; a day's
resources replace any earlier resources of that day, so a dataset never
holds more than one month of days.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from ckanext.ssen_smartmeter import table_schema
from ckanext.ssen_smartmeter.harvest.day_plan import month_bounds, month_of
from ckanext.ssen_smartmeter.harvest.quality import level_counts
from ckanext.ssen_smartmeter.harvest.source_config import LICENCE_AREAS, SourceConfig
from ckanext.ssen_smartmeter.pipeline import public_view

DATASET_TYPE = "smart-meter"
LEVEL_LABELS = {"lv_feeder": "LV feeder", "secondary_substation": "Secondary substation"}
LEVEL_SLUGS = {"lv_feeder": "lv-feeder", "secondary_substation": "secondary-substation"}
UNIT_LABELS = {"lv_feeder": "feeders", "secondary_substation": "substations"}
FORMAT_LABELS = {"csv": "CSV", "parquet": "Parquet"}
MIMETYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
SUFFIXES = {"csv": ".csv", "parquet": ".parquet"}
LICENCE_ID = "uk-ogl"


def _area_suffix(config: SourceConfig) -> str:
    return (
        ""
        if set(config.licence_areas) == set(LICENCE_AREAS)
        else "-" + "-".join(a.lower() for a in config.licence_areas)
    )


def dataset_name(config: SourceConfig, level: str, day: dt.date) -> str:
    """e.g. ``smart-meter-lv-feeder-2024-02`` (``...-lv-feeder-shepd-2024-02`` for one area)."""
    return f"smart-meter-{LEVEL_SLUGS[level]}{_area_suffix(config)}-{month_of(day)}"


def dataset_title(config: SourceConfig, level: str, day: dt.date) -> str:
    """e.g. ``Smart meter consumption, LV feeder, 2024-02``."""
    areas = "" if not _area_suffix(config) else ", " + " and ".join(config.licence_areas)
    return f"Smart meter consumption, {LEVEL_LABELS[level]}{areas}, {month_of(day)}"


def resource_name(level: str, day: dt.date, fmt: str) -> str:
    return f"{LEVEL_LABELS[level]}, {day.isoformat()} ({FORMAT_LABELS[fmt]})"


def file_name(level: str, day: dt.date, fmt: str) -> str:
    return f"{level}_{day.isoformat()}{SUFFIXES[fmt]}"


def new_dataset(config: SourceConfig, level: str, day: dt.date, owner_org: str) -> dict[str, Any]:
    """The fields of a new monthly dataset (resources and coverage come from the days)."""
    first, last = month_bounds(day)
    label = LEVEL_LABELS[level].lower() if level == "secondary_substation" else "LV feeder"
    return {
        "type": DATASET_TYPE,
        "name": dataset_name(config, level, day),
        "title": dataset_title(config, level, day),
        "owner_org": owner_org,
        "notes": (
            f"Half-hourly electricity consumption of {config.dno_alias} smart meters "
            f"aggregated to {label} level, for days of {first:%B %Y} "
            f"({first.isoformat()} to {last.isoformat()}): one file for each day "
            "published so far. The coverage on this page lists the days published "
            "and any day missing. A value is published only "
            f"where at least {config.threshold} meters contributed; smaller groups are "
            "suppressed, as are values that would let a suppressed one be recovered by "
            "subtraction."
        ),
        "aggregation_level": level,
        "licence_area": config.licence_area_value,
        "period": month_of(day),
        "privacy_threshold": config.threshold,
        "measures": ["active_import", "reactive_import"],
        "frequency": "daily",
        "data_classification": "open",
        "license_id": LICENCE_ID,
        "author": config.dno_name,
        "source": "Smart meter half-hourly reads",
        "tag_string": "smart meter,consumption,half-hourly," + LEVEL_SLUGS[level],
        "resources": [],
    }


def day_resources(
    level: str,
    day: dt.date,
    files: Mapping[str, Mapping[str, Any]],
    quality: Mapping[str, Any],
    threshold: int,
    ids: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The resource dicts of one level of one day.

    :param files: format -> ``{"sha256": ..., "size": ...}``
    :param ids: format -> resource id to use (existing one, or a fresh one)
    """
    counts = level_counts(quality, level)
    report = json.dumps(public_view(quality), sort_keys=True, separators=(",", ":"))
    schema = table_schema.as_json(level, threshold)
    resources = []
    for fmt, meta in files.items():
        resource: dict[str, Any] = {
            "id": ids[fmt],
            "name": resource_name(level, day, fmt),
            "description": (
                f"{LEVEL_LABELS[level]} consumption for {day.isoformat()}: 48 half-hours "
                f"per {UNIT_LABELS[level][:-1]}, UTC."
            ),
            "url": file_name(level, day, fmt),
            "url_type": "upload",
            "format": FORMAT_LABELS[fmt],
            "mimetype": MIMETYPES[fmt],
            "size": meta["size"],
            "sha256": meta["sha256"],
            "period_start": day.isoformat(),
            "period_end": day.isoformat(),
            "table_schema": schema,
            "quality_report": report,
        }
        resource.update(counts)
        resources.append(resource)
    return resources


def day_resource_ids(dataset: Mapping[str, Any], day: dt.date) -> dict[str, str]:
    """format -> id of the resources that already hold ``day`` in ``dataset``."""
    found: dict[str, str] = {}
    for resource in dataset.get("resources", []):
        if resource.get("period_start") == day.isoformat():
            for fmt, label in FORMAT_LABELS.items():
                if (resource.get("format") or "").lower() == label.lower():
                    found[fmt] = resource["id"]
    return found


def merge_day(
    dataset: dict[str, Any], day: dt.date, resources: list[dict[str, Any]], meters: int | None
) -> dict[str, Any]:
    """``dataset`` with ``day``'s resources in place of earlier ones, sorted by day.

    Temporal coverage spans the days present; ``meters_represented`` is the
    most meters behind the published values of one half-hour of any day
    (``meters_published``: the file's own counts, never a total that includes
    suppressed meters).
    """
    first, last = month_bounds(day)
    if month_of(day) != dataset.get("period", month_of(day)):
        raise ValueError(f"{day} does not belong to dataset period {dataset.get('period')}")
    kept = [r for r in dataset.get("resources", []) if r.get("period_start") != day.isoformat()]
    merged = sorted(
        kept + resources,
        key=lambda r: (r.get("period_start") or "", (r.get("format") or "").lower() != "csv"),
    )
    days = sorted({r["period_start"] for r in merged if r.get("period_start")})
    out = dict(dataset)
    out["resources"] = merged
    if days:
        out["temporal_coverage_start"] = max(days[0], first.isoformat())
        out["temporal_coverage_end"] = min(days[-1], last.isoformat())
    if meters is not None:
        previous = dataset.get("meters_represented")
        out["meters_represented"] = (
            max(meters, int(previous)) if previous not in (None, "") else meters
        )
    return out
