"""Progress of long statements: rows as they go, and the time left on the command line."""

from __future__ import annotations

import datetime as dt
import gzip
import time
from random import Random

import pytest

from ckanext.ssen_smartmeter.pipeline import AggregateConfig, aggregate_day, generate_day
from ckanext.ssen_smartmeter.pipeline.engine import (
    ProgressLines,
    Reporter,
    about,
    connect,
    process_read_bytes,
)
from ckanext.ssen_smartmeter.pipeline.inputs import estimate_rows, sha256_file

DAY = dt.date(2024, 2, 12)


def test_a_long_statement_reports_its_share_of_rows_as_it_goes(tmp_path):
    con = connect(AggregateConfig(threads=2), tmp_path, csv_input=False)
    seen: list[tuple[str, int | None]] = []
    reporter = Reporter(lambda phase, rows, total, elapsed: seen.append((phase, rows)), 1000)
    # the second of two slices: its progress counts from 500 to 1000 rows
    with reporter.watch("work", con, share=(1, 2)):
        con.execute("SELECT sum(hash(range)) FROM range(600000000)").fetchall()
    rows = [r for phase, r in seen if phase == "work" and r is not None]
    assert rows, "no progress was reported during a statement of several seconds"
    assert all(500 <= r <= 1000 for r in rows)
    assert rows == sorted(rows)


def test_progress_lines_show_percent_and_time_left():
    lines: list[str] = []
    progress = ProgressLines(lines.append)
    progress("aggregate", None, 100, 0.0)
    progress("aggregate", 10, 100, 1.0)
    progress("aggregate", 25, 100, 1.5)  # within a second of the last line: not shown
    progress("aggregate", 40, 100, 2.0)  # 30 rows a second since 10 rows: 60 left, 2 s
    progress("privacy", None, 100, 3.5)
    assert lines == [
        "[    0.0s] aggregate",
        "[    1.0s] aggregate rows 10/100 (10%)",
        "[    2.0s] aggregate rows 40/100 (40%), about 2s left",
        "[    3.5s] privacy",
    ]


def test_time_left_starts_again_when_a_phase_does():
    """The reads read again (a row the reader could not read): the estimate is
    that of the new pass, not of the first one's start."""
    lines: list[str] = []
    progress = ProgressLines(lines.append)
    progress("aggregate", 0, 100, 0.0)
    progress("aggregate", 50, 100, 10.0)  # 5 rows a second
    progress("reading again, setting aside the rows that cannot be read", None, 100, 20.0)
    progress("aggregate", 0, 100, 21.0)
    progress("aggregate", 50, 100, 26.0)  # 10 rows a second since the pass began
    progress("aggregate", 60, 100, 27.5)  # the pass's rate: 60 rows in 6.5 s
    assert lines[3:] == [
        "[   21.0s] aggregate rows 0/100 (0%)",
        "[   26.0s] aggregate rows 50/100 (50%), about 5s left",
        "[   27.5s] aggregate rows 60/100 (60%), about 4s left",
    ]


def test_the_harvest_command_indents_and_thins_its_lines():
    lines: list[str] = []
    progress = ProgressLines(lines.append, every=2.0, indent="  ")
    for second in range(5):
        progress("aggregate", None, None, float(second))
    assert lines == ["  [    0.0s] aggregate", "  [    2.0s] aggregate", "  [    4.0s] aggregate"]


def _scan_of(tmp_path, size):
    """A file of ``size`` bytes to "scan", and a connection (Linux only)."""
    if process_read_bytes() is None:
        pytest.skip("this system does not tell the bytes a process has read")
    data = tmp_path / "reads.csv"
    data.write_bytes(b"1" * size)
    return data, connect(AggregateConfig(threads=1), tmp_path, csv_input=False)


def test_a_scan_counts_the_bytes_it_reads_but_not_the_checksums(tmp_path):
    data, con = _scan_of(tmp_path, 8_000_000)
    seen: list[tuple[float, int | None]] = []
    reporter = Reporter(lambda phase, rows, total, elapsed: seen.append((time.monotonic(), rows)))
    reporter.rows_total = 1000
    with reporter.watch("aggregate", con, source_bytes=8_000_000):
        # hashing the inputs runs beside the scan: its reads are not the scan's
        sha256_file(data, on_read=reporter.count_own_read)
        hashed = time.monotonic()
        time.sleep(0.8)
        with open(data, "rb") as handle:  # half of the file read by "the scan"
            assert len(handle.read(4_000_000)) == 4_000_000
        half = time.monotonic()
        time.sleep(0.8)
    before = {rows for at, rows in seen if hashed < at < half}
    after = {rows for at, rows in seen if at > half}
    assert before == {0}
    assert after == {500}


