"""Progress of long statements: rows as they go, and the time left on the command line."""

from __future__ import annotations

from ckanext.ssen_smartmeter.pipeline import AggregateConfig
from ckanext.ssen_smartmeter.pipeline.engine import ProgressLines, Reporter, connect


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


def test_the_harvest_command_indents_and_thins_its_lines():
    lines: list[str] = []
    progress = ProgressLines(lines.append, every=2.0, indent="  ")
    for second in range(5):
        progress("aggregate", None, None, float(second))
    assert lines == ["  [    0.0s] aggregate", "  [    2.0s] aggregate", "  [    4.0s] aggregate"]
