"""Finding, checking and reading the input files (reads and topology).

Each reads file becomes one ``SELECT`` that normalises it to the same columns
(``file_idx, mpan, ts, local_bad, a, s, r``) so Parquet, CSV and CSV.gz files
with different physical types can be mixed in one query.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import gzip
import hashlib
import os
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import duckdb

from .config import InputError
from .localtime import local_sql
from .unreadable import reader_options

#: a CSV's header row is read up to this many bytes (a real one is ~100)
HEADER_MAX_BYTES = 64 * 1024
READ_COLUMNS_REQUIRED = ("mpan", "period_end", "active_import_wh")
VALUE_COLUMNS = ("active_import_wh", "secondary_active_import_wh", "reactive_import_varh")
FEEDER_COLUMNS_REQUIRED = (
    "dataset_id",
    "secondary_substation_id",
    "secondary_substation_name",
    "lv_feeder_id",
    "lv_feeder_name",
    "licence_area",
)
FEEDER_COLUMNS_OPTIONAL = ("substation_geo_location",)
METER_COLUMNS_REQUIRED = ("mpan", "dataset_id")

_NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
)
_NAIVE_TS = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE")


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def file_format(path: Path) -> str:
    """``parquet`` or ``csv`` from the file name (``.csv.gz`` is CSV)."""
    name = path.name.lower()
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "csv"
    raise InputError(str(path), None, "unknown file type (expected .parquet, .csv or .csv.gz)")


def expand(patterns: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named by ``patterns`` (paths or globs), sorted, each once."""
    found: set[Path] = set()
    for pattern in patterns:
        text = str(pattern)
        if glob.has_magic(text):
            matches = [Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()]
            if not matches:
                raise InputError(text, None, "no file matches this pattern")
            found.update(matches)
        else:
            path = Path(text)
            if not path.is_file():
                raise InputError(text, None, "file not found")
            found.add(path)
    if not found:
        raise InputError("--reads", None, "no input files given")
    for path in found:
        file_format(path)
    return sorted(found, key=lambda p: str(p))


def sha256_file(
    path: str | os.PathLike[str],
    chunk: int = 4 << 20,
    on_read: Callable[[int], None] | None = None,
) -> str:
    """Hex sha256 of a file, streamed in ``chunk`` bytes into one buffer
    (hashlib releases the GIL, so it runs beside DuckDB).

    ``on_read(size)`` is told of every block read (progress discounts them).
    """
    digest = hashlib.sha256()
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            if on_read is not None:
                on_read(size)
            digest.update(view[:size])
    return digest.hexdigest()


def input_checksums(paths: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """``{path: sha256}`` for the files named by ``paths`` (globs allowed)."""
    return {str(p): sha256_file(p) for p in expand(paths)}


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV's first line.

    Only that line is decoded: a later row that is not UTF-8 is the reader's
    to report (``malformed row: invalid encoding (line N)``), wherever it is.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.readline(HEADER_MAX_BYTES)
    except (OSError, EOFError) as exc:
        raise InputError(str(path), None, f"cannot read the file: {exc}") from exc
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            str(path), None, "malformed header row: invalid encoding (line 1, not UTF-8)"
        ) from None
    if not line.strip():
        raise InputError(str(path), None, "empty file (no header row)")
    return [name.strip().strip('"') for name in line.rstrip("\r\n").split(",")]


def describe(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """Column name -> DuckDB type of a Parquet file, or of a CSV's header (all text)."""
    if file_format(path) == "csv":
        return {name: "VARCHAR" for name in _csv_header(path)}
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_str(str(path))})").fetchall()
    except duckdb.Error as exc:
        raise InputError(
            str(path), None, f"not a readable Parquet file: {_first_line(exc)}"
        ) from exc
    return {row[0]: row[1] for row in rows}


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def relation(
    path: Path,
    types: dict[str, str],
    csv_types: dict[str, str] | None = None,
    rejects: int | None = None,
) -> str:
    """A ``FROM`` item reading ``path``; CSV columns get ``csv_types`` (others VARCHAR).

    With ``rejects`` (a reads file's index), rows whose typed cells cannot be
    read are skipped and recorded (see :mod:`.unreadable`); otherwise they fail
    the scan.
    """
    literal = sql_str(str(path))
    if file_format(path) == "parquet":
        return f"read_parquet({literal})"
    csv_types = csv_types or {}
    columns = ", ".join(
        f"{sql_str(name)}: {sql_str(csv_types.get(name, 'VARCHAR'))}" for name in types
    )
    return (
        f"read_csv({literal}, header=true, delim=',', quote='\"', escape='\"', "
        f"auto_detect=false, columns={{{columns}}}, strict_mode=true, "
        f"null_padding=false{'' if rejects is None else ', ' + reader_options(rejects)})"
    )


