"""Read one feeder's or substation's load profile from a published Parquet file.

Imports nothing from CKAN (pyarrow only). Privacy: a half-hour value is
returned only if it is present in the file *and* its meter count is present
and at least the privacy threshold; anything else is ``None`` (drawn as a
gap). Suppressed cells are empty in the file, so this is a second guard.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass

import pyarrow.parquet as pq

MEASURES = {
    "active": ("total_consumption_active_import", "aggregated_device_count_active", "Wh"),
    "reactive": ("total_consumption_reactive_import", "aggregated_device_count_reactive", "varh"),
}
TIME_COLUMN = "data_collection_log_timestamp"
ID_COLUMN = "dataset_id"


@dataclass(frozen=True)
class Unit:
    id: str
    name: str


def read_profile(
    path: str, unit_id: str, measure: str, privacy_threshold: int
) -> list[tuple[dt.datetime, int | None]]:
    """(period end as naive UTC, value or ``None``) of ``unit_id``, in time order.

    :raises KeyError: on an unknown measure
    """
    value_column, count_column, _ = MEASURES[measure]
    table = pq.read_table(
        path,
        columns=[ID_COLUMN, TIME_COLUMN, value_column, count_column],
        filters=[(ID_COLUMN, "=", unit_id)],
    )
    times = [_utc(t) for t in table.column(TIME_COLUMN).to_pylist()]
    values = table.column(value_column).to_pylist()
    counts = table.column(count_column).to_pylist()
    rows = []
    for moment, value, count in zip(times, values, counts, strict=True):
        published = value is not None and count is not None and count >= privacy_threshold
        rows.append((moment, int(value) if published else None))
    rows.sort(key=lambda r: r[0])
    return rows


def list_units(path: str, limit: int = 200) -> list[Unit]:
    """The first ``limit`` feeders or substations of the file, by id."""
    return list(_units(path, os.path.getmtime(path))[:limit])


def has_unit(path: str, unit_id: str) -> bool:
    """Whether the file holds ``unit_id``."""
    return any(u.id == unit_id for u in _units(path, os.path.getmtime(path)))


@functools.lru_cache(maxsize=16)
def _units(path: str, mtime: float) -> tuple[Unit, ...]:
    schema = pq.read_schema(path)
    name_columns = [c for c in ("lv_feeder_name", "secondary_substation_name") if c in schema.names]
    table = pq.read_table(path, columns=[ID_COLUMN, *name_columns])
    ids = table.column(ID_COLUMN)
    seen: dict[str, str] = {}
    names = [table.column(c).to_pylist() for c in name_columns]
    for row, unit_id in enumerate(ids.to_pylist()):
        if unit_id is None or unit_id in seen:
            continue
        label = next((col[row] for col in names if col[row]), "")
        seen[unit_id] = label or ""
    return tuple(Unit(i, seen[i]) for i in sorted(seen))


def _utc(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return _utc(parsed)
    raise TypeError(f"{TIME_COLUMN} holds {type(value).__name__}, expected a timestamp")


