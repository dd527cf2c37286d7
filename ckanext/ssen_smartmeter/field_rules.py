"""Checks and conversions of smart meter metadata values.

Pure logic: imports nothing from CKAN. Each function takes the field name
so that its :class:`ValueError` message names the field, e.g.
``"temporal_coverage_end must be on or after temporal_coverage_start"``.
The CKAN validators in ``logic/validators.py`` wrap these.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

MIN_PRIVACY_THRESHOLD = 5

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"(\d{4})-(\d{2})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:")
_GEOJSON_TYPES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
        "Feature",
        "FeatureCollection",
    }
)
_TABLE_SCHEMA_TYPES = frozenset(
    {
        "string",
        "number",
        "integer",
        "boolean",
        "object",
        "array",
        "date",
        "time",
        "datetime",
        "year",
        "yearmonth",
        "duration",
        "geopoint",
        "geojson",
        "any",
    }
)
QUALITY_REPORT_COUNTS = ("rows_read", "rows_accepted")


def iso_date(field: str, value: Any) -> str:
    """``value`` as ``YYYY-MM-DD``; accepts a date or such a string."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{field} must be an ISO date (YYYY-MM-DD), got {text!r}")


def period(field: str, value: Any) -> str:
    """``value`` as a calendar month ``YYYY-MM``."""
    text = str(value).strip()
    match = _PERIOD.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{field} must be a month as YYYY-MM, got {text!r}")
    return text


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of the ``YYYY-MM`` month."""
    first = dt.date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def check_within_month(month: str, field: str, value: Any) -> None:
    """Raise unless the ISO date ``value`` lies in ``month``."""
    day = dt.date.fromisoformat(iso_date(field, value))
    first, last = month_bounds(month)
    if not first <= day <= last:
        raise ValueError(
            f"{field} ({day.isoformat()}) must lie within period {month} "
            f"({first.isoformat()} to {last.isoformat()})"
        )


def check_order(start_field: str, start: Any, end_field: str, end: Any) -> None:
    """Raise unless ``end`` is on or after ``start`` (both ISO dates)."""
    first = iso_date(start_field, start)
    last = iso_date(end_field, end)
    if last < first:
        raise ValueError(
            f"{end_field} must be on or after {start_field} ({last} is before {first})"
        )


def count(field: str, value: Any) -> int:
    """A whole number >= 0 (``"42"``, ``42`` and ``42.0`` are accepted)."""
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a whole number >= 0, got {value!r}")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field} must be a whole number >= 0, got {value!r}") from None
    if number != number or number < 0 or not number.is_integer():
        raise ValueError(f"{field} must be a whole number >= 0, got {value!r}")
    return int(number)


def privacy_threshold(field: str, value: Any) -> int:
    """A meter count threshold, never below :data:`MIN_PRIVACY_THRESHOLD`."""
    try:
        number = count(field, value)
    except ValueError:
        raise ValueError(
            f"{field} must be a whole number of meters, at least {MIN_PRIVACY_THRESHOLD} "
            f"(the privacy rule), got {value!r}"
        ) from None
    if number < MIN_PRIVACY_THRESHOLD:
        raise ValueError(
            f"{field} must be at least {MIN_PRIVACY_THRESHOLD} meters (the privacy rule), "
            f"got {number}"
        )
    return number


def choice(field: str, value: Any, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``."""
    options = list(allowed)
    text = str(value)
    if text not in options:
        raise ValueError(f"{field} must be one of {', '.join(options)}; got {text!r}")
    return text


