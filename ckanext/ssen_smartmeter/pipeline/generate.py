"""Synthetic, realistic days of smart meter reads and the matching topology.

Topology comes from numpy (skewed feeder sizes including 1-4 meter feeders,
about four feeders per substation); the reads are produced by DuckDB from
``range()`` with hash-based noise, so 1.8M meters x 48 half-hours are written
in parallel and out of core, and the same seed gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa

from .config import REASONS, InputError
from .inputs import sql_str
from .localtime import transitions

MPAN_STRIDE = 37
UNMAPPED_MPAN = "9999999999999"
_PLACES = (
    "Inverness",
    "Perth",
    "Aviemore",
    "Oban",
    "Portree",
    "Elgin",
    "Dingwall",
    "Wick",
    "Reading",
    "Slough",
    "Oxford",
    "Portsmouth",
    "Southampton",
    "Swindon",
    "Newbury",
    "Basingstoke",
    "Winchester",
    "Andover",
    "Fort William",
    "Thurso",
)
_STREETS = ("High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Main Street")


@dataclasses.dataclass(frozen=True)
class GeneratedDay:
    """Paths of a generated day and the rejections it was built to cause."""

    reads: list[Path]
    topology_dir: Path
    expected_rejections: dict[str, int]


def mpan_base(meters: int) -> int:
    """First MPAN: about a tenth of the meters get a leading zero."""
    return 10**12 - (meters // 10) * MPAN_STRIDE


def mpans(meters: int, seed: int) -> np.ndarray:
    """13-digit MPAN numbers of meters ``0..meters-1`` (distinct, increasing)."""
    index = np.arange(meters, dtype=np.int64)
    return mpan_base(meters) + index * MPAN_STRIDE + (index * 7919 + seed) % MPAN_STRIDE


def _feeder_sizes(meters: int, rng: np.random.Generator) -> np.ndarray:
    sizes: list[np.ndarray] = []
    total = 0
    while total < meters:
        n = max(16, (meters - total) // 12)
        big = np.clip(np.rint(rng.lognormal(2.85, 0.65, n)), 5, 300)
        small = rng.integers(1, 5, n)
        draw = np.where(rng.random(n) < 0.08, small, big).astype(np.int64)
        sizes.append(draw)
        total += int(draw.sum())
    out = np.concatenate(sizes)
    cut = int(np.searchsorted(np.cumsum(out), meters))
    out = out[: cut + 1].copy()
    out[-1] -= int(out.sum()) - meters
    return out[out > 0]


def topology_tables(meters: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """``lv_feeders`` and ``meter_feeders`` for ``meters`` meters."""
    rng = np.random.default_rng(seed)
    sizes = _feeder_sizes(meters, rng)
    n_feeders = len(sizes)
    per_sub = np.clip(rng.poisson(3.0, n_feeders) + 1, 1, 8)
    sub_of_feeder = np.repeat(np.arange(n_feeders), per_sub)[:n_feeders]
    lv_no = np.arange(n_feeders) - np.searchsorted(sub_of_feeder, sub_of_feeder)  # 0-based in sub
    k = sub_of_feeder
    primary, hv, sec = k // 5000 + 1, (k % 5000) // 100 + 1, k % 100 + 1
    dataset_id = [
        f"{p:04d}{h:03d}{s:03d}{f + 1:02d}"
        for p, h, s, f in zip(primary, hv, sec, lv_no, strict=True)
    ]
    n_subs = int(k.max()) + 1
    place = rng.integers(0, len(_PLACES), n_subs)
    north = place % 2 == 0
    lat = np.where(north, rng.uniform(56.0, 58.6, n_subs), rng.uniform(50.8, 51.9, n_subs))
    lon = np.where(north, rng.uniform(-5.5, -2.5, n_subs), rng.uniform(-2.0, -0.6, n_subs))
    no_geo = rng.random(n_subs) < 0.05
    comma = rng.random(n_subs) < 0.1
    sub_names = [
        f"{_PLACES[p]}, {_STREETS[i % len(_STREETS)]}" if c else f"{_PLACES[p]} {i:05d}"
        for i, (p, c) in enumerate(zip(place, comma, strict=True))
    ]
    geo = ["" if g else f"{a:.5f}, {o:.5f}" for g, a, o in zip(no_geo, lat, lon, strict=True)]
    named = rng.random(n_feeders) < 0.8
    feeders = pa.table(
        {
            "dataset_id": dataset_id,
            "secondary_substation_id": [str(100000 + s) for s in k],
            "secondary_substation_name": [sub_names[s] for s in k],
            "lv_feeder_id": [str(f + 1) for f in lv_no],
            "lv_feeder_name": [
                f"{_STREETS[(s + f) % len(_STREETS)]} {f + 1}" if n else ""
                for s, f, n in zip(k, lv_no, named, strict=True)
            ],
            "substation_geo_location": [geo[s] for s in k],
            "licence_area": ["SHEPD" if north[s] else "SEPD" for s in k],
        }
    )
    feeder_of_meter = np.repeat(np.arange(n_feeders), sizes)
    rng.shuffle(feeder_of_meter)
    ids = np.array(dataset_id)
    meter_feeders = pa.table(
        {
            "mpan": np.char.zfill(mpans(meters, seed).astype(str), 13),
            "dataset_id": ids[feeder_of_meter],
        }
    )
    return feeders, meter_feeders


def _profile() -> list[float]:
    hours = (np.arange(48) + 1) / 2.0
    shape = (
        0.35
        + 0.45 * np.exp(-((hours - 8.0) ** 2) / 3.0)
        + 0.9 * np.exp(-((hours - 18.5) ** 2) / 5.0)
        + 0.2 * np.exp(-((hours - 13.0) ** 2) / 8.0)
    )
    return [round(float(v), 4) for v in shape]


def _as_written(instants: list[dt.datetime], timezone: str) -> list[dt.datetime]:
    """UTC instants as the file holds them: aware UTC, or naive local times."""
    if timezone == "UTC":
        return instants
    zone = ZoneInfo(timezone)
    return [e.astimezone(zone).replace(tzinfo=None) for e in instants]


def _period_ends(day: dt.date, timezone: str) -> list[dt.datetime]:
    """The 48 period ends of ``day`` as written."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return _as_written([start + dt.timedelta(minutes=30 * (i + 1)) for i in range(48)], timezone)


