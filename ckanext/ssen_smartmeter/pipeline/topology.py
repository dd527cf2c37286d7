"""Loading the network topology into the engine: feeders, substations, meters.

Also :func:`select_licence_areas`: the topology of some licence areas only
(each LV feeder names its ``licence_area``), for a source that publishes
those areas.

Errors never echo the files' contents: a malformed CSV row is reported with
its file, line and kind (as for reads files), an engine error by its kind.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from .config import InputError
from .inputs import (
    FEEDER_COLUMNS_OPTIONAL,
    FEEDER_COLUMNS_REQUIRED,
    METER_COLUMNS_REQUIRED,
    describe,
    file_format,
    find_table,
    relation,
    sql_str,
)
from .sql import FEEDER_SHIFT, GROUP_BITS, all_digits
from .unreadable import bad_values

FEEDER_COLUMNS_ALL = FEEDER_COLUMNS_REQUIRED + FEEDER_COLUMNS_OPTIONAL
#: rejects tables of the topology's CSV files (reads files use 0, 1, ...)
_REJECTS = {"lv_feeders": 1_000_001, "meter_feeders": 1_000_002}
_LINE = re.compile(r"Line:? ?(\d+)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Topology:
    """Where the topology came from and how big it is."""

    lv_feeders: Path
    meter_feeders: Path
    feeders: int
    meters: int
    meters_on_unknown_feeders: int


def _text_select(
    path: Path, types: dict[str, str], columns: tuple[str, ...], rejects: int | None = None
) -> str:
    picked = ", ".join(
        f"CAST({name} AS VARCHAR) AS {name}"
        if name in types
        else f"CAST(NULL AS VARCHAR) AS {name}"
        for name in columns
    )
    return f"SELECT {picked} FROM {relation(path, types, rejects=rejects)}"


def _read_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    types: dict[str, str],
    columns: tuple[str, ...],
) -> None:
    """Temp table ``table`` with ``columns`` of ``path`` as text.

    :raises InputError: a malformed CSV row (file, column, line and kind) or
        an unreadable file, in one line that quotes nothing from the file
    """
    rejects = _REJECTS[path.name.split(".")[0]] if file_format(path) == "csv" else None
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * "
            f"FROM ({_text_select(path, types, columns, rejects)})"
        )
    except duckdb.Error as exc:
        raise _engine_error(path, exc) from None
    if rejects is not None:
        bad_values(con, path, rejects)  # all text: only malformed rows can be there


def _engine_error(path: Path, exc: duckdb.Error) -> InputError:
    """One line for an engine's error reading ``path``: its kind and line, no data."""
    text = str(exc)
    kind = text.split(":", 1)[0].strip() if ":" in text else type(exc).__name__
    line = _LINE.search(text)
    where = f" (line {line.group(1)})" if line else ""
    return InputError(str(path), None, f"unreadable topology table: {kind}{where}")


