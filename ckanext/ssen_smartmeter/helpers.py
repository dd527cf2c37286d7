"""Template helpers of the smart meter dataset page (registered by the blanket)."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from jinja2 import Undefined

from ckanext.ssen_smartmeter import field_rules as rules
from ckanext.ssen_smartmeter import freshness, profile_view

__all__ = [
    "format_resource_items",
    "humanize_entity_type",
    "ssen_smartmeter_count",
    "ssen_smartmeter_coverage",
    "ssen_smartmeter_field_title",
    "ssen_smartmeter_filter_label",
    "ssen_smartmeter_geojson_summary",
    "ssen_smartmeter_has_value",
    "ssen_smartmeter_json",
    "ssen_smartmeter_label",
    "ssen_smartmeter_load_profile",
    "ssen_smartmeter_privacy_threshold",
    "ssen_smartmeter_quality",
    "ssen_smartmeter_units_in_file_label",
]

SCHEMA_TYPE = "smart-meter"
#: the withheld totals the quality table would show (``pipeline.public_view``)
_TABLE_TOTALS = frozenset({"rows_read", "rows_accepted", "meters"})


@tk.chained_helper
def format_resource_items(next_helper: Any, items: Any) -> list[tuple[str, Any]]:
    """CKAN's "Show more" rows of a resource page, without what a smart meter
    file's schema rows already show above them (scheming's page lists every key
    again, the quality report and table schema as Python text). Other
    resources keep CKAN's rows."""
    items = list(items)
    keys = {key for key, _ in items}
    if not {"period_start", "quality_report"} <= keys:
        return next_helper(items)
    schema = tk.h.scheming_get_dataset_schema(SCHEMA_TYPE) or {}
    shown = {f["field_name"] for f in schema.get("resource_fields", [])}
    return next_helper(
        [(k, v) for k, v in items if k not in shown and not isinstance(v, (dict, list))]
    )


@tk.chained_helper
def humanize_entity_type(
    next_helper: Any, entity_type: str, object_type: str, purpose: str
) -> str | None:
    """CKAN's labels of a dataset type, with ours named in words: "Smart meter
    datasets", "Search smart meter datasets...", not "Smart-meters" (CKAN
    capitalises the type's name). Chained: other types keep CKAN's labels."""
    if entity_type == "package" and object_type == SCHEMA_TYPE:
        object_type = "smart_meter_dataset"
    return next_helper(entity_type, object_type, purpose)


def ssen_smartmeter_has_value(value: Any) -> bool:
    """Whether a field has something to show: not missing, ``None``, blank
    text or an empty list or object (``0`` and ``False`` are values)."""
    if value is None or isinstance(value, Undefined):
        return False
    if isinstance(value, str):
        return bool(value.strip()) and value.strip() not in ("[]", "{}")
    if isinstance(value, (list, tuple, dict, set)):
        return bool(value)
    return True


def ssen_smartmeter_count(value: Any) -> str:
    """An integer with thousands separators (``2,000``); other values as
    they are, empty for none."""
    if value is None or value == "" or isinstance(value, (bool, Undefined)):
        return "" if not isinstance(value, bool) else str(value)
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def ssen_smartmeter_geojson_summary(value: Any) -> dict[str, Any] | None:
    """A GeoJSON field as a reader sees it: its ``type`` and bounding box
    (``west, south, east, north``, 4 decimals); None if it is not GeoJSON."""
    doc = ssen_smartmeter_json(value)
    if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
        return None
    bbox = rules.geojson_bbox(doc)
    return {
        "type": doc["type"],
        "bbox": None if bbox is None else ", ".join(f"{v:.4f}" for v in bbox),
    }


