"""Template helpers of the smart meter dataset page (registered by the blanket)."""
from __future__ import annotations

import json
import logging
import os
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.ssen_smartmeter import chart, profile
from ckanext.ssen_smartmeter.storage import local_resource_path

log = logging.getLogger(__name__)

__all__ = [
    "ssen_smartmeter_label",
    "ssen_smartmeter_load_profile",
    "ssen_smartmeter_privacy_threshold",
    "ssen_smartmeter_quality",
]

SCHEMA_TYPE = "smart-meter"


def ssen_smartmeter_label(field_name: str, value: Any, resource: bool = False) -> str:
    """The label of a choice of the smart meter schema (the value if none)."""
    schema = tk.h.scheming_get_dataset_schema(SCHEMA_TYPE) or {}
    fields = schema.get("resource_fields" if resource else "dataset_fields", [])
    field = tk.h.scheming_field_by_name(fields, field_name)
    if not field or not field.get("choices") or value in (None, ""):
        return "" if value is None else str(value)
    return tk.h.scheming_choices_label(field["choices"], value)


def ssen_smartmeter_privacy_threshold(pkg: dict[str, Any]) -> int:
    """The threshold that applies: the dataset's, never below the site's."""
    site = tk.config.get("ckanext.ssen_smartmeter.privacy_threshold")
    try:
        own = int(pkg.get("privacy_threshold") or 0)
    except (TypeError, ValueError):
        own = 0
    return max(own, site)


def ssen_smartmeter_quality(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """One quality summary per resource that carries a ``quality_report``,
    newest period first."""
    rows = []
    for res in pkg.get("resources") or []:
        report = res.get("quality_report")
        if isinstance(report, str):
            try:
                report = json.loads(report)
            except ValueError:
                continue
        if not isinstance(report, dict):
            continue
        rejected = report.get("rejected") or {}
        read = _int(report.get("rows_read"))
        accepted = _int(report.get("rows_accepted"))
        rows.append(
            {
                "resource": res,
                "period": res.get("period_start") or "",
                "rows_read": read,
                "rows_accepted": accepted,
                "rows_rejected": sum(_int(v) for v in rejected.values()),
                "rejected": sorted(rejected.items(), key=lambda kv: (-_int(kv[1]), kv[0])),
                "accepted_pct": round(100 * accepted / read, 2) if read else None,
                "meters": report.get("meters"),
                "units_published": res.get("units_published"),
                "cells_suppressed_p1": res.get("cells_suppressed_p1"),
                "cells_suppressed_p2": res.get("cells_suppressed_p2"),
            }
        )
    rows.sort(key=lambda r: (r["period"], r["resource"].get("format") or ""), reverse=True)
    return rows


def ssen_smartmeter_load_profile(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The load profile chart of the feeder or substation chosen in the
    query string (``day``: a resource's ``period_start``, ``unit``: a
    ``dataset_id``, ``measure``: ``active`` or ``reactive``), drawn from the
    day's uploaded Parquet file. ``None`` if the dataset has no such file."""
    files = [
        r for r in pkg.get("resources") or []
        if (r.get("format") or "").lower() == "parquet" and r.get("url_type") == "upload"
    ]
    if not files:
        return None
    files.sort(key=lambda r: r.get("period_start") or "", reverse=True)
    args = tk.request.args if tk.request else {}
    day = args.get("day") or ""
    resource = next((r for r in files if r.get("period_start") == day), files[0])
    measure = args.get("measure") if args.get("measure") in profile.MEASURES else "active"
    level = pkg.get("aggregation_level")
    noun = "substation" if level == "secondary_substation" else "feeder"
    view: dict[str, Any] = {
        "days": [r.get("period_start") for r in files],
        "day": resource.get("period_start"),
        "resource": resource,
        "measure": measure,
        "measures": [(k, v[2]) for k, v in profile.MEASURES.items()],
        "noun": noun,
        "units": [],
        "unit": None,
        "svg": None,
        "points": [],
        "error": None,
    }
    path = local_resource_path(resource)
    if not path or not os.path.exists(path):
        view["error"] = tk._("The Parquet file of this day is not available on this server.")
        return view
    try:
        limit = tk.config.get("ckanext.ssen_smartmeter.chart_unit_choices")
        view["units"] = profile.list_units(path, limit)
        unit = (args.get("unit") or "").strip() or (view["units"][0].id if view["units"] else "")
        threshold = ssen_smartmeter_privacy_threshold(pkg)
        found = profile.read_profile(path, unit, measure, threshold) if unit else None
    except Exception:  # a damaged file must not break the dataset page
        log.exception("cannot read the load profile of %s", resource.get("id"))
        view["error"] = tk._("The Parquet file of this day could not be read.")
        return view
    if found is None:
        view["error"] = tk._("No {noun} {unit} in the file of {day}.").format(
            noun=noun, unit=unit, day=view["day"]
        )
        return view
    unit_name, points = found.unit.name, found.points
    unit_label = profile.MEASURES[measure][2]
    template = tk._("{measure} import of {noun} {unit}{name}, {day} (half-hourly, {unit_label})")
    title = template.format(
        measure=measure.capitalize(),
        noun=noun,
        unit=unit,
        name=f" ({unit_name})" if unit_name else "",
        day=view["day"],
        unit_label=unit_label,
    )
    view.update(
        unit=unit,
        title=title,
        points=points,
        svg=Markup(chart.load_profile_svg(points, title=title, unit=unit_label)),
    )
    return view


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