@dataclasses.dataclass(frozen=True)
class ReadsFile:
    """One raw reads file and how to read it."""

    index: int
    path: Path
    types: dict[str, str]

    @property
    def fmt(self) -> str:
        return file_format(self.path)


def inspect_reads(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> list[ReadsFile]:
    """Check every reads file has the columns and types of the contract."""
    files = []
    for index, path in enumerate(paths):
        types = describe(con, path)
        for column in READ_COLUMNS_REQUIRED:
            if column not in types:
                raise InputError(str(path), column, "required column is missing")
        if types["mpan"] != "VARCHAR":
            raise InputError(
                str(path), "mpan", f"wrong type {types['mpan']}: expected text (13 digits)"
            )
        ts_type = types["period_end"]
        if ts_type not in ("VARCHAR", "TIMESTAMP WITH TIME ZONE", *_NAIVE_TS):
            raise InputError(str(path), "period_end", f"wrong type {ts_type}: expected a timestamp")
        for column in VALUE_COLUMNS:
            kind = types.get(column)
            if kind is None or kind == "VARCHAR" or kind in _NUMERIC or kind.startswith("DECIMAL"):
                continue
            raise InputError(str(path), column, f"wrong type {kind}: expected a number")
        if file_format(path) == "parquet":
            for column in VALUE_COLUMNS:
                if types.get(column) == "VARCHAR":
                    raise InputError(str(path), column, "wrong type VARCHAR: expected a number")
        files.append(ReadsFile(index, path, types))
    return files


def normalised_select(file: ReadsFile, timezone: str, day: dt.date, tolerant: bool = False) -> str:
    """``SELECT`` giving ``file_idx, mpan, ts, local_bad, a, s, r`` for one file.

    ``tolerant``: a text file's rows that cannot be read are skipped and
    recorded (:mod:`.unreadable`) instead of failing the scan.

    ``ts`` is the period end in epoch microseconds, UTC (NULL if unparseable);
    ``local_bad`` flags naive local times that are ambiguous or do not exist.
    """
    types = file.types
    csv_types = {column: "DOUBLE" for column in VALUE_COLUMNS}
    source = relation(file.path, types, csv_types, rejects=file.index if tolerant else None)
    ts_type = types["period_end"]
    utc_zone = timezone == "UTC"
    # epoch microseconds: no calendar (ICU) work per row
    if ts_type == "TIMESTAMP WITH TIME ZONE":
        ts, bad = "epoch_us(period_end)", "FALSE"
    elif ts_type in _NAIVE_TS:
        naive = "epoch_us(CAST(period_end AS TIMESTAMP))"
        ts, bad = (naive, "FALSE") if utc_zone else local_sql(naive, timezone, day)
    else:
        # text: a period end has a time ("YYYY-MM-DD HH:MM" at least); a bare
        # date would otherwise read as midnight, a valid half-hour end
        text = "(CASE WHEN length(period_end) >= 16 THEN period_end END)"
        if utc_zone:  # with the session in UTC, naive text is read as UTC
            ts, bad = f"epoch_us(TRY_CAST({text} AS TIMESTAMPTZ))", "FALSE"
        else:
            ts, bad = _local_text(text, timezone, day)

    def value(column: str) -> str:
        return f"CAST({column} AS DOUBLE)" if column in types else "CAST(NULL AS DOUBLE)"

    return (
        f"SELECT {file.index} AS file_idx, mpan, {ts} AS ts, {bad} AS local_bad, "
        f"{value('active_import_wh')} AS a, {value('secondary_active_import_wh')} AS s, "
        f"{value('reactive_import_varh')} AS r FROM {source}"
    )


def scan_bytes(con: duckdb.DuckDBPyConnection, file: ReadsFile) -> int:
    """The bytes a scan of ``file`` reads: a Parquet file's chunks of the
    columns used, a text file whole (compressed, for ``.csv.gz``)."""
    if file.fmt != "parquet":
        return file.path.stat().st_size
    used = ", ".join(sql_str(c) for c in (*READ_COLUMNS_REQUIRED, *VALUE_COLUMNS))
    row = con.execute(
        f"SELECT sum(total_compressed_size) FROM parquet_metadata({sql_str(str(file.path))}) "
        f"WHERE path_in_schema IN ({used})"
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else file.path.stat().st_size


def estimate_rows(path: Path, sample: int = 16 << 20) -> int:
    """About how many data rows a CSV file holds (for progress only), from its
    size and the mean length of the lines in its first ``sample`` bytes
    (uncompressed); exact, but for quoted line breaks, when the file is smaller."""
    size = path.stat().st_size
    with open(path, "rb") as raw:
        if path.name.lower().endswith(".gz"):
            head, consumed = _gzip_head(raw, sample)
        else:
            head = raw.read(sample)
            consumed = None if len(head) < sample else len(head)
    header = head.find(b"\n") + 1
    if header == 0:
        return 0
    lines = head.count(b"\n", header)
    if consumed is None:  # the whole file
        return lines + (0 if head.endswith(b"\n") or len(head) == header else 1)
    whole = size * len(head) / max(consumed, 1)
    end = head.rfind(b"\n") + 1
    return round((whole - header) * lines / max(end - header, 1))


def _gzip_head(raw: BinaryIO, sample: int) -> tuple[bytes, int | None]:
    """The first ``sample`` bytes of a gzip file, over all its members, and the
    compressed bytes they took, or None for those when they are the whole file."""
    unzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
    head = bytearray()
    consumed = 0
    pending = b""  # the start of the next member, read with the end of the last
    while len(head) < sample:
        chunk = pending or raw.read(1 << 16)
        if not chunk:
            return bytes(head), None
        try:
            head += unzip.decompress(chunk, sample - len(head))
        except zlib.error:  # not gzip, or bytes after the last member
            if not head:
                return b"", None
            break
        consumed += len(chunk) - len(unzip.unconsumed_tail) - len(unzip.unused_data)
        pending = unzip.unused_data
        if unzip.eof:
            unzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
    return bytes(head), consumed


def staged(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> str:
    """``select`` written once to a Parquet file at ``path``; a ``SELECT`` reading it back.

    For a first pass in slices, each of which rescans its sources: a text file
    parsed and normalised once is far cheaper to rescan as Parquet (a full CSV
    day: about 33 s a scan as text, 3 s as Parquet).
    """
    con.execute(f"COPY ({select}) TO {sql_str(str(path))} (FORMAT parquet, COMPRESSION snappy)")
    return f"SELECT * FROM read_parquet({sql_str(str(path))})"


def _local_text(text: str, timezone: str, day: dt.date) -> tuple[str, str]:
    """``ts`` and ``local_bad`` for text period ends: naive ones are local time."""
    aware = (
        f"(right({text}, 1) IN ('Z', 'z') OR contains({text}[12:], '+')"
        f" OR contains({text}[12:], '-'))"
    )
    naive = f"epoch_us(TRY_CAST({text} AS TIMESTAMP))"
    local_ts, local_bad = local_sql(naive, timezone, day)
    ts = f"CASE WHEN {aware} THEN epoch_us(TRY_CAST({text} AS TIMESTAMPTZ)) ELSE {local_ts} END"
    return ts, f"(NOT {aware} AND coalesce({local_bad}, FALSE))"


def find_table(directory: Path, stem: str) -> Path:
    """``DIR/stem.parquet``, ``.csv`` or ``.csv.gz``."""
    if not directory.is_dir():
        raise InputError(str(directory), None, "topology folder not found")
    for suffix in (".parquet", ".csv", ".csv.gz"):
        candidate = directory / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    raise InputError(str(directory / f"{stem}.csv"), None, "topology table not found")
