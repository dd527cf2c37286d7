"""Rows of a text reads file that the CSV reader cannot read.

The reader parses the value columns of a CSV file as numbers. A value cell
that is not a number (``NA``, ``1.2.3``) makes its row unreadable: DuckDB
skips the row and records it (line and column, in a rejects table of its
own per file), and the pipeline counts it as ``bad_value``. Such a row is
never classified further, so ``bad_value`` comes before every other reason.
A file is unusable, and the day is refused with the file, column and line,
when

- a row is malformed (too many fields, other than empty ones at its end;
  too few; a quoted field never closed; invalid UTF-8 in the MPAN or time):
  the file is damaged, not one reading;
- at least :data:`MAX_BAD_VALUES` value cells are not numbers, or none of
  its rows has a readable value (checked by the caller, which knows the
  file's rows): the column is of the wrong type.

A value with invalid UTF-8 or a stray quote is not a number either, so its
row is ``bad_value``. Lines are DuckDB's: a quoted field holding a line
break counts as one line. The rejects tables also hold the text of the row:
they are dropped once counted, and only line numbers and column names are
ever shown.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb

from .config import InputError

#: Bad value cells of one file that are counted; from this many on, the file
#: is refused (its column is of the wrong type), which also bounds the memory
#: the rejects table takes.
MAX_BAD_VALUES = 100_000


def reader_options(file_index: int) -> str:
    """``read_csv`` options that skip and record the rows of unreadable values."""
    table = _table(file_index)
    return f"rejects_table='{table}', rejects_scan='{table}_scan', rejects_limit={MAX_BAD_VALUES}"


def _table(file_index: int) -> str:
    return f"rejects_{int(file_index)}"


@dataclasses.dataclass(frozen=True)
class BadValues:
    """The rows of one text file skipped for a value that is not a number."""

    rows: int
    first_line: int | None
    column: str | None  # the column of the first bad cell


def bad_values(con: duckdb.DuckDBPyConnection, path: Path, file_index: int) -> BadValues:
    """The ``bad_value`` rows of one CSV file after its scan.

    Raises :class:`InputError` for a malformed row or too many bad values.
    Call it right after the scan that reads every column of the file (a later
    scan of fewer columns would record fewer errors).
    """
    table = _table(file_index)
    malformed = con.execute(
        f"SELECT error_type, line, column_name FROM {table} "
        "WHERE error_type <> 'CAST' ORDER BY line, column_idx LIMIT 1"
    ).fetchone()
    if malformed:
        kind, line, column = malformed
        raise InputError(str(path), column, f"malformed row: {str(kind).lower()} (line {line})")
    counts = con.execute(f"SELECT count(*), count(DISTINCT line) FROM {table}").fetchone()
    first = con.execute(
        f"SELECT line, column_name FROM {table} ORDER BY line, column_idx LIMIT 1"
    ).fetchone()
    # the rows' text goes with the tables; a later rescan would add to them
    con.execute(f"DROP TABLE {table}")
    con.execute(f"DROP TABLE {table}_scan")
    assert counts is not None
    cells, rows = counts
    first_line, column = first if first else (None, None)
    if cells >= MAX_BAD_VALUES:
        raise InputError(
            str(path),
            column,
            f"wrong type: expected a number ({MAX_BAD_VALUES:,} or more values are not "
            f"numbers, the first at line {first_line})",
        )
    return BadValues(int(rows), first_line, column)


def refuse_if_all_bad(path: Path, bad: BadValues, readable_rows: int) -> None:
    """A file none of whose rows could be read has a value column of the wrong type."""
    if bad.rows and not readable_rows:
        raise InputError(
            str(path),
            bad.column,
            f"wrong type: expected a number (no row has one, the first at line {bad.first_line})",
        )
