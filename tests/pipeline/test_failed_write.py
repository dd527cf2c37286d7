"""A run that fails while writing leaves the earlier publication as it was, and no litter."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from .helpers import DATA, run

DAY = dt.date(2024, 2, 12)
READS = [DATA / "basic" / "reads.csv"]
TOPOLOGY = DATA / "basic" / "topology"


def _files(out):
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("threads", [1, 3])
def test_a_failure_after_the_files_are_written_keeps_the_earlier_day(tmp_path, threads):
    out = tmp_path / "out"
    run(READS, TOPOLOGY, DAY, out, threads=threads)
    # the report cannot be written: its folder is a file
    shutil.rmtree(out / "quality")
    (out / "quality").write_text("not a folder")
    before = _files(out)
    assert "lv_feeder/2024-02-12.csv" in before and "secondary_substation/2024-02-12.csv" in before

    later = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)  # different bytes if it had been published
    with pytest.raises(OSError):
        run(READS, TOPOLOGY, DAY, out, threads=threads, published_at=later)
    # the four new files were written, then removed: nothing else is in the folder
    assert _files(out) == before

    # once the cause is gone, the same run publishes
    (out / "quality").unlink()
    report = run(READS, TOPOLOGY, DAY, out, threads=threads, published_at=later)
    assert report.published_at == "2024-03-01T00:00:00.000Z"
    assert b"2024-03-01T00:00:00.000Z" in (out / "lv_feeder" / "2024-02-12.csv").read_bytes()
    assert set(_files(out)) == set(before) - {"quality"} | {"quality/2024-02-12.json"}


def test_a_failure_while_moving_the_files_in_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "out"
    run(READS, TOPOLOGY, DAY, out)
    first = _files(out)
    # the report cannot take its place (a folder has its name); the data files,
    # moved first, are the new ones: the move is file by file, not atomic
    (out / "quality" / "2024-02-12.json").unlink()
    (out / "quality" / "2024-02-12.json").mkdir()
    later = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(OSError):
        run(READS, TOPOLOGY, DAY, out, published_at=later)
    now = _files(out)
    assert sorted(now) == sorted(k for k in first if not k.startswith("quality/"))
    assert b"2024-03-01T00:00:00.000Z" in now["lv_feeder/2024-02-12.csv"]
    # a re-run, once the cause is gone, publishes the whole day again
    (out / "quality" / "2024-02-12.json").rmdir()
    run(READS, TOPOLOGY, DAY, out, published_at=later)
    assert sorted(_files(out)) == sorted(first)


def test_a_first_run_that_fails_while_writing_leaves_no_empty_folders(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # nothing published yet; the report cannot be written: its folder is a file
    (out / "quality").write_text("not a folder")
    with pytest.raises(OSError):
        run(READS, TOPOLOGY, DAY, out)
    # the level folders this run made are gone again; what was there stays
    assert sorted(p.name for p in out.iterdir()) == ["quality"]
    assert (out / "quality").read_text() == "not a folder"


def test_a_failed_run_keeps_folders_it_did_not_make(tmp_path):
    out = tmp_path / "out"
    (out / "lv_feeder").mkdir(parents=True)
    (out / "quality").write_text("not a folder")
    with pytest.raises(OSError):
        run(READS, TOPOLOGY, DAY, out)
    assert sorted(p.name for p in out.iterdir()) == ["lv_feeder", "quality"]
    assert list((out / "lv_feeder").iterdir()) == []
