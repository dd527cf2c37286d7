"""Reads that arrived after a day was published (rule P3), found by checksum."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb

from .inputs import expand, file_format, sha256_file, sql_str
from .report import InputFile


@dataclasses.dataclass(frozen=True)
class LateReads:
    """Rows in input files that are new or changed since the publication."""

    rows: int
    files: list[str]


def count_rows(path: Path) -> int:
    """Rows in one reads file (Parquet: from the footer; CSV: a fast scan)."""
    con = duckdb.connect(":memory:")
    try:
        literal = sql_str(str(path))
        if file_format(path) == "parquet":
            query = f"SELECT sum(num_rows) FROM parquet_file_metadata({literal})"
        else:
            query = f"SELECT count(*) FROM read_csv({literal}, header=true, all_varchar=true)"
        row = con.execute(query).fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    finally:
        con.close()


def count_late_reads(
    published_inputs: Iterable[InputFile | Mapping[str, object]],
    reads: Sequence[str | os.PathLike[str]],
) -> LateReads:
    """Compare today's reads files with the ``inputs`` of the published report.

    A file whose sha256 was published counts 0; a published path whose content
    changed counts its rows beyond those published; a new file counts all rows.
    """
    by_hash: set[str] = set()
    rows_by_path: dict[str, int] = {}
    for item in published_inputs:
        entry = item if isinstance(item, InputFile) else InputFile(**item)  # type: ignore[arg-type]
        if entry.kind != "reads":
            continue
        by_hash.add(entry.sha256)
        rows_by_path[entry.path] = int(entry.rows or 0)
    late, files = 0, []
    for path in expand(reads):
        if sha256_file(path) in by_hash:
            continue
        extra = max(0, count_rows(path) - rows_by_path.get(str(path), 0))
        late += extra
        files.append(str(path))
    return LateReads(late, files)