def _require(path: Path, types: dict[str, str], columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in types:
            raise InputError(str(path), column, "required column is missing")


def _check_digits(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, checks: tuple[tuple[str, int], ...]
) -> None:
    """Raise for the first row (header = line 1) of the first column not all digits."""
    counts = ", ".join(f"count(*) FILTER (WHERE NOT {all_digits(c, n)})" for c, n in checks)
    bad = con.execute(f"SELECT {counts} FROM {table}").fetchone()
    assert bad is not None
    for (column, digits), count in zip(checks, bad, strict=True):
        if not count:
            continue
        # only on error: number the rows to say where
        row = con.execute(
            f"SELECT min(rownum) FROM (SELECT row_number() OVER () + 1 AS rownum, * "
            f"FROM {table}) WHERE NOT {all_digits(column, digits)}"
        ).fetchone()
        line = int(row[0]) if row and row[0] is not None else 0
        raise InputError(str(path), column, f"row {line}: not {digits} digits")


def load(con: duckdb.DuckDBPyConnection, directory: Path) -> Topology:
    """Create temp tables ``feeders``, ``substations`` and ``meters``.

    ``feeders.feeder_idx`` numbers feeders in ``dataset_id`` order and
    ``substations.substation_idx`` substations in key order, so sorting on the
    integers sorts the output as the contract wants.
    """
    feeders_path = find_table(directory, "lv_feeders")
    meters_path = find_table(directory, "meter_feeders")
    feeder_types = describe(con, feeders_path)
    meter_types = describe(con, meters_path)
    _require(feeders_path, feeder_types, FEEDER_COLUMNS_REQUIRED)
    _require(meters_path, meter_types, METER_COLUMNS_REQUIRED)
    _read_table(con, "raw_feeders", feeders_path, feeder_types, FEEDER_COLUMNS_ALL)
    _read_table(con, "raw_meters", meters_path, meter_types, METER_COLUMNS_REQUIRED)
    feeder_count = con.execute("SELECT count(*) FROM raw_feeders").fetchone()[0]  # type: ignore[index]
    if not feeder_count:
        raise InputError(str(feeders_path), None, "empty topology: no LV feeders")
    meter_count = con.execute("SELECT count(*) FROM raw_meters").fetchone()[0]  # type: ignore[index]
    if not meter_count:
        raise InputError(str(meters_path), None, "empty topology: no meters")
    _check_digits(con, feeders_path, "raw_feeders", (("dataset_id", 12),))
    _check_digits(con, meters_path, "raw_meters", (("mpan", 13), ("dataset_id", 12)))
    dup = con.execute(
        "SELECT count(*) FROM (SELECT dataset_id FROM raw_feeders GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]  # type: ignore[index]
    if dup:
        raise InputError(
            str(feeders_path), "dataset_id", f"{dup} dataset_id values appear more than once"
        )
    # each meter once, with its feeder; a meter listed twice must name one feeder
    con.execute("""
        CREATE OR REPLACE TEMP TABLE meter_map AS
        SELECT mpan, CAST(mpan AS BIGINT) AS mpan_int, min(dataset_id) AS dataset_id,
               min(dataset_id) <> max(dataset_id) AS conflict
        FROM raw_meters GROUP BY mpan
    """)
    con.execute("DROP TABLE raw_meters")
    dup, distinct = con.execute(
        "SELECT count(*) FILTER (WHERE conflict), count(*) FROM meter_map"
    ).fetchone()  # type: ignore[misc]
    if dup:
        raise InputError(
            str(meters_path), "mpan", f"{dup} meters are mapped to more than one feeder"
        )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE substations AS
        SELECT CAST(row_number() OVER (ORDER BY substation_key) - 1 AS INTEGER) AS substation_idx, *
        FROM (
            SELECT left(dataset_id, 10) AS substation_key,
                   arg_min(secondary_substation_id, dataset_id) AS secondary_substation_id,
                   arg_min(secondary_substation_name, dataset_id) AS secondary_substation_name,
                   arg_min(substation_geo_location, dataset_id) AS substation_geo_location
            FROM raw_feeders GROUP BY 1
        )
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE feeders AS
        SELECT CAST(row_number() OVER (ORDER BY f.dataset_id) - 1 AS INTEGER) AS feeder_idx,
               s.substation_idx, f.dataset_id, f.secondary_substation_id,
               f.secondary_substation_name, f.lv_feeder_id, f.lv_feeder_name,
               f.substation_geo_location, f.licence_area
        FROM raw_feeders f JOIN substations s ON s.substation_key = left(f.dataset_id, 10)
    """)
    # a meter group is up to 64 meters of one feeder (one bit each, see sql.py);
    # grp = feeder_idx << FEEDER_SHIFT | local // 64, so the feeder is grp >> FEEDER_SHIFT
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE meters AS
        SELECT mpan, mpan_int AS meter_idx,
               (CAST(feeder_idx AS BIGINT) << {FEEDER_SHIFT}) | (local // {GROUP_BITS}) AS grp,
               CAST(local % {GROUP_BITS} AS UTINYINT) AS bit
        FROM (
            SELECT m.mpan, m.mpan_int, f.feeder_idx,
                   row_number() OVER (PARTITION BY f.feeder_idx ORDER BY m.mpan_int) - 1 AS local
            FROM meter_map m
            JOIN feeders f ON f.dataset_id = m.dataset_id
        )
    """)
    within = (1 << FEEDER_SHIFT) - 1
    big = con.execute(f"SELECT count(*) FROM meters WHERE grp & {within} >= {within}").fetchone()[0]  # type: ignore[index]
    if big:
        raise InputError(str(meters_path), "dataset_id", "a feeder has more than 4 million meters")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE meter_groups AS
        SELECT grp, feeder_idx, substation_idx,
               count(*) OVER (PARTITION BY feeder_idx) = 1 AS alone
        FROM (
            SELECT DISTINCT m.grp, f.feeder_idx, f.substation_idx
            FROM meters m JOIN feeders f ON f.feeder_idx = m.grp >> {FEEDER_SHIFT}
        )
    """)
    placed = con.execute("SELECT count(*) FROM meters").fetchone()[0]  # type: ignore[index]
    con.execute("DROP TABLE raw_feeders")
    con.execute("DROP TABLE meter_map")
    return Topology(feeders_path, meters_path, feeder_count, placed, distinct - placed)


@dataclasses.dataclass(frozen=True)
class AreaSelection:
    """The topology of some licence areas (:func:`select_licence_areas`)."""

    #: the folder to aggregate with: the original one when nothing is left out
    directory: Path
    areas: tuple[str, ...]
    feeders: int
    feeders_excluded: int
    meters_excluded: int

    def to_dict(self) -> dict[str, object]:
        return {
            "areas": list(self.areas),
            "feeders": self.feeders,
            "feeders_excluded": self.feeders_excluded,
            "meters_excluded": self.meters_excluded,
        }


def select_licence_areas(directory: Path, areas: Sequence[str], work: Path) -> AreaSelection:
    """The topology of ``directory`` restricted to the LV feeders of ``areas``.

    A feeder is kept when its ``licence_area`` (case and spaces aside) is
    one of ``areas``; a meter is left out with its feeder. When every feeder
    is kept the original folder is returned untouched; otherwise the kept
    rows are written (as text, so nothing changes in the output) to
    ``work/lv_feeders.parquet`` and ``work/meter_feeders.parquet``. Reads of
    the meters left out find no meter (``unmapped_meter``).

    :raises InputError: unreadable tables, or no feeder in ``areas``
    """
    wanted = tuple(sorted({a.strip().upper() for a in areas}))
    if not wanted:
        raise InputError("configuration", "licence_areas", "no licence area given")
    feeders_path = find_table(directory, "lv_feeders")
    meters_path = find_table(directory, "meter_feeders")
    listed = ", ".join(sql_str(a) for a in wanted)
    con = duckdb.connect()
    try:
        feeder_types = describe(con, feeders_path)
        _require(feeders_path, feeder_types, FEEDER_COLUMNS_REQUIRED)
        _read_table(con, "raw_feeders", feeders_path, feeder_types, FEEDER_COLUMNS_ALL)
        # checked here too, so that a row number names the row of the source's file
        _check_digits(con, feeders_path, "raw_feeders", (("dataset_id", 12),))
        con.execute(
            "CREATE TEMP TABLE excluded AS SELECT dataset_id FROM raw_feeders "
            f"WHERE upper(trim(coalesce(licence_area, ''))) NOT IN ({listed})"
        )
        total, excluded = con.execute(
            "SELECT (SELECT count(*) FROM raw_feeders), (SELECT count(*) FROM excluded)"
        ).fetchone()  # type: ignore[misc]
        if not excluded:
            return AreaSelection(directory, wanted, int(total), 0, 0)
        if excluded == total:
            raise InputError(
                str(feeders_path),
                "licence_area",
                f"none of the {total:,} LV feeders is in licence area {' or '.join(wanted)}",
            )
        meter_types = describe(con, meters_path)
        _require(meters_path, meter_types, METER_COLUMNS_REQUIRED)
        _read_table(con, "raw_meters", meters_path, meter_types, METER_COLUMNS_REQUIRED)
        _check_digits(con, meters_path, "raw_meters", (("mpan", 13), ("dataset_id", 12)))
        meters_out = con.execute(
            "SELECT count(*) FROM raw_meters WHERE dataset_id IN (SELECT dataset_id FROM excluded)"
        ).fetchone()[0]  # type: ignore[index]
        work.mkdir(parents=True, exist_ok=True)
        for table, name in (("raw_feeders", "lv_feeders"), ("raw_meters", "meter_feeders")):
            target = sql_str(str(work / f"{name}.parquet"))
            con.execute(
                f"COPY (SELECT * FROM {table} WHERE dataset_id IS NULL OR dataset_id NOT IN "
                "(SELECT dataset_id FROM excluded WHERE dataset_id IS NOT NULL)) "
                f"TO {target} (FORMAT parquet)"
            )
        return AreaSelection(work, wanted, int(total - excluded), int(excluded), int(meters_out))
    finally:
        con.close()
