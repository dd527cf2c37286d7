"""The load profile of a dataset's day, as the page and the API show it."""

from __future__ import annotations

import logging
import os
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.ssen_smartmeter import chart, profile
from ckanext.ssen_smartmeter.storage import local_resource_path

log = logging.getLogger(__name__)


def privacy_threshold(pkg: dict[str, Any]) -> int:
    """The threshold that applies: the dataset's, never below the site's."""
    site = tk.config.get("ckanext.ssen_smartmeter.privacy_threshold")
    try:
        own = int(pkg.get("privacy_threshold") or 0)
    except (TypeError, ValueError):
        own = 0
    return max(own, site)


def parquet_files(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's uploaded Parquet resources, newest day first."""
    files = [
        r
        for r in pkg.get("resources") or []
        if (r.get("format") or "").lower() == "parquet" and r.get("url_type") == "upload"
    ]
    files.sort(key=lambda r: r.get("period_start") or "", reverse=True)
    return files


def build(
    pkg: dict[str, Any],
    day: str | None = None,
    unit: str | None = None,
    measure: str | None = None,
    svg: bool = True,
) -> dict[str, Any] | None:
    """The profile of ``unit`` on ``day`` (defaults: newest day, first unit
    of the file, active), drawn from the day's uploaded Parquet file.

    ``None`` when the dataset has no such file; otherwise a dict whose
    ``error`` says why nothing can be drawn, or with ``points`` (only
    published values; others ``None``), ``title`` and, with ``svg``, the chart;
    when every point is suppressed, ``notice`` says so and there is no chart.
    """
    files = parquet_files(pkg)
    if not files:
        return None
    day = (day or "").strip() or None
    resource = next((r for r in files if r.get("period_start") == day), None) if day else files[0]
    unknown_measure = bool(measure) and measure not in profile.MEASURES
    measure = measure if measure in profile.MEASURES else "active"
    noun = "substation" if pkg.get("aggregation_level") == "secondary_substation" else "feeder"
    view: dict[str, Any] = {
        "days": [r.get("period_start") for r in files],
        "day": (resource or files[0]).get("period_start"),
        "resource": resource or files[0],
        "measure": measure,
        "measures": [(k, v[2]) for k, v in profile.MEASURES.items()],
        "unit_of_measure": profile.MEASURES[measure][2],
        "noun": noun,
        "threshold": privacy_threshold(pkg),
        "units": [],
        "unit": None,
        "unit_name": "",
        "title": "",
        "svg": None,
        "points": [],
        "error": None,
        "notice": None,
    }
    if resource is None:
        view["error"] = tk._("This dataset has no file for {day}.").format(day=day)
        return view
    if unknown_measure:
        view["error"] = tk._("Unknown measure: choose active or reactive.")
        return view
    path = local_resource_path(resource)
    if not path or not os.path.exists(path):
        view["error"] = tk._("The Parquet file of this day is not available on this server.")
        return view
    try:
        limit = tk.config.get("ckanext.ssen_smartmeter.chart_unit_choices")
        view["units"] = profile.list_units(path, limit)
        unit = (unit or "").strip() or (view["units"][0].id if view["units"] else "")
        found = profile.read_profile(path, unit, measure, view["threshold"]) if unit else None
    except Exception:  # a damaged file must not break the dataset page
        log.exception("cannot read the load profile of %s", resource.get("id"))
        view["error"] = tk._("The Parquet file of this day could not be read.")
        return view
    if found is None:
        view["error"] = tk._("No {noun} {unit} in the file of {day}.").format(
            noun=noun, unit=unit, day=view["day"]
        )
        return view
    template = tk._("{measure} import of {noun} {unit}{name}, {day} (half-hourly, {unit_label})")
    title = template.format(
        measure=measure.capitalize(),
        noun=noun,
        unit=unit,
        name=f" ({found.unit.name})" if found.unit.name else "",
        day=view["day"],
        unit_label=view["unit_of_measure"],
    )
    view.update(unit=unit, unit_name=found.unit.name, title=title, points=found.points)
    if found.points and all(value is None for _, value in found.points):
        # nothing to draw: an empty axis would look like a broken chart
        view["notice"] = tk._(
            "Every half-hour of this {noun} is suppressed (fewer than {threshold} meters, "
            "or to prevent subtraction): there is no value to draw."
        ).format(noun=noun, threshold=view["threshold"])
    elif svg:
        view["svg"] = Markup(
            chart.load_profile_svg(found.points, title=title, unit=view["unit_of_measure"])
        )
    return view