def ssen_smartmeter_json(value: Any) -> Any:
    """A JSON document as Python (a string is parsed; ``None`` if it is not JSON)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None if isinstance(value, Undefined) else value


def ssen_smartmeter_label(field_name: str, value: Any, resource: bool = False) -> str:
    """The label of a choice of the smart meter schema (the value if none)."""
    schema = tk.h.scheming_get_dataset_schema(SCHEMA_TYPE) or {}
    fields = schema.get("resource_fields" if resource else "dataset_fields", [])
    field = tk.h.scheming_field_by_name(fields, field_name)
    if not field or not field.get("choices") or value in (None, ""):
        return "" if value is None else str(value)
    return tk.h.scheming_choices_label(field["choices"], value)


def ssen_smartmeter_coverage(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """Which days of the dataset's month are published and which are missing,
    as short ranges (``27–30 Nov``); ``None`` without a ``period``.

    ``missing`` are the computed ``missing_days`` (days not due yet are not
    missing); ``complete`` is the computed ``is_complete``.
    """
    bounds = freshness.period_bounds(pkg.get("period"))
    if bounds is None:
        return None
    resources = pkg.get("resources") or []
    published = freshness.covered_days(resources, *bounds)
    missing = [d for d in (freshness.parse_date(v) for v in pkg.get("missing_days") or []) if d]
    return {
        "first": bounds[0],
        "last": bounds[1],
        "days": (bounds[1] - bounds[0]).days + 1,
        "published": freshness.format_day_ranges(published),
        "published_count": len(published),
        "missing": freshness.format_day_ranges(missing),
        "missing_count": len(missing),
        "complete": bool(pkg.get("is_complete")),
    }


def ssen_smartmeter_field_title(field_name: str) -> str:
    """A search filter's field in words: the smart meter schema's label,
    else the name with spaces (``res_format`` -> "Res format")."""
    schema = tk.h.scheming_get_dataset_schema(SCHEMA_TYPE) or {}
    field = tk.h.scheming_field_by_name(schema.get("dataset_fields", []), field_name)
    if field and field.get("label"):
        return tk.h.scheming_language_text(field["label"])
    return field_name.replace("_", " ").strip().capitalize()


def ssen_smartmeter_filter_label(field_name: str, value: str, items: Any = None) -> str:
    """An applied filter's value in words: the facet item's display name,
    else the schema's choice label, else the value."""
    for item in items or []:
        if item.get("name") == value and item.get("display_name") not in (None, "", value):
            return str(item["display_name"])
    return ssen_smartmeter_label(field_name, value) or value


def ssen_smartmeter_privacy_threshold(pkg: dict[str, Any]) -> int:
    """The threshold that applies: the dataset's, never below the site's."""
    return profile_view.privacy_threshold(pkg)


def ssen_smartmeter_quality(
    pkg: dict[str, Any], resource_id: str | None = None
) -> list[dict[str, Any]]:
    """One quality summary per day (``period_start``) whose files carry a
    ``quality_report``, newest day first: a day's CSV and Parquet files hold
    the same data and report, so they share a row (``resources``, CSV first).

    :param resource_id: only the day of this resource, with this file only
    """
    days: dict[str, dict[str, Any]] = {}
    for res in pkg.get("resources") or []:
        if resource_id is not None and res.get("id") != resource_id:
            continue
        report = res.get("quality_report")
        if isinstance(report, str):
            try:
                report = json.loads(report)
            except ValueError:
                continue
        if not isinstance(report, dict):
            continue
        key = res.get("period_start") or res.get("id") or ""
        if key in days:
            days[key]["resources"].append(res)
            continue
        rejected = report.get("rejected") or {}
        read = None if report.get("rows_read") is None else _int(report.get("rows_read"))
        accepted = (
            None if report.get("rows_accepted") is None else _int(report.get("rows_accepted"))
        )
        days[key] = {
            "resources": [res],
            "period": res.get("period_start") or "",
            # the totals of this table (a report of some licence areas also
            # withholds the other areas' totals, which the table does not show)
            "withheld": bool(_TABLE_TOTALS & set(report.get("withheld") or [])),
            "rows_read": read,
            "rows_accepted": accepted,
            "meters_published": report.get("meters_published"),
            "rows_rejected": sum(_int(v) for v in rejected.values()),
            "rejected": sorted(
                ((k, v) for k, v in rejected.items() if _int(v)),
                key=lambda kv: (-_int(kv[1]), kv[0]),
            ),
            "accepted_pct": round(100 * accepted / read, 2)
            if read and accepted is not None
            else None,
            "meters": report.get("meters"),
            "units_in_file": res.get("units_published"),
            "cells_suppressed_p1": res.get("cells_suppressed_p1"),
            "cells_suppressed_p2": res.get("cells_suppressed_p2"),
        }
    rows = sorted(days.values(), key=lambda r: r["period"], reverse=True)
    for row in rows:
        row["resources"].sort(
            key=lambda r: ((r.get("format") or "").lower() != "csv", r.get("id") or "")
        )
    return rows


def ssen_smartmeter_units_in_file_label(pkg: dict[str, Any]) -> str:
    """What the quality table's unit count counts: every feeder (substation)
    with a row in the file, including those whose every half-hour is
    suppressed. The pipeline's ``feeders_published`` is that count."""
    level = pkg.get("aggregation_level")
    if level == "lv_feeder":
        return tk._("Feeders in file")
    if level == "secondary_substation":
        return tk._("Substations in file")
    return tk._("Feeders or substations in file")


def ssen_smartmeter_load_profile(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The load profile chart chosen in the query string (``day``: a
    resource's ``period_start``, ``unit``: a ``dataset_id``, ``measure``:
    ``active`` or ``reactive``); see :func:`profile_view.build`."""
    args = tk.request.args if tk.request else {}
    return profile_view.build(
        pkg,
        day=args.get("day"),
        unit=args.get("unit"),
        measure=args.get("measure"),
        svg=True,
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