def test_text_input_rows_are_estimated_from_the_file_size(tmp_path):
    header = b"mpan,period_end,active_import_wh\n"
    random = Random(7)
    body = b"".join(
        f"{1000000000000 + i},2024-02-12T{i % 24:02}:30:00Z,{random.random():.3f}\n".encode()
        for i in range(50_000)
    )
    plain = tmp_path / "r.csv"
    plain.write_bytes(header + body)
    zipped = tmp_path / "r.csv.gz"
    zipped.write_bytes(gzip.compress(header + body))
    # the whole file in the sample: counted
    assert estimate_rows(plain) == 50_000
    assert estimate_rows(zipped) == 50_000
    # a sample of the first lines: size / mean line length (within 2 %)
    assert abs(estimate_rows(plain, sample=100_000) - 50_000) < 1_000
    assert abs(estimate_rows(zipped, sample=400_000) - 50_000) < 1_000
    # several gzip members (bgzip writes 64 KB ones; a header may be its own):
    # the sample runs on across them, and their compressed bytes are counted
    # up to where the sample ends
    blocks = [body[i : i + 65_536] for i in range(0, len(body), 65_536)]
    bgzip = tmp_path / "blocks.csv.gz"
    bgzip.write_bytes(gzip.compress(header) + b"".join(gzip.compress(b) for b in blocks))
    assert abs(estimate_rows(bgzip, sample=400_000) - 50_000) < 1_000
    assert estimate_rows(bgzip) == 50_000
    # bytes after the last member (zero padding) end the sample, not the estimate
    padded = tmp_path / "padded.csv.gz"
    padded.write_bytes(bgzip.read_bytes() + bytes(1000))
    assert abs(estimate_rows(padded) - 50_000) < 1_000
    not_gzip = tmp_path / "not.csv.gz"
    not_gzip.write_bytes(header + body[:1000])
    assert estimate_rows(not_gzip) == 0
    last = tmp_path / "no-final-newline.csv"
    lines = body.splitlines(keepends=True)
    last.write_bytes(header + b"".join(lines[:3]) + lines[3].rstrip())
    assert estimate_rows(last) == 4
    empty = tmp_path / "header-only.csv"
    empty.write_bytes(header)
    assert estimate_rows(empty) == 0


def test_phases_after_the_first_pass_show_the_rows_counted_not_the_estimate(tmp_path):
    # a CSV day larger than the estimate's sample (16 MB), with duplicates
    day = generate_day(8_000, DAY, tmp_path / "in", fmt="csv", anomalies=True, threads=1)
    assert day.reads[0].stat().st_size > 16 << 20
    seen: list[tuple[str, int | None]] = []
    report = aggregate_day(
        day.reads,
        day.topology_dir,
        DAY,
        tmp_path / "out",
        AggregateConfig(threads=1),
        lambda phase, rows, total, elapsed: seen.append((phase, total)),
    )
    totals = {phase: total for phase, total in seen}
    assert report.rejected["duplicate"] > 0 and "duplicates" in totals
    assert totals["aggregate"] == about(totals["aggregate"]) != report.rows_read  # estimated
    assert totals["duplicates"] == totals["privacy"] == totals["write"] == report.rows_read


def test_estimates_are_shown_to_three_significant_figures():
    assert [about(n) for n in (86_412_345, 1_234, 999_999, 0)] == [86_400_000, 1_230, 1_000_000, 0]


def test_rows_shown_are_estimates_never_past_the_total_nor_backwards(tmp_path):
    data, con = _scan_of(tmp_path, 3_000_000)
    seen: list[int | None] = []
    reporter = Reporter(lambda phase, rows, total, elapsed: seen.append(rows))
    # two text files' estimates: the total is shown to three figures
    reporter.rows_total, reporter.rows_estimated = about(123_456 + 45_678), True
    assert reporter.rows_total == 169_000
    with reporter.watch("aggregate", con, source_bytes=2_000_000):
        with open(data, "rb", buffering=0) as handle:
            handle.read(1_234_567)  # 61.7 %: 104,000 rows, to three figures
            time.sleep(0.8)
            handle.read()  # more than the scan's bytes: all rows, not more
            time.sleep(0.8)
            reporter.count_own_read(3_000_000)  # a late discount: not backwards
            time.sleep(0.8)
    rows = [r for r in seen if r is not None]
    assert rows[0] == 104_000
    assert rows[-1] == 169_000 and max(rows) == 169_000
    assert rows == sorted(rows)
