"""Fixtures in the shape of the data contract (written here, never read from /work/shared)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ckanext.ssen_smartmeter import table_schema

DAY = dt.date(2024, 2, 12)


def quality_report(**overrides: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "rows_read": 1000,
        "rows_accepted": 990,
        # as the pipeline writes it: every reason, most of them 0
        "rejected": {
            "bad_mpan": 4,
            "bad_timestamp": 0,
            "bad_value": 0,
            "duplicate": 6,
            "negative_value": 0,
            "outside_day": 0,
            "unmapped_meter": 0,
        },
        "meters": 21,
        "feeders_published": 2,
        "substations_published": 1,
        "cells_suppressed_p1": 3,
        "cells_suppressed_p2": 1,
    }
    report.update(overrides)
    return report


def resource(name: str = "2024-02-12 (CSV)", **overrides: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "name": name,
        "url": "https://example.invalid/lv-feeder-2024-02-12.csv",
        "format": "CSV",
        "period_start": "2024-02-12",
        "period_end": "2024-02-12",
        "row_count": 96,
        "units_published": 2,
        "cells_suppressed_p1": 3,
        "cells_suppressed_p2": 1,
        "sha256": "a" * 64,
        "table_schema": table_schema.as_json("lv_feeder", 5),
        "quality_report": json.dumps(quality_report()),
    }
    res.update(overrides)
    return res


def dataset(owner_org: str, **overrides: Any) -> dict[str, Any]:
    """A smart-meter dataset with every field of the schema filled."""
    pkg: dict[str, Any] = {
        "type": "smart-meter",
        "name": "smart-meter-lv-feeder-2024-02",
        "title": "Smart meter consumption, LV feeder, 2024-02",
        "notes": "Half-hourly consumption aggregated to LV feeders.",
        "tag_string": "smart meter,consumption",
        "owner_org": owner_org,
        "author": "SSEN Distribution Data Team",
        "author_email": "data@example.invalid",
        "maintainer": "Open Data Desk",
        "maintainer_email": "opendata@example.invalid",
        "contributor": "Data Communications Company",
        "date": "2024-03-02",
        "dcmi_type": "Dataset",
        "doi": "https://doi.org/10.5281/zenodo.1234567",
        "source": "Smart meter half-hourly reads",
        "language": "en",
        "relation": "smart-meter-secondary-substation-2024-02",
        "version": "1.0",
        "license_id": "cc-by",
        "data_classification": "open",
        "frequency": "daily",
        "ib1_trust_framework": "http://open-energy.registry.ib1.org",
        "ib1_sensitivity_class": "IB1-O",
        "ib1_dataset_assurance": "IcebreakerOne.DatasetLevel2",
        "aggregation_level": "lv_feeder",
        "licence_area": "SHEPD",
        "period": "2024-02",
        "temporal_coverage_start": "2024-02-01",
        "temporal_coverage_end": "2024-02-29",
        "spatial_text": "North of Scotland",
        "spatial": json.dumps(
            {"type": "Polygon", "coordinates": [[[-8, 55], [0, 55], [0, 61], [-8, 61], [-8, 55]]]}
        ),
        "meters_represented": 1234,
        "privacy_threshold": 5,
        "measures": ["active_import", "reactive_import"],
        "roadmap_status": "published",
        "roadmap_planned_release": "2024-Q1",
        "roadmap_actual_release": "2024-03-02",
        "roadmap_category": "legal_requirement",
        "target_audience": ["academia_research", "local_government"],
        "use_cases": "Network planning\nHeat pump uptake studies",
        "roadmap_note": "Monthly datasets, daily files.",
        "resources": [resource()],
    }
    pkg.update(overrides)
    return pkg


# --- a published day in the shape of section 3.1 (2 feeders of one substation)

FEEDERS = (
    ("000100200301", "Main Street"),
    ("000100200302", ""),
)


def feeder_rows(day: dt.date = DAY) -> list[dict[str, Any]]:
    """48 rows per feeder; feeder 01 has 2 suppressed half-hours (count < 5)."""
    rows = []
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    for feeder_id, feeder_name in FEEDERS:
        for k in range(1, 49):
            end = start + dt.timedelta(minutes=30 * k)
            suppressed = feeder_id.endswith("01") and k in (10, 11)
            count = None if suppressed else 6 + (k % 3)
            extra = 500 if feeder_id.endswith("02") else 0
            active = None if suppressed else 1000 + 25 * k + extra
            rows.append(
                {
                    "dataset_id": feeder_id,
                    "dno_name": "Scottish and Southern Electricity Networks",
                    "dno_alias": "SSEN",
                    "secondary_substation_id": "0003",
                    "secondary_substation_name": "Harbour Road",
                    "lv_feeder_id": feeder_id[-2:],
                    "lv_feeder_name": feeder_name,
                    "substation_geo_location": "57.1, -2.1",
                    "aggregated_device_count_active": count,
                    "primary_consumption_active_import": active,
                    "secondary_consumption_active_import": None,
                    "total_consumption_active_import": active,
                    "aggregated_device_count_reactive": count,
                    "total_consumption_reactive_import": None if suppressed else 40 + k,
                    "data_collection_log_timestamp": end,
                    "insert_time": end,
                    "last_modified_time": end,
                }
            )
    return rows


def write_feeder_parquet(path: str, rows: list[dict[str, Any]] | None = None) -> str:
    rows = feeder_rows() if rows is None else rows
    ts = pa.timestamp("ms", tz="UTC")
    types = {
        "aggregated_device_count_active": pa.int64(),
        "primary_consumption_active_import": pa.int64(),
        "secondary_consumption_active_import": pa.int64(),
        "total_consumption_active_import": pa.int64(),
        "aggregated_device_count_reactive": pa.int64(),
        "total_consumption_reactive_import": pa.int64(),
        "data_collection_log_timestamp": ts,
        "insert_time": ts,
        "last_modified_time": ts,
    }
    names = table_schema.column_names("lv_feeder")
    schema = pa.schema([(n, types.get(n, pa.string())) for n in names])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path)
    return path


def write_substation_parquet(path: str) -> str:
    """The substation day of the same two feeders (15 columns, 10-digit key)."""
    by_time: dict[Any, dict[str, Any]] = {}
    for row in feeder_rows():
        out = by_time.setdefault(
            row["data_collection_log_timestamp"],
            {k: v for k, v in row.items() if k not in ("lv_feeder_id", "lv_feeder_name")}
            | {
                "dataset_id": row["dataset_id"][:10],
                "aggregated_device_count_active": 0,
                "total_consumption_active_import": 0,
                "primary_consumption_active_import": 0,
            },
        )
        out["aggregated_device_count_active"] += row["aggregated_device_count_active"] or 0
        out["total_consumption_active_import"] += row["total_consumption_active_import"] or 0
        out["primary_consumption_active_import"] = out["total_consumption_active_import"]
    ts = pa.timestamp("ms", tz="UTC")
    names = table_schema.column_names("secondary_substation")
    types = {
        n: (ts if n.endswith("time") or n.endswith("timestamp") else pa.string()) for n in names
    }
    for n in names:
        if n.startswith(("aggregated", "primary", "secondary_consumption", "total")):
            types[n] = pa.int64()
    schema = pa.schema([(n, types[n]) for n in names])
    pq.write_table(pa.Table.from_pylist(list(by_time.values()), schema=schema), path)
    return path
