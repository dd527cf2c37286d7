"""Read one feeder's or substation's load profile from a published Parquet file.

Imports nothing from CKAN (pyarrow only). Privacy: a half-hour value is
returned only if it is present in the file *and* its meter count is present
and at least the privacy threshold; anything else is ``None`` (drawn as a
gap). Suppressed cells are empty in the file, so this is a second guard.

Published files are sorted by ``dataset_id``, so the filter on one id reads
only the row groups whose statistics can hold it, and the picker's
suggestions come from the first row groups only: a day of ~87,000 feeders
(4.2 million rows) is never read whole for one page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow.parquet as pq

MEASURES = {
    "active": ("total_consumption_active_import", "aggregated_device_count_active", "Wh"),
    "reactive": ("total_consumption_reactive_import", "aggregated_device_count_reactive", "varh"),
}
TIME_COLUMN = "data_collection_log_timestamp"
ID_COLUMN = "dataset_id"
NAME_COLUMNS = ("lv_feeder_name", "secondary_substation_name")


@dataclass(frozen=True)
class Unit:
    id: str
    name: str


@dataclass
class Profile:
    unit: Unit
    points: list[tuple[dt.datetime, int | None]] = field(default_factory=list)


def read_profile(path: str, unit_id: str, measure: str, privacy_threshold: int) -> Profile | None:
    """The half-hours of ``unit_id`` (period end as naive UTC, value or
    ``None``) in time order, or ``None`` when the file does not hold the id.

    :raises KeyError: on an unknown measure
    """
    value_column, count_column, _ = MEASURES[measure]
    names = _name_columns(path)
    table = pq.read_table(
        path,
        columns=[ID_COLUMN, TIME_COLUMN, value_column, count_column, *names],
        filters=[(ID_COLUMN, "=", unit_id)],
    )
    if table.num_rows == 0:
        return None
    label = _label({c: next((v for v in table.column(c).to_pylist() if v), "") for c in names})
    rows = []
    for moment, value, count in zip(
        table.column(TIME_COLUMN).to_pylist(),
        table.column(value_column).to_pylist(),
        table.column(count_column).to_pylist(),
        strict=True,
    ):
        published = value is not None and count is not None and count >= privacy_threshold
        rows.append((_utc(moment), int(value) if published else None))
    rows.sort(key=lambda r: r[0])
    return Profile(Unit(unit_id, label), rows)


def list_units(path: str, limit: int = 200) -> list[Unit]:
    """Up to ``limit`` feeders or substations of the file, in file order,
    read from as few row groups as needed."""
    handle = pq.ParquetFile(path)
    names = [c for c in NAME_COLUMNS if c in handle.schema_arrow.names]
    seen: dict[str, str] = {}
    for group in range(handle.num_row_groups):
        table = handle.read_row_group(group, columns=[ID_COLUMN, *names])
        ids = table.column(ID_COLUMN).to_pylist()
        labels = [table.column(c).to_pylist() for c in names]
        for row, unit_id in enumerate(ids):
            if unit_id is None:
                continue
            if unit_id not in seen or not seen[unit_id]:
                seen[unit_id] = _label({c: col[row] for c, col in zip(names, labels, strict=True)})
            if len(seen) > limit:
                break
        if len(seen) > limit:
            break
    return [Unit(i, n) for i, n in list(seen.items())[:limit]]


def _label(names: dict[str, str | None]) -> str:
    """The feeder's name; a nameless feeder is called a feeder of its
    substation (never just "X substation": it is not one). A substation's
    label is its name."""
    feeder = names.get("lv_feeder_name")
    substation = names.get("secondary_substation_name")
    if "lv_feeder_name" not in names:
        return substation or ""
    if feeder:
        return feeder
    return f"Unnamed feeder, {substation} substation" if substation else "Unnamed feeder"


def _name_columns(path: str) -> list[str]:
    schema = pq.read_schema(path)
    return [c for c in NAME_COLUMNS if c in schema.names]


def _utc(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, str):
        return _utc(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise TypeError(f"{TIME_COLUMN} holds {type(value).__name__}, expected a timestamp")
