"""A configured DuckDB connection, and progress reporting while it works."""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from .config import MAX_SLICES, AggregateConfig, InputError
from .inputs import sql_str

#: progress(phase, rows_done, rows_total, elapsed_seconds); rows are None when unknown
Progress = Callable[[str, "int | None", "int | None", float], None]


def connect(config: AggregateConfig, spill_dir: Path, csv_input: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory connection: UTC session, memory limit, spill folder, threads."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    try:
        con.execute(f"SET memory_limit = {sql_str(config.memory_limit)}")
    except duckdb.Error as exc:
        con.close()
        raise InputError(
            "configuration",
            "memory_limit",
            f"{config.memory_limit!r} is not a memory size (for example 2GB or 800MB)",
        ) from exc
    if memory_limit_bytes(con) < MIN_MEMORY_BYTES:
        con.close()
        raise InputError("configuration", "memory_limit", "must be at least 100MB")
    con.execute(f"SET temp_directory = '{spill_dir.as_posix()}'")
    # nothing before the output depends on row order (every stage aggregates or
    # sorts); ``outputs`` switches it on where it reads a file back in order
    con.execute("SET preserve_insertion_order = false")
    # progress is tracked (``Reporter.watch`` polls it) but never printed
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    threads = config.threads or os.cpu_count() or 1
    con.execute(f"SET threads = {int(threads)}")
    if csv_input:
        # without statistics a CSV scan is estimated at a few dozen rows, so
        # DuckDB 2.0 (1) builds the join's hash table on the reads (86M rows)
        # instead of the meters and (2) pushes a GROUP BY (meter, time) below
        # the join (the key is unique there). Both only cost time and memory:
        # with the side choice off, every join builds on its right side as the
        # SQL is written, and every statement here puts the smaller table there.
        con.execute("SET disabled_optimizers = 'partial_aggregate_pushdown,build_side_probe_side'")
    return con


#: first-pass memory (DuckDB 2.0, measured on a full SSEN day): per group, its
#: result row and an entry in each thread's hash table; per meter, the lookup
#: table and the join's hash table; plus scan buffers
_GROUP_RESULT_BYTES = 64
_GROUP_THREAD_BYTES = 80
_METER_BYTES = 100
_BASE_BYTES = 128 << 20
#: the share of the memory left after the fixed part that one slice may fill
_HEADROOM = 0.8
#: the share of the limit a slice may always fill
_MIN_ROOM = 0.1
#: "100MB" as DuckDB reports it back (95.3 MiB); much below, DuckDB cannot
#: even load a topology (it fails "out of memory")
MIN_MEMORY_BYTES = 95 << 20
_UNITS = {
    "bytes": 1,
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
    "tib": 1 << 40,
    "pib": 1 << 50,
}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """The connection's ``memory_limit`` in bytes (DuckDB reports e.g. ``953.6 MiB``)."""
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]+)\s*", str(row[0] if row else ""))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"unrecognised memory_limit {row!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def plan_slices(groups: int, meters: int, threads: int, limit_bytes: int) -> int:
    """How many slices the first pass needs so its hash tables fit ``limit_bytes``.

    One slice (a single scan) when they fit; each further slice costs a rescan
    of the reads (2.5-3.5 s for a full SSEN day on two cores; text input is
    staged as Parquet first, see ``inputs.staged``) but divides the
    hash tables' memory, where a spilling aggregate costs far more (a full
    day's first pass at a 1 GB limit: 23 s in one slice, 14 s in two or three).
    """
    fixed = groups * _GROUP_RESULT_BYTES + meters * _METER_BYTES + _BASE_BYTES
    tables = groups * _GROUP_THREAD_BYTES * max(threads, 1)
    # (a small day fits whatever the fixed part's estimate says)
    room = max((limit_bytes - fixed) * _HEADROOM, limit_bytes * _MIN_ROOM)
    return max(1, min(MAX_SLICES, math.ceil(tables / room)))


@contextlib.contextmanager
def spill_directory(config: AggregateConfig, out_dir: Path) -> Iterator[Path]:
    """The configured temp directory, or a fresh one under ``out_dir`` removed after."""
    if config.temp_directory:
        path = Path(config.temp_directory)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".duckdb-spill-", dir=out_dir) as name:
        yield Path(name)


