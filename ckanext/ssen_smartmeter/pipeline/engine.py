"""A configured DuckDB connection, and progress reporting while it works."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from .config import AggregateConfig

#: progress(phase, rows_done, rows_total, elapsed_seconds); rows are None when unknown
Progress = Callable[[str, "int | None", "int | None", float], None]


def connect(config: AggregateConfig, spill_dir: Path, csv_input: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory connection: UTC session, memory limit, spill folder, threads."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{config.memory_limit}'")
    con.execute(f"SET temp_directory = '{spill_dir.as_posix()}'")
    # nothing before the output depends on row order (every stage aggregates or
    # sorts); ``outputs`` switches it on where it reads a file back in order
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    threads = config.threads or os.cpu_count() or 1
    con.execute(f"SET threads = {int(threads)}")
    if csv_input:
        # without statistics a CSV scan is estimated at a few dozen rows, so
        # DuckDB 2.0 (1) builds the join's hash table on the reads (86M rows)
        # instead of the meters and (2) pushes a GROUP BY (meter, time) below
        # the join (the key is unique there). Both only cost time and memory:
        # with the side choice off, every join builds on its right side as the
        # SQL is written, and every statement here puts the smaller table there.
        con.execute(
            "SET disabled_optimizers = 'partial_aggregate_pushdown,build_side_probe_side'"
        )
    return con


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


class Reporter:
    """Calls ``progress`` at phase changes and, during long statements, twice a second."""

    def __init__(self, progress: Progress | None, rows_total: int | None = None) -> None:
        self.progress = progress
        self.rows_total = rows_total
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def phase(self, name: str, rows: int | None = None) -> None:
        if self.progress:
            self.progress(name, rows, self.rows_total, self.elapsed())

    @contextlib.contextmanager
    def watch(self, name: str, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """Report ``name`` with rows estimated from DuckDB's query progress."""
        self.phase(name)
        if not self.progress:
            yield
            return
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(0.5):
                try:
                    pct = con.query_progress()
                except duckdb.Error:
                    continue
                rows = None
                if self.rows_total is not None and pct is not None and pct >= 0:
                    rows = int(self.rows_total * min(pct, 100.0) / 100.0)
                self.phase(name, rows)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
