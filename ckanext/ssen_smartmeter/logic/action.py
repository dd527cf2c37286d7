"""Actions of the smart meter schema (registered by ``tk.blanket.actions``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.ssen_smartmeter import profile, profile_view, table_schema

__all__ = ["ssen_smartmeter_load_profile", "ssen_smartmeter_table_schema"]


@tk.side_effect_free
def ssen_smartmeter_table_schema(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The Frictionless Table Schema of the daily file of an aggregation level.

    :param level: ``lv_feeder`` (17 columns) or ``secondary_substation`` (15)
    :type level: string
    :param privacy_threshold: optional; the meter count columns then carry
        ``minimum: privacy_threshold``
    :type privacy_threshold: int
    :rtype: dictionary
    """
    tk.check_access("ssen_smartmeter_table_schema", context, data_dict)
    level = data_dict.get("level") or ""
    threshold = data_dict.get("privacy_threshold")
    if threshold not in (None, ""):
        try:
            threshold = int(threshold)
        except (TypeError, ValueError):
            raise tk.ValidationError(
                {"privacy_threshold": [tk._("Must be a whole number")]}
            ) from None
    try:
        return table_schema.for_level(level, threshold if threshold != "" else None)
    except ValueError as exc:
        name = "privacy_threshold" if "threshold" in str(exc) else "level"
        raise tk.ValidationError({name: [str(exc)]}) from None


@tk.side_effect_free
def ssen_smartmeter_load_profile(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The half-hourly load profile of one feeder or substation on one day
    of a smart meter dataset, read from the day's uploaded Parquet file.

    Only published values are returned: a half-hour whose value is
    suppressed in the file, or whose meter count is below the privacy
    threshold, has ``value`` null.

    :param id: the dataset's id or name
    :type id: string
    :param day: a day of the dataset (a resource's ``period_start``);
        default the newest
    :type day: string
    :param unit: the feeder's or substation's ``dataset_id``; default the
        first in the file
    :type unit: string
    :param measure: ``active`` (Wh, default) or ``reactive`` (varh)
    :type measure: string
    :rtype: dictionary with ``dataset``, ``resource_id``, ``day``, ``unit``,
        ``unit_name``, ``measure``, ``unit_of_measure``, ``privacy_threshold``
        and ``points`` (``period_end``, ``value``)
    """
    pkg = tk.get_action("package_show")(context, {"id": tk.get_or_bust(data_dict, "id")})
    tk.check_access("ssen_smartmeter_load_profile", context, data_dict)
    errors = {
        key: [tk._("Must be a single string")]
        for key in ("day", "unit", "measure")
        if data_dict.get(key) is not None and not isinstance(data_dict[key], str)
    }
    measure = data_dict.get("measure")
    if "measure" not in errors and measure and measure not in profile.MEASURES:
        errors["measure"] = [tk._("Must be one of: {0}").format(", ".join(profile.MEASURES))]
    day = data_dict.get("day")
    if "day" not in errors and day:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            errors["day"] = [tk._("Must be a date (YYYY-MM-DD)")]
    if errors:
        raise tk.ValidationError(errors)
    view = profile_view.build(
        pkg,
        day=data_dict.get("day"),
        unit=data_dict.get("unit"),
        measure=data_dict.get("measure"),
        svg=False,
    )
    if view is None:
        raise tk.ObjectNotFound(tk._("This dataset has no uploaded Parquet file."))
    if view["error"]:
        raise tk.ObjectNotFound(view["error"])
    return {
        "dataset": pkg["name"],
        "resource_id": view["resource"]["id"],
        "day": view["day"],
        "unit": view["unit"],
        "unit_name": view["unit_name"],
        "measure": view["measure"],
        "unit_of_measure": view["unit_of_measure"],
        "privacy_threshold": view["threshold"],
        "points": [
            {"period_end": moment.isoformat() + "Z", "value": value}
            for moment, value in view["points"]
        ],
    }