def process_read_bytes() -> int | None:
    """Bytes this process has read through system calls so far, or None where
    the system does not say (Linux tells it in ``/proc/self/io``)."""
    try:
        with open("/proc/self/io", "rb") as handle:
            for line in handle:
                if line.startswith(b"rchar:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def about(rows: int) -> int:
    """``rows`` to three significant figures: an estimate should not look exact."""
    return int(float(f"{rows:.3g}"))


class Reporter:
    """Calls ``progress`` at phase changes and, during long statements, twice a second.

    ``rows_total`` is exact for Parquet input and estimated from the files'
    sizes for text input (``rows_estimated``; the rows reported are then
    rounded to three significant figures) until the first pass counts them.
    """

    def __init__(self, progress: Progress | None, rows_total: int | None = None) -> None:
        self.progress = progress
        self.rows_total = rows_total
        self.rows_estimated = False
        #: bytes this process read for its own purposes (the inputs' checksums,
        #: hashed beside the scans), not counted as a scan's progress
        self.own_reads = 0
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def phase(self, name: str, rows: int | None = None) -> None:
        if self.progress:
            self.progress(name, rows, self.rows_total, self.elapsed())

    def count_own_read(self, size: int) -> None:
        self.own_reads += size

    def _scanned(self) -> int | None:
        read = process_read_bytes()
        return None if read is None else read - self.own_reads

    @contextlib.contextmanager
    def watch(
        self,
        name: str,
        con: duckdb.DuckDBPyConnection,
        share: tuple[int, int] = (0, 1),
        source_bytes: int | None = None,
        rows_total: int | None = None,
    ) -> Iterator[None]:
        """Report ``name`` with the rows done so far, while the statement runs.

        ``source_bytes``: the statement scans files of that many bytes (read
        once each); its progress is the share of them this process has read
        since (DuckDB's own query progress counts its other pipelines too, and
        for CSV input it sees the meters' table only). Without it, DuckDB's
        query progress. ``share`` (part, parts): the statement is part
        ``part`` of ``parts`` scans of the same rows (a slice). ``rows_total``:
        the rows this statement scans, if not the whole input's.
        """
        self.phase(name)
        if not self.progress:
            yield
            return
        total = self.rows_total if rows_total is None else rows_total
        start = self._scanned() if source_bytes else None
        stop = threading.Event()

        def fraction() -> float | None:
            if source_bytes:
                now = self._scanned()
                if start is None or now is None:
                    return None
                return max(0.0, min(1.0, (now - start) / source_bytes))
            try:
                pct = con.query_progress()
            except duckdb.Error:
                return None
            return min(pct, 100.0) / 100.0 if pct is not None and pct >= 0 else None

        def poll() -> None:
            last = 0
            while not stop.wait(0.5):
                done = fraction()
                rows = None
                if total is not None and done is not None:
                    rows = int(total * (share[0] + done) / share[1])
                    if self.rows_estimated:
                        rows = about(rows)
                    # never past the total, never backwards (a checksum block
                    # read but not yet discounted shows for one poll)
                    rows = last = max(last, min(rows, total))
                self.progress(name, rows, total, self.elapsed())  # type: ignore[misc]

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


class ProgressLines:
    """A :data:`Progress` callback writing lines for a person to read, at most
    one per phase change or ``every`` seconds: the phase, the rows done and,
    once the phase has moved, its estimated time left."""

    def __init__(self, write: Callable[[str], None], every: float = 1.0, indent: str = "") -> None:
        self.write = write
        self.every = every
        self.indent = indent
        self.last: tuple[str, float] = ("", -1e9)
        self.base: tuple[str, int, float] | None = None  # phase, rows, elapsed

    def __call__(self, phase: str, rows: int | None, total: int | None, elapsed: float) -> None:
        # the estimate starts again with each phase, also a phase seen before
        # (the reads read again after a row the reader could not read)
        if self.base is not None and self.base[0] != phase:
            self.base = None
        if rows is not None and self.base is None:
            self.base = (phase, rows, elapsed)
        if phase == self.last[0] and elapsed - self.last[1] < self.every:
            return
        self.last = (phase, elapsed)
        self.write(f"{self.indent}[{elapsed:7.1f}s] {phase}{self._rows(rows, total, elapsed)}")

    def _rows(self, rows: int | None, total: int | None, elapsed: float) -> str:
        if rows is None:
            return ""
        if total is None:
            return f" rows {rows:,}"
        text = f" rows {rows:,}/{total:,} ({100 * rows / total if total else 100:.0f}%)"
        assert self.base is not None
        _, start_rows, start = self.base
        if start_rows < rows < total and elapsed > start:
            left = (total - rows) * (elapsed - start) / (rows - start_rows)
            text += f", about {left:.0f}s left"
        return text
