"""The published CSV written in runs by several connections: the bytes of one ordered COPY."""

from __future__ import annotations

import errno
import os

import duckdb
import pytest

from ckanext.ssen_smartmeter.pipeline import AggregateConfig
from ckanext.ssen_smartmeter.pipeline.engine import connect
from ckanext.ssen_smartmeter.pipeline.outputs import copy_csv_in_order

SELECT = "k, 'feeder, \"' || k || '\"' AS name, v"


def _parquet(con, path, rows):
    # rows in an order that is not the order of k: the file's order must be kept
    con.execute(
        f"COPY (SELECT (i * 7919) % {max(rows, 1)} AS k, CASE WHEN i % 5 = 0 THEN NULL "
        f"ELSE i * 0.5 END AS v FROM range({rows}) t(i) ORDER BY i) TO '{path}' "
        "(FORMAT parquet, ROW_GROUP_SIZE 2048)"
    )


@pytest.mark.parametrize(("threads", "rows"), [(1, 10_000), (2, 10_000), (3, 10_001), (4, 3)])
def test_runs_in_parallel_give_the_bytes_of_one_ordered_copy(tmp_path, threads, rows):
    con = connect(AggregateConfig(threads=threads), tmp_path, csv_input=False)
    con.execute("SET preserve_insertion_order = true")
    source = tmp_path / "rows.parquet"
    _parquet(con, source, rows)
    expected = tmp_path / "expected.csv"
    con.execute(
        f"COPY (SELECT {SELECT} FROM read_parquet('{source}')) TO '{expected}' "
        """(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')"""
    )
    target = tmp_path / "out.csv"
    copy_csv_in_order(con, SELECT, source, target, rows)
    assert target.read_bytes() == expected.read_bytes()
    assert len(target.read_bytes().splitlines()) == rows + 1
    # the runs' files are gone and the connection has its threads back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.csv", "out.csv", "rows.parquet"]
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == threads


def test_without_copy_file_range_the_runs_are_appended_by_python(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    con = connect(AggregateConfig(threads=3), tmp_path, csv_input=False)
    con.execute("SET preserve_insertion_order = true")
    source = tmp_path / "rows.parquet"
    _parquet(con, source, 5_000)
    copy_csv_in_order(con, SELECT, source, tmp_path / "a.csv", 5_000)
    con.execute("SET threads = 1")
    copy_csv_in_order(con, SELECT, source, tmp_path / "b.csv", 5_000)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def _short_copy_file_range(real):
    """The kernel copying at most 1,000 bytes a call, then saying it cannot."""
    calls = []

    def copy(src, dst, count, *args, **kwargs):
        calls.append(count)
        if len(calls) > 2:
            raise OSError(errno.EXDEV, "cross-device")
        return real(src, dst, min(count, 1000), *args, **kwargs)

    return copy, calls


def test_when_the_kernel_stops_short_python_appends_the_rest(tmp_path, monkeypatch):
    con = connect(AggregateConfig(threads=2), tmp_path, csv_input=False)
    con.execute("SET preserve_insertion_order = true")
    source = tmp_path / "rows.parquet"
    _parquet(con, source, 5_000)
    copy_csv_in_order(con, SELECT, source, tmp_path / "a.csv", 5_000)
    copy, calls = _short_copy_file_range(os.copy_file_range)
    monkeypatch.setattr(os, "copy_file_range", copy)
    copy_csv_in_order(con, SELECT, source, tmp_path / "b.csv", 5_000)
    assert len(calls) == 3  # two short copies, then "cannot": the rest through Python
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_run_that_fails_leaves_no_run_files_and_gives_the_threads_back(tmp_path):
    con = connect(AggregateConfig(threads=3), tmp_path, csv_input=False)
    con.execute("SET preserve_insertion_order = true")
    source = tmp_path / "rows.parquet"
    _parquet(con, source, 5_000)
    target = tmp_path / "out.csv"
    # the second run's file cannot be written: its name is a folder
    (tmp_path / "out.csv.1").mkdir()
    with pytest.raises(duckdb.Error):
        copy_csv_in_order(con, SELECT, source, target, 5_000)
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 3
    assert not (tmp_path / "out.csv.2").exists()
