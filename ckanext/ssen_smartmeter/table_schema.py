"""Frictionless Table Schemas of the published smart meter files.

Pure logic: imports nothing from CKAN, so the pipeline and the harvester can
call it anywhere. :func:`for_level` returns the schema of the daily file of
one aggregation level (``lv_feeder``: 17 columns, ``secondary_substation``:
15 columns) in column order, as in the data contract (section 3).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ckanext.ssen_smartmeter.pipeline.config import MIN_THRESHOLD

LV_FEEDER = "lv_feeder"
SECONDARY_SUBSTATION = "secondary_substation"
LEVELS = (LV_FEEDER, SECONDARY_SUBSTATION)

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_LV_ONLY = ("lv_feeder_id", "lv_feeder_name")

_COUNT_COLUMNS = ("aggregated_device_count_active", "aggregated_device_count_reactive")

# name, type, title, description, extra properties (unit, constraints, format)
_COLUMNS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    (
        "dataset_id",
        "string",
        "Dataset id",
        "Network key: primary substation (4 digits) + HV feeder (3) + secondary "
        "substation (3) + LV feeder (2); the substation file holds the first 10 digits.",
        {},
    ),
    ("dno_name", "string", "DNO name", "Name of the distribution network operator.", {}),
    ("dno_alias", "string", "DNO alias", "Short name of the distribution network operator.", {}),
    (
        "secondary_substation_id",
        "string",
        "Secondary substation id",
        "Secondary substation identifier as published.",
        {},
    ),
    (
        "secondary_substation_name",
        "string",
        "Secondary substation name",
        "Secondary substation name as published.",
        {},
    ),
    ("lv_feeder_id", "string", "LV feeder id", "LV feeder identifier as published.", {}),
    (
        "lv_feeder_name",
        "string",
        "LV feeder name",
        "LV feeder name as published (may be empty).",
        {},
    ),
    (
        "substation_geo_location",
        "string",
        "Substation location",
        'WGS84 "latitude, longitude" of the secondary substation (may be empty).',
        {"constraints": {"pattern": r"-?\d+(\.\d+)?, ?-?\d+(\.\d+)?"}},
    ),
    (
        "aggregated_device_count_active",
        "integer",
        "Meters (active)",
        "Distinct meters with a valid active read in the half-hour; empty when suppressed.",
        {"constraints": {"minimum": 0}},
    ),
    (
        "primary_consumption_active_import",
        "integer",
        "Primary active import",
        "Active energy imported on the primary register in the half-hour.",
        {"unit": "Wh", "constraints": {"minimum": 0}},
    ),
    (
        "secondary_consumption_active_import",
        "integer",
        "Secondary active import",
        "Active energy imported on the second register; empty when no meter has one.",
        {"unit": "Wh", "constraints": {"minimum": 0}},
    ),
    (
        "total_consumption_active_import",
        "integer",
        "Total active import",
        "Primary plus secondary active import in the half-hour.",
        {"unit": "Wh", "constraints": {"minimum": 0}},
    ),
    (
        "aggregated_device_count_reactive",
        "integer",
        "Meters (reactive)",
        "Distinct meters with a valid reactive read in the half-hour; empty when suppressed.",
        {"constraints": {"minimum": 0}},
    ),
    (
        "total_consumption_reactive_import",
        "integer",
        "Total reactive import",
        "Reactive energy imported in the half-hour.",
        {"unit": "varh", "constraints": {"minimum": 0}},
    ),
    (
        "data_collection_log_timestamp",
        "datetime",
        "Half-hour end (UTC)",
        "End of the half-hour, UTC.",
        {"format": TIMESTAMP_FORMAT},
    ),
    (
        "insert_time",
        "datetime",
        "First published (UTC)",
        "When the row was first published.",
        {"format": TIMESTAMP_FORMAT},
    ),
    (
        "last_modified_time",
        "datetime",
        "Last modified (UTC)",
        "When the row's values last changed.",
        {"format": TIMESTAMP_FORMAT},
    ),
)


def column_names(level: str) -> list[str]:
    """The column names of the daily file of ``level``, in file order."""
    _check_level(level)
    return [c[0] for c in _COLUMNS if level == LV_FEEDER or c[0] not in _LV_ONLY]


def for_level(level: str, privacy_threshold: int | None = None) -> dict[str, Any]:
    """The Frictionless Table Schema of the daily file of ``level``.

    :param level: ``lv_feeder`` or ``secondary_substation``
    :param privacy_threshold: when given, the meter count columns carry the
        constraint ``minimum: privacy_threshold`` (a published count is never
        below it; suppressed cells are empty)
    :raises ValueError: on an unknown level or a threshold below the
        privacy rule's minimum (5)
    """
    _check_level(level)
    if privacy_threshold is not None and privacy_threshold < MIN_THRESHOLD:
        raise ValueError(
            f"privacy_threshold must be at least {MIN_THRESHOLD}, got {privacy_threshold}"
        )
    digits = 12 if level == LV_FEEDER else 10
    fields: list[dict[str, Any]] = []
    for name, type_, title, description, extra in _COLUMNS:
        if level == SECONDARY_SUBSTATION and name in _LV_ONLY:
            continue
        field: dict[str, Any] = {
            "name": name,
            "type": type_,
            "title": title,
            "description": description,
        }
        field.update(copy.deepcopy(extra))
        if name == "dataset_id":
            field["constraints"] = {"required": True, "pattern": rf"\d{{{digits}}}"}
        if name == "data_collection_log_timestamp":
            field["constraints"] = {"required": True}
        if name in _COUNT_COLUMNS and privacy_threshold is not None:
            field["constraints"] = {"minimum": privacy_threshold}
        fields.append(field)
    return {
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["dataset_id", "data_collection_log_timestamp"],
    }


def as_json(level: str, privacy_threshold: int | None = None) -> str:
    """:func:`for_level` as compact, key-sorted JSON (the resource field value)."""
    return json.dumps(for_level(level, privacy_threshold), sort_keys=True, separators=(",", ":"))


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"aggregation level must be one of {', '.join(LEVELS)}, got {level!r}")