def _ambiguous_local(day: dt.date, timezone: str) -> list[dt.datetime]:
    """A repeated and a non-existent naive local time near ``day``."""
    out = []
    moves = transitions(timezone, day)
    fold = min((m for m in moves if m.fold), key=lambda m: abs(m.at_utc.date() - day), default=None)
    gap = min((m for m in moves if m.gap), key=lambda m: abs(m.at_utc.date() - day), default=None)
    if fold and fold.fold:
        out.append(fold.fold[0] + dt.timedelta(minutes=30))
    if gap and gap.gap:
        out.append(gap.gap[0] + dt.timedelta(minutes=30))
    return out


def _natural_ambiguous(day: dt.date, timezone: str) -> int:
    """Period ends of ``day`` whose naive local time is ambiguous."""
    if timezone == "UTC":
        return 0
    zone = ZoneInfo(timezone)
    count = 0
    for local in _period_ends(day, timezone):
        a = local.replace(tzinfo=zone, fold=0).utcoffset()
        b = local.replace(tzinfo=zone, fold=1).utcoffset()
        count += a != b
    return count


def generate_day(
    meters: int,
    day: dt.date,
    out_dir: str | os.PathLike[str],
    seed: int = 0,
    fmt: str = "parquet",
    timezone: str = "UTC",
    anomalies: bool = False,
    threads: int | None = None,
) -> GeneratedDay:
    """Write ``out_dir/reads/DATE.{fmt}`` and ``out_dir/topology/*.{fmt}``.

    With ``timezone="Europe/London"`` period ends are naive local times. With
    ``anomalies`` extra rows cause every rejection reason (``ambiguous_local_time``
    only when the time zone has clock changes); ``expected_rejections`` says
    how many of each the aggregation must find (also written to
    ``out_dir/expected_rejections.json``).
    """
    if meters < 1:
        raise InputError("--meters", None, "must be at least 1")
    if fmt not in ("parquet", "csv"):
        raise InputError("--format", None, "must be parquet or csv")
    try:
        ZoneInfo(timezone)
    except Exception as exc:
        raise InputError("--timezone", None, f"unknown time zone {timezone!r}") from exc
    out = Path(out_dir)
    (out / "reads").mkdir(parents=True, exist_ok=True)
    (out / "topology").mkdir(parents=True, exist_ok=True)
    feeders, meter_feeders = topology_tables(meters, seed)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = true")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        expected = _write(
            con, out, meters, day, seed, fmt, timezone, anomalies, feeders, meter_feeders
        )
    finally:
        con.close()
    (out / "expected_rejections.json").write_text(
        json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return GeneratedDay([out / "reads" / f"{day.isoformat()}.{fmt}"], out / "topology", expected)


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path, fmt: str) -> None:
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
    con.execute(f"COPY ({query}) TO {sql_str(str(path))} ({options})")