def multiple_choice(field: str, value: Any, allowed: Iterable[str]) -> list[str]:
    """A list of distinct values of ``allowed``, in ``allowed`` order.

    Accepts a list, a JSON list string, a comma-separated string or a
    single value.
    """
    options = list(allowed)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f"{field} must be a list of choices, got {text!r}") from None
        else:
            value = [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ValueError(f"{field} must be a list of choices, got {value!r}")
    unknown = [str(v) for v in value if str(v) not in options]
    if unknown:
        raise ValueError(
            f"{field} must be chosen from {', '.join(options)}; got {', '.join(map(repr, unknown))}"
        )
    chosen = {str(v) for v in value}
    return [o for o in options if o in chosen]


def sha256(field: str, value: Any) -> str:
    """A SHA-256 hex digest, lower-cased."""
    text = str(value).strip().lower()
    if not _SHA256.fullmatch(text):
        raise ValueError(f"{field} must be 64 hexadecimal characters (SHA-256), got {value!r}")
    return text


def doi(field: str, value: Any) -> str:
    """A DOI as ``10.prefix/suffix`` (a ``https://doi.org/`` form is reduced)."""
    text = str(value).strip()
    for prefix in _DOI_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    if not _DOI.fullmatch(text):
        raise ValueError(f"{field} must be a DOI like 10.1234/abcd, got {value!r}")
    return text


def json_object(field: str, value: Any) -> dict[str, Any]:
    """``value`` (a dict or a JSON string of an object) as a dict."""
    if isinstance(value, Mapping):
        return dict(value)
    try:
        loaded = json.loads(str(value))
    except ValueError as exc:
        text = str(value)
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ValueError(
            f"{field} must be a JSON object, got {shown!r} (not JSON: {exc.args[0].split(':')[0]}"
            f" at character {getattr(exc, 'pos', 0) + 1})"
        ) from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{field} must be a JSON object, got {type(loaded).__name__}")
    return loaded


def geojson(field: str, value: Any) -> str:
    """A GeoJSON geometry or feature, returned as compact JSON."""
    doc = json_object(field, value)
    if doc.get("type") not in _GEOJSON_TYPES:
        raise ValueError(
            f"{field} must be GeoJSON with a geometry type, got type {doc.get('type')!r}"
        )
    return dumps(doc)


def geojson_bbox(doc: Any) -> tuple[float, float, float, float] | None:
    """West, south, east, north of every position in a GeoJSON document
    (geometry, feature or collection); None when it holds no position."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            if len(node) >= 2 and all(isinstance(v, (int, float)) for v in node[:2]):
                xs.append(float(node[0]))
                ys.append(float(node[1]))
            else:
                for item in node:
                    walk(item)
        elif isinstance(node, dict):
            for key in ("coordinates", "geometry", "geometries", "features"):
                if key in node:
                    walk(node[key])

    walk(doc)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def table_schema(field: str, value: Any) -> str:
    """A Frictionless Table Schema (``fields`` with a name and a known type)."""
    doc = json_object(field, value)
    fields = doc.get("fields")
    if not isinstance(fields, list) or not fields:
        raise ValueError(f"{field} must have a non-empty list 'fields'")
    names: set[str] = set()
    for index, column in enumerate(fields):
        if not isinstance(column, dict) or not isinstance(column.get("name"), str):
            raise ValueError(f"{field}: fields[{index}] must be an object with a 'name'")
        if column["name"] in names:
            raise ValueError(f"{field}: column {column['name']!r} appears twice")
        names.add(column["name"])
        if column.get("type", "string") not in _TABLE_SCHEMA_TYPES:
            raise ValueError(
                f"{field}: column {column['name']!r} has unknown type {column.get('type')!r}"
            )
    keys = doc.get("primaryKey", [])
    for key in [keys] if isinstance(keys, str) else keys:
        if key not in names:
            raise ValueError(f"{field}: primaryKey column {key!r} is not a field")
    return dumps(doc)


def quality_report(field: str, value: Any) -> str:
    """A daily quality report: counts are whole numbers >= 0 (or ``null``
    when listed in ``withheld``), ``rejected`` maps reasons to counts and no
    more rows are accepted than read."""
    doc = json_object(field, value)
    withheld = doc.get("withheld") or []
    if not isinstance(withheld, list) or not all(isinstance(w, str) for w in withheld):
        raise ValueError(f"{field}.withheld must list the names of withheld totals")
    for name in QUALITY_REPORT_COUNTS:
        if name not in doc:
            raise ValueError(f"{field} must give {name}")
        if doc[name] is None and name in withheld:
            continue  # withheld for privacy (pipeline.report.public_view)
        count(f"{field}.{name}", doc[name])
    rejected = doc.get("rejected", {})
    if not isinstance(rejected, dict):
        raise ValueError(f"{field}.rejected must map reasons to counts")
    for reason, number in rejected.items():
        count(f"{field}.rejected.{reason}", number)
    read, accepted = doc["rows_read"], doc["rows_accepted"]
    if read is not None and accepted is not None and accepted > read:
        raise ValueError(f"{field}: rows_accepted cannot exceed rows_read")
    return dumps(doc)


def dumps(doc: Any) -> str:
    """Compact JSON with stable key order (the stored form)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
