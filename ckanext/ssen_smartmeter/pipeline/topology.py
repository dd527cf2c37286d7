"""Loading the network topology into the engine: feeders, substations, meters.

A source may publish some licence areas only (each LV feeder names its
``licence_area``): :func:`load` then keeps the feeders of those areas, and
places the meters of the other feeders in a group of their own
(``sql.OTHER_AREA_GROUP``) so that their reads are counted apart.

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
from .sql import FEEDER_SHIFT, GROUP_BITS, OTHER_AREA_GROUP, all_digits
from .unreadable import bad_values

FEEDER_COLUMNS_ALL = FEEDER_COLUMNS_REQUIRED + FEEDER_COLUMNS_OPTIONAL
#: rejects tables of the topology's CSV files (reads files use 0, 1, ...)
_REJECTS = {"lv_feeders": 1_000_001, "meter_feeders": 1_000_002}
_LINE = re.compile(r"Line:? ?(\d+)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class AreaSelection:
    """The share of the topology in some licence areas (``load``'s ``areas``)."""

    areas: tuple[str, ...]
    #: LV feeders in the areas, and those of other areas (or of none)
    feeders: int
    feeders_excluded: int
    #: meters on the feeders left out
    meters_excluded: int

    def to_dict(self) -> dict[str, object]:
        return {
            "areas": list(self.areas),
            "feeders": self.feeders,
            "feeders_excluded": self.feeders_excluded,
            "meters_excluded": self.meters_excluded,
        }


@dataclasses.dataclass(frozen=True)
class Topology:
    """Where the topology came from and how big it is (in the areas aggregated)."""

    lv_feeders: Path
    meter_feeders: Path
    feeders: int
    meters: int
    #: meters mapped to a feeder the topology does not list (in no area)
    meters_on_unknown_feeders: int
    #: with licence areas: what was kept and left out, else None
    areas: AreaSelection | None = None


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


def load(con: duckdb.DuckDBPyConnection, directory: Path, areas: Sequence[str] = ()) -> Topology:
    """Create temp tables ``feeders``, ``substations`` and ``meters``.

    ``feeders.feeder_idx`` numbers feeders in ``dataset_id`` order and
    ``substations.substation_idx`` substations in key order, so sorting on the
    integers sorts the output as the contract wants.

    :param areas: licence areas (upper case; empty: every feeder). Only the
        feeders whose ``licence_area`` (case and spaces aside) is listed, and
        their substations, are aggregated: the tables and the numbering are
        those of a topology of these feeders only, so the output is too. The
        meters of the other feeders go into ``meters`` without a
        ``meter_idx``, in the group ``sql.OTHER_AREA_GROUP``. The whole
        topology is checked either way.
    :raises InputError: unusable tables, or no feeder in ``areas``
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
    feeders_excluded = _leave_out_other_areas(con, feeders_path, feeder_count, areas)
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
    selection = None
    if areas:
        # after the checks above: this group is one no feeder may reach
        con.execute(f"""
            INSERT INTO meters (mpan, meter_idx, grp, bit)
            SELECT mpan, NULL, {OTHER_AREA_GROUP}, NULL FROM meter_map
            WHERE dataset_id IN (SELECT dataset_id FROM other_feeders)
        """)
        excluded = con.execute("SELECT count(*) FROM meters WHERE meter_idx IS NULL").fetchone()[0]  # type: ignore[index]
        con.execute("DROP TABLE other_feeders")
        selection = AreaSelection(
            tuple(areas), feeder_count - feeders_excluded, feeders_excluded, excluded
        )
    else:
        excluded = 0
    con.execute("DROP TABLE raw_feeders")
    con.execute("DROP TABLE meter_map")
    return Topology(
        feeders_path,
        meters_path,
        feeder_count - feeders_excluded,
        placed,
        distinct - placed - excluded,
        selection,
    )


def _leave_out_other_areas(
    con: duckdb.DuckDBPyConnection, feeders_path: Path, feeder_count: int, areas: Sequence[str]
) -> int:
    """Move the feeders of no area in ``areas`` from ``raw_feeders`` to the
    temp table ``other_feeders``; return how many (0 without ``areas``).

    :raises InputError: no feeder is in ``areas``
    """
    if not areas:
        return 0
    listed = ", ".join(sql_str(a) for a in areas)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE other_feeders AS SELECT dataset_id FROM raw_feeders "
        f"WHERE upper(trim(coalesce(licence_area, ''))) NOT IN ({listed})"
    )
    excluded = con.execute("SELECT count(*) FROM other_feeders").fetchone()[0]  # type: ignore[index]
    if excluded == feeder_count:
        raise InputError(
            str(feeders_path),
            "licence_area",
            f"none of the {feeder_count:,} LV feeders is in licence area {' or '.join(areas)}",
        )
    con.execute(
        "DELETE FROM raw_feeders WHERE dataset_id IN (SELECT dataset_id FROM other_feeders)"
    )
    return int(excluded)
