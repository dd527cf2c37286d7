"""Restatements keep insert_time (rule P3); late reads and checksums for the harvester."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ckanext.ssen_smartmeter.pipeline import (
    AggregateConfig,
    InputError,
    PreviousPublication,
    QualityReport,
    aggregate_day,
    count_late_reads,
    input_checksums,
)

from .helpers import DATA, PUBLISHED, rows, run

DAY = dt.date(2024, 2, 12)
FIRST = dt.datetime(2024, 2, 14, 6, 0, tzinfo=dt.UTC)
SECOND = dt.datetime(2024, 2, 20, 9, 30, tzinfo=dt.UTC)


def _late_reads(path):
    """The basic reads plus one meter arriving late for 02:00Z: F1 then has m05 and m06 there."""
    shutil.copy(DATA / "basic" / "reads.csv", path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("0100000000006,2024-02-12T02:00:00Z,7,,\n")
    return path


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_restatement_keeps_insert_time_and_bumps_only_changed_rows(tmp_path, fmt):
    first = tmp_path / "first"
    run([DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", DAY, first, published_at=FIRST)
    previous = PreviousPublication.from_dir(first, DAY)
    if fmt == "csv":
        (first / "lv_feeder" / f"{DAY}.parquet").unlink()
        (first / "secondary_substation" / f"{DAY}.parquet").unlink()
        previous = PreviousPublication.from_dir(first, DAY)
        assert previous.lv_feeder.suffix == ".csv"
    reads = _late_reads(tmp_path / "reads.csv")
    third = tmp_path / "third"
    report = aggregate_again(reads, third, previous)
    old = {
        (r["dataset_id"], r["data_collection_log_timestamp"]): r
        for r in rows(first / "lv_feeder" / f"{DAY}.csv")
    }
    new = rows(third / "lv_feeder" / f"{DAY}.csv")
    assert all(r["insert_time"] == "2024-02-14T06:00:00.000Z" for r in new)
    changed = [r for r in new if r["last_modified_time"] == "2024-02-20T09:30:00.000Z"]
    # the late read makes 2 meters at F1 02:00Z, still < 5: no published value changes
    assert changed == []
    assert all(
        r["last_modified_time"]
        == old[(r["dataset_id"], r["data_collection_log_timestamp"])]["last_modified_time"]
        for r in new
    )
    assert report.restatement == {
        "lv_feeder": {"new_rows": 0, "changed_rows": 0, "removed_rows": 0, "held_rows": 0},
        "secondary_substation": {
            "new_rows": 0,
            "changed_rows": 0,
            "removed_rows": 0,
            "held_rows": 0,
        },
    }
    assert report.restatement_blocks_held == 0
    # a restatement publishes the same Parquet schema (nullability included)
    for level in ("lv_feeder", "secondary_substation"):
        restated = pq.read_schema(third / level / f"{DAY}.parquet")
        assert restated.equals(_first_schema(tmp_path, level), check_metadata=False)


def _first_schema(tmp_path, level):
    """The schema of a first publication of the basic day."""
    out = tmp_path / "schema-first"
    if not out.exists():
        run([DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", DAY, out)
    return pq.read_schema(out / level / f"{DAY}.parquet")


def aggregate_again(reads, out, previous):
    from ckanext.ssen_smartmeter.pipeline import aggregate_day

    return aggregate_day(
        [reads],
        DATA / "basic" / "topology",
        DAY,
        out,
        AggregateConfig(published_at=SECOND, threads=1),
        previous=previous,
    )


def test_restatement_holds_a_cell_that_one_meter_would_suppress(tmp_path):
    """Rule P3's guard: G1 00:30Z would go from 5 published meters to 4 (hidden):
    a change of pattern, so that substation half-hour keeps its published rows
    (``test_restate_guard.py`` has the other cases)."""
    first = tmp_path / "first"
    run([DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", DAY, first, published_at=FIRST)
    reads = tmp_path / "reads.csv"
    shutil.copy(DATA / "basic" / "reads.csv", reads)
    with open(reads, "a", encoding="utf-8") as handle:  # a late 5th reactive read for G1 00:30Z
        handle.write("0100000000018,2024-02-12T00:30:00+00:00,2,,3\n")
    report = aggregate_again(reads, tmp_path / "again", PreviousPublication.from_dir(first, DAY))
    # m18 already had an identical-timestamp active read of 2 with no reactive: the copies
    # conflict, so both are rejected; G1 00:30Z would drop to 4 active meters
    old = {
        (r["dataset_id"], r["data_collection_log_timestamp"]): r
        for r in rows(first / "lv_feeder" / f"{DAY}.csv")
    }
    lv = {
        (r["dataset_id"], r["data_collection_log_timestamp"]): r
        for r in rows(tmp_path / "again" / "lv_feeder" / f"{DAY}.csv")
    }
    assert lv == old
    g1 = lv[("000200200201", "2024-02-12T00:30:00.000Z")]
    assert g1["aggregated_device_count_active"] == "5"
    assert g1["insert_time"] == g1["last_modified_time"] == "2024-02-14T06:00:00.000Z"
    assert report.restatement["lv_feeder"]["changed_rows"] == 0
    assert report.restatement["lv_feeder"]["held_rows"] == 1
    assert report.restatement["secondary_substation"] == {
        "new_rows": 0,
        "changed_rows": 0,
        "removed_rows": 0,
        "held_rows": 1,
    }
    assert report.restatement_blocks_held == 1


def test_checksums_and_late_reads_from_the_published_report(tmp_path):
    reads = tmp_path / "reads"
    reads.mkdir()
    shutil.copy(DATA / "basic" / "reads.csv", reads / "a.csv")
    report = run([str(reads / "*.csv")], DATA / "basic" / "topology", DAY, tmp_path / "out")
    sums = input_checksums([str(reads / "*.csv")])
    digest = hashlib.sha256((reads / "a.csv").read_bytes()).hexdigest()
    assert sums == {str(reads / "a.csv"): digest}
    stored = QualityReport.read(tmp_path / "out" / "quality" / f"{DAY}.json")
    assert stored.inputs[0].sha256 == digest and stored.inputs[0].rows == 57
    assert count_late_reads(report.inputs, [str(reads / "*.csv")]).rows == 0
    (reads / "b.csv").write_text(
        "mpan,period_end,active_import_wh\n0100000000006,2024-02-12T02:00:00Z,7\n"
        "0100000000007,2024-02-12T02:00:00Z,7\n"
    )
    with open(reads / "a.csv", "a", encoding="utf-8") as handle:
        handle.write("0100000000008,2024-02-12T02:00:00Z,7,,\n")
    late = count_late_reads([i.__dict__ for i in stored.inputs], [str(reads / "*.csv")])
    assert late.rows == 3
    assert late.files == [str(reads / "a.csv"), str(reads / "b.csv")]


def test_checksums_already_known_are_not_computed_again(tmp_path):
    """The harvester hashes what it downloads as it arrives: the report takes
    those digests as given, and hashes only the other inputs."""
    reads = DATA / "basic" / "reads.csv"
    topology = DATA / "basic" / "topology"
    given = "ab" * 32  # not the file's digest: proof it was not recomputed
    report = aggregate_day(
        [reads],
        topology,
        DAY,
        tmp_path / "out",
        AggregateConfig(threads=1, published_at=PUBLISHED),
        checksums={str(reads): given},
    )
    digests = {Path(i.path).name: i.sha256 for i in report.inputs}
    assert digests["reads.csv"] == given
    for table in ("lv_feeders", "meter_feeders"):
        (path,) = topology.glob(f"{table}.*")
        assert digests[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    # the published files do not depend on it
    plain = run([reads], topology, DAY, tmp_path / "plain")
    for level in ("lv_feeder", "secondary_substation"):
        name = f"{level}/{DAY}.csv"
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    assert plain.inputs[0].sha256 == hashlib.sha256(reads.read_bytes()).hexdigest()


def test_threshold_below_five_is_refused_before_reading_anything(tmp_path):
    with pytest.raises(InputError, match="threshold 3 refused"):
        run(["/nowhere.csv"], DATA / "basic" / "topology", DAY, tmp_path, threshold=3)


def test_higher_threshold_suppresses_more(tmp_path):
    report = run(
        [DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", DAY, tmp_path, threshold=6
    )
    published = [
        r
        for r in rows(tmp_path / "lv_feeder" / f"{DAY}.csv")
        if r["aggregated_device_count_active"]
    ]
    assert [(r["dataset_id"], r["aggregated_device_count_active"]) for r in published] == [
        ("000100100101", "6")
    ]
    assert report.cells_suppressed_p1 > 8


def test_a_previous_row_without_times_gets_the_new_publication_time(tmp_path):
    """A previous CSV with an empty time (edited by hand) never yields an empty time."""
    first = tmp_path / "first"
    run([DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", DAY, first, published_at=FIRST)
    for level in ("lv_feeder", "secondary_substation"):
        (first / level / f"{DAY}.parquet").unlink()
    path = first / "lv_feeder" / f"{DAY}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join([*lines[1].split(",")[:-2], "", ""])  # no insert or modified time
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    blanked = rows(path)[0]

    out = tmp_path / "again"
    aggregate_again(DATA / "basic" / "reads.csv", out, PreviousPublication.from_dir(first, DAY))
    again = {
        (r["dataset_id"], r["data_collection_log_timestamp"]): r
        for r in rows(out / "lv_feeder" / f"{DAY}.csv")
    }
    row = again[(blanked["dataset_id"], blanked["data_collection_log_timestamp"])]
    assert row["insert_time"] == row["last_modified_time"] == "2024-02-20T09:30:00.000Z"
    schema = pq.read_schema(out / "lv_feeder" / f"{DAY}.parquet")
    assert not schema.field("insert_time").nullable
    assert not schema.field("last_modified_time").nullable
    table = pq.read_table(out / "lv_feeder" / f"{DAY}.parquet")
    assert table.column("last_modified_time").null_count == 0


def test_restatement_counts_rows_new_and_removed_when_a_feeder_is_renumbered(tmp_path):
    first = tmp_path / "first"
    run([DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", DAY, first, published_at=FIRST)
    # the network team renumbers feeder 000100100103 as 000100100109 (same meters)
    topology = tmp_path / "topology"
    topology.mkdir()
    for name in ("lv_feeders.csv", "meter_feeders.csv"):
        text = (DATA / "basic" / "topology" / name).read_text(encoding="utf-8")
        (topology / name).write_text(text.replace("000100100103", "000100100109"), "utf-8")
    report = aggregate_day(
        [DATA / "basic" / "reads.csv"],
        topology,
        DAY,
        tmp_path / "again",
        AggregateConfig(published_at=SECOND, threads=2),
        previous=PreviousPublication.from_dir(first, DAY),
    )
    # 48 half-hours under the new id, 48 gone under the old; the substation is the
    # same. The feeder's 2 meters were never published: no half-hour is held
    assert report.restatement == {
        "lv_feeder": {"new_rows": 48, "changed_rows": 0, "removed_rows": 48, "held_rows": 0},
        "secondary_substation": {
            "new_rows": 0,
            "changed_rows": 0,
            "removed_rows": 0,
            "held_rows": 0,
        },
    }
    lv = rows(tmp_path / "again" / "lv_feeder" / f"{DAY}.csv")
    renumbered = [r for r in lv if r["dataset_id"] == "000100100109"]
    assert len(renumbered) == 48
    assert {r["insert_time"] for r in renumbered} == {"2024-02-20T09:30:00.000Z"}
    assert not any(r["dataset_id"] == "000100100103" for r in lv)