def _write(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    meters: int,
    day: dt.date,
    seed: int,
    fmt: str,
    timezone: str,
    anomalies: bool,
    feeders: pa.Table,
    meter_feeders: pa.Table,
) -> dict[str, int]:
    con.register("feeders_arrow", feeders)
    con.register("meter_feeders_arrow", meter_feeders)
    _copy(con, "SELECT * FROM feeders_arrow", out / "topology" / f"lv_feeders.{fmt}", fmt)
    _copy(con, "SELECT * FROM meter_feeders_arrow", out / "topology" / f"meter_feeders.{fmt}", fmt)

    local = timezone != "UTC"
    ends = _period_ends(day, timezone)

    def ts_literal(value: dt.datetime | str) -> str:
        if isinstance(value, str):  # only CSV can hold unparseable text
            return sql_str(value)
        if fmt == "csv":
            text = value.strftime("%Y-%m-%dT%H:%M:%S")
            return sql_str(text if local else text + "Z")
        naive = value.replace(tzinfo=None).isoformat(sep=" ")
        return f"TIMESTAMP '{naive}'" if local else f"TIMESTAMPTZ '{naive}+00'"

    ends_list = "[" + ", ".join(ts_literal(e) for e in ends) + "]"
    base, s = mpan_base(meters), int(seed)
    number = f"{base} + m * {MPAN_STRIDE} + (m * 7919 + {s}) % {MPAN_STRIDE}"
    mpan = f"lpad(CAST({number} AS VARCHAR), 13, '0')"

    # a meter's base load, registers and MPAN depend on the seed only (the
    # same households every day); its half-hourly noise on the day too
    day_no = day.toordinal()

    def noise(tag: int) -> str:
        return f"(0.5 + (hash({s}, {day_no}, m, idx, {tag}) % 1000) / 1000.0)"

    load = f"(60 + (hash({s}, m, 1) % 400)) * {_profile()}[idx + 1]"
    has_secondary = f"hash({s}, m, 2) % 100 < 8"
    has_reactive = f"hash({s}, m, 3) % 100 < 85"
    row = f"""
        SELECT {mpan} AS mpan, {ends_list}[idx + 1] AS period_end,
               round({load} * {noise(4)}, 1) AS active_import_wh,
               CASE WHEN {has_secondary} THEN
                    CASE WHEN idx < 14 THEN round({load} * 0.9 * {noise(5)}, 1) ELSE 0.0 END
               END AS secondary_active_import_wh,
               CASE WHEN {has_reactive} THEN round({load} * 0.12 * {noise(6)}, 1) END
                   AS reactive_import_varh
    """
    grid = f"SELECT range // 48 AS m, CAST(range % 48 AS INTEGER) AS idx FROM range({meters * 48})"
    rows = f"{row} FROM ({grid})"
    expected = dict.fromkeys(REASONS, 0)
    expected["ambiguous_local_time"] = meters * _natural_ambiguous(day, timezone)
    query = rows
    if anomalies:
        extra, counts = _anomalies(row, ts_literal, ends, day, timezone, fmt, meters, mpan)
        for reason, n in counts.items():
            expected[reason] += n
        query = f"{rows} UNION ALL {extra}"
    reads = out / "reads" / f"{day.isoformat()}.{fmt}"
    _copy(con, query, reads, fmt)
    if anomalies and fmt == "csv":
        expected["bad_value"] += _append_unreadable(con, reads, mpan, ends, timezone)
    return expected


def _append_unreadable(
    con: duckdb.DuckDBPyConnection, reads: Path, mpan: str, ends: list[dt.datetime], timezone: str
) -> int:
    """Rows whose values are not numbers (``bad_value``), which only text can hold.

    The first is a conflicting copy of a real reading: being unreadable, it
    does not make that reading a duplicate.
    """
    row = con.execute(f"SELECT {mpan} FROM (SELECT 16 AS m)").fetchone()
    assert row is not None
    meter = row[0]

    def end(idx: int) -> str:
        text = ends[idx].strftime("%Y-%m-%dT%H:%M:%S")
        return text if timezone != "UTC" else text + "Z"

    lines = [f"{meter},{end(22)},NA,,", f"{meter},{end(23)},1.0,,n/a"]
    with open(reads, "a", encoding="utf-8", newline="") as handle:
        handle.write("".join(line + "\n" for line in lines))
    return len(lines)


def _anomalies(
    row: str,
    ts_literal,
    ends: list[dt.datetime],
    day: dt.date,
    timezone: str,
    fmt: str,
    meters: int,
    mpan: str,
) -> tuple[str, dict[str, int]]:
    """Rows that trigger each rejection reason, appended in a fixed order."""
    counts = dict.fromkeys(REASONS, 0)
    parts: list[str] = []

    def one(m: int, idx: int, **override: str) -> str:
        cols = {
            "mpan": "mpan",
            "period_end": "period_end",
            "active_import_wh": "active_import_wh",
            "secondary_active_import_wh": "secondary_active_import_wh",
            "reactive_import_varh": "reactive_import_varh",
        }
        cols.update(override)
        select = ", ".join(f"{expr} AS {name}" for name, expr in cols.items())
        return (
            f"SELECT {select} FROM ({row} FROM (SELECT {m % meters} AS m, "
            f"CAST({idx} AS INTEGER) AS idx))"
        )

    ts_type = "VARCHAR" if fmt == "csv" else ("TIMESTAMP" if timezone != "UTC" else "TIMESTAMPTZ")
    for bad in ("'ABC1234567890'", "'123456789012'", "'12345678901234'"):
        parts.append(one(7, 3, mpan=bad))
        counts["bad_mpan"] += 1
    odd = [ends[4] + dt.timedelta(minutes=15), ends[4] + dt.timedelta(seconds=1)]
    bad_ts = [f"CAST({ts_literal(t)} AS {ts_type})" for t in odd]
    if fmt == "csv":
        bad_ts.append("'not a time'")
    for t in bad_ts:
        parts.append(one(8, 4, period_end=t))
        counts["bad_timestamp"] += 1
    if timezone != "UTC":
        for t in _ambiguous_local(day, timezone):
            parts.append(one(9, 5, period_end=f"CAST({ts_literal(t)} AS {ts_type})"))
            counts["ambiguous_local_time"] += 1
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    outside = [start + dt.timedelta(hours=36), start - dt.timedelta(hours=12)]
    for t in _as_written(outside, timezone):
        parts.append(one(10, 6, period_end=f"CAST({ts_literal(t)} AS {ts_type})"))
        counts["outside_day"] += 1
    for override in (
        {"active_import_wh": "-1.0"},
        {"reactive_import_varh": "-2.5"},
        {"secondary_active_import_wh": "-0.1"},
    ):
        parts.append(one(11, 7, **override))
        counts["negative_value"] += 1
    for override in (
        {"active_import_wh": "16777215.0"},
        {"active_import_wh": "60000.5"},
        {"reactive_import_varh": "4294967295.0"},
    ):
        parts.append(one(12, 8, **override))
        counts["implausible_value"] += 1
    for idx in (9, 10):
        parts.append(one(13, idx, mpan=f"'{UNMAPPED_MPAN}'"))
        counts["unmapped_meter"] += 1
    # an identical copy (1 rejected) and a conflicting copy (both rejected)
    parts.append(one(14, 20))
    counts["duplicate"] += 1
    parts.append(one(15, 21, active_import_wh="active_import_wh + 1"))
    counts["duplicate"] += 2
    return " UNION ALL ".join(parts), counts
