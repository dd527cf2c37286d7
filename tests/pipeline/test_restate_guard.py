"""The P3 restatement guard, by hand: blocks whose restatement would isolate
fewer than the threshold's meters keep their earlier rows.

``data/restate``: substation Alpha (feeders F1, F2, F3), Beta (no read in the
first publication) and Gamma (one meter). ``late.csv`` holds one late case per
half-hour of Alpha from 00:30 to 03:00 (see the comments of each test) and
Beta's first reads.
"""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq

from ckanext.ssen_smartmeter.pipeline import (
    AggregateConfig,
    PreviousPublication,
    aggregate_day,
    public_view,
)

from .helpers import DATA, rows

DAY = dt.date(2024, 2, 12)
FIRST = dt.datetime(2024, 2, 14, 6, 0, tzinfo=dt.UTC)
SECOND = dt.datetime(2024, 2, 20, 9, 30, tzinfo=dt.UTC)
FIRST_TS = "2024-02-14T06:00:00.000Z"
SECOND_TS = "2024-02-20T09:30:00.000Z"
CASE = DATA / "restate"
READS = CASE / "reads.csv"
LATE = CASE / "late.csv"
F1, F2, F3 = "000100100101", "000100100102", "000100100103"
ALPHA, BETA, GAMMA = "0001001001", "0002002002", "0003003003"
LEVELS = ("lv_feeder", "secondary_substation")


def _publish(reads, out, published=FIRST, topology=CASE / "topology", previous=None):
    return aggregate_day(
        reads,
        topology,
        DAY,
        out,
        AggregateConfig(published_at=published, threads=2),
        previous=PreviousPublication.from_dir(previous, DAY) if previous else None,
    )


def _by_key(out, level):
    return {
        (r["dataset_id"], r["data_collection_log_timestamp"][11:16]): r
        for r in rows(out / level / f"{DAY}.csv")
    }


def _restated(tmp_path):
    _publish([READS], tmp_path / "first")
    report = _publish([READS, LATE], tmp_path / "again", SECOND, previous=tmp_path / "first")
    old = {level: _by_key(tmp_path / "first", level) for level in LEVELS}
    new = {level: _by_key(tmp_path / "again", level) for level in LEVELS}
    return report, old, new


def _values(row):
    return (
        row["aggregated_device_count_active"],
        row["primary_consumption_active_import"],
        row["secondary_consumption_active_import"],
        row["total_consumption_active_import"],
    )


def _block(rows_by_level, sub, hhmm):
    lv = {k: r for k, r in rows_by_level["lv_feeder"].items() if k[0][:10] == sub and k[1] == hhmm}
    return [rows_by_level["secondary_substation"][(sub, hhmm)], *lv.values()]


def test_one_late_meter_is_held_with_its_block(tmp_path):
    """F1 00:30 was 7 meters, 1,000 Wh; the late meter would make it 8 and 1,160 Wh:
    the difference is that meter's 160 Wh. The block keeps its published rows."""
    report, old, new = _restated(tmp_path)
    f1 = new["lv_feeder"][(F1, "00:30")]
    assert _values(f1) == ("7", "1000", "", "1000")
    assert f1["insert_time"] == f1["last_modified_time"] == FIRST_TS
    assert (
        new["secondary_substation"][(ALPHA, "00:30")]
        == old["secondary_substation"][(ALPHA, "00:30")]
    )
    assert _block(new, ALPHA, "00:30") == _block(old, ALPHA, "00:30")
    # held: Alpha 00:30, 01:30, 02:00, 02:30 and 03:00 (three feeders and the
    # substation each)
    assert report.restatement_blocks_held == 5
    assert report.restatement["lv_feeder"]["held_rows"] == 15
    assert report.restatement["secondary_substation"]["held_rows"] == 5
    assert report.to_dict()["restatement_blocks_held"] == 5
    # the report's published counts are the file's: the held 7, not 8
    shown = [int(r["aggregated_device_count_active"] or 0) for r in new["lv_feeder"].values()]
    assert report.rows_published == sum(shown) == 7 + 6 + 12 + 6 + 7 + 7 + 6 + 7 + 6 + 5
    assert public_view(report.to_dict())["withheld"]


def test_a_late_batch_of_threshold_meters_is_applied(tmp_path):
    """01:00: five late meters on F1 (7 -> 12 meters, 70 -> 170 Wh); F2 unchanged;
    the substation 13 -> 18 meters; nothing hidden before or after."""
    report, old, new = _restated(tmp_path)
    f1 = new["lv_feeder"][(F1, "01:00")]
    assert _values(f1) == ("12", "170", "", "170")
    assert (f1["insert_time"], f1["last_modified_time"]) == (FIRST_TS, SECOND_TS)
    f2 = new["lv_feeder"][(F2, "01:00")]
    assert f2 == old["lv_feeder"][(F2, "01:00")]  # unchanged: its time stays
    alpha = new["secondary_substation"][(ALPHA, "01:00")]
    assert _values(alpha) == ("18", "230", "", "230")
    assert alpha["last_modified_time"] == SECOND_TS
    assert report.restatement["lv_feeder"]["changed_rows"] == 1
    assert report.restatement["secondary_substation"]["changed_rows"] == 1


def test_a_suppressed_feeder_becoming_published_is_held(tmp_path):
    """01:30: F2 had 4 meters (P1; P2 then hid F1 too); a fifth would publish both
    feeders, and F2 = 5 meters next to the old substation total gives F1's 7
    meters' sum again, and old vs new F2 gives the four hidden ones."""
    _, old, new = _restated(tmp_path)
    assert _block(new, ALPHA, "01:30") == _block(old, ALPHA, "01:30")
    assert _values(new["lv_feeder"][(F2, "01:30")]) == ("", "", "", "")
    assert _values(new["lv_feeder"][(F1, "01:30")]) == ("", "", "", "")
    fresh = _fresh(tmp_path)
    assert _values(fresh["lv_feeder"][(F2, "01:30")]) == ("5", "50", "", "50")


def test_the_hidden_group_changing_by_one_meter_is_held(tmp_path):
    """02:00: five late meters on F1 (allowed alone) and one on F3. The pattern is
    the same (F1 published; F3 by P1 and F2 by P2 hidden) and the substation
    changes by 6, but the hidden group F2 + F3 changes by one meter."""
    _, old, new = _restated(tmp_path)
    assert _block(new, ALPHA, "02:00") == _block(old, ALPHA, "02:00")
    fresh = _fresh(tmp_path)
    # without the guard: the same pattern, every published cell by >= 5 meters
    assert _values(fresh["lv_feeder"][(F1, "02:00")]) == ("12", "120", "", "120")
    assert _values(fresh["lv_feeder"][(F2, "02:00")]) == ("", "", "", "")
    assert _values(fresh["secondary_substation"][(ALPHA, "02:00")]) == ("20", "200", "", "200")


def test_a_second_register_changing_is_held(tmp_path):
    """02:30: five late meters on F1, one with a second register. Counts move by 5,
    but the published secondary value would move by that one meter's 5 Wh (the
    second register's meters are not published, so it must not change)."""
    _, old, new = _restated(tmp_path)
    assert _block(new, ALPHA, "02:30") == _block(old, ALPHA, "02:30")
    assert _values(new["lv_feeder"][(F1, "02:30")]) == ("7", "70", "35", "105")
    fresh = _fresh(tmp_path)
    assert _values(fresh["lv_feeder"][(F1, "02:30")]) == ("12", "120", "40", "160")


def test_the_split_becoming_hidden_is_held(tmp_path):
    """03:00: five late meters on F1, one with a second register: counts move by
    5, but the split is now hidden (1 meter with a second register), so the
    primary value goes empty: a change of pattern."""
    _, old, new = _restated(tmp_path)
    assert _block(new, ALPHA, "03:00") == _block(old, ALPHA, "03:00")
    assert _values(new["lv_feeder"][(F1, "03:00")]) == ("7", "70", "", "70")
    fresh = _fresh(tmp_path)
    assert _values(fresh["lv_feeder"][(F1, "03:00")]) == ("12", "", "", "125")


def test_a_substation_new_to_the_day_is_published(tmp_path):
    """Beta had no read before: nothing to subtract from, its rows are new."""
    report, old, new = _restated(tmp_path)
    assert not any(k[0][:10] == BETA for k in old["lv_feeder"])
    beta = [r for k, r in new["lv_feeder"].items() if k[0][:10] == BETA]
    assert len(beta) == 48
    assert {(r["insert_time"], r["last_modified_time"]) for r in beta} == {(SECOND_TS, SECOND_TS)}
    assert _values(new["lv_feeder"][("000200200201", "00:30")]) == ("5", "50", "", "50")
    assert report.restatement["lv_feeder"]["new_rows"] == 48
    assert report.restatement["secondary_substation"]["new_rows"] == 48
    assert report.restatement["lv_feeder"]["removed_rows"] == 0
    # every other half-hour of Alpha and Gamma is as it was
    for level in LEVELS:
        for key, row in old[level].items():
            if key[1] not in ("01:00",):
                assert new[level][key] == row, key


def test_a_meter_moved_between_feeders_is_held_and_a_gone_substation_removed(tmp_path):
    """The topology moves F2's m206 to F1 (F1 +1, F2 -1 wherever it read: either
    difference is its reading) and drops Gamma (its meter unmapped now)."""
    _publish([READS], tmp_path / "first")
    report = _publish(
        [READS],
        tmp_path / "again",
        SECOND,
        topology=CASE / "topology_moved",
        previous=tmp_path / "first",
    )
    # m206 read at 00:30, 01:00, 02:00, 02:30, 03:00: those blocks are held
    assert report.restatement_blocks_held == 5
    assert report.restatement == {
        "lv_feeder": {"new_rows": 0, "changed_rows": 0, "removed_rows": 48, "held_rows": 15},
        "secondary_substation": {
            "new_rows": 0,
            "changed_rows": 0,
            "removed_rows": 48,
            "held_rows": 5,
        },
    }
    for level in LEVELS:
        first = rows(tmp_path / "first" / level / f"{DAY}.csv")
        again = rows(tmp_path / "again" / level / f"{DAY}.csv")
        assert again == [r for r in first if not r["dataset_id"].startswith(GAMMA)]
    fresh = tmp_path / "fresh"
    _publish([READS], fresh, topology=CASE / "topology_moved")
    assert _values(_by_key(fresh, "lv_feeder")[(F1, "00:30")]) == ("8", "1050", "", "1050")


def test_a_restatement_without_change_changes_no_byte(tmp_path):
    _publish([READS, LATE], tmp_path / "first")
    report = _publish([READS, LATE], tmp_path / "again", SECOND, previous=tmp_path / "first")
    for level in LEVELS:
        for suffix in ("csv", "parquet"):
            name = f"{level}/{DAY}.{suffix}"
            assert (tmp_path / "again" / name).read_bytes() == (
                tmp_path / "first" / name
            ).read_bytes(), name
    assert report.restatement_blocks_held == 0
    assert all(
        counts == {"new_rows": 0, "changed_rows": 0, "removed_rows": 0, "held_rows": 0}
        for counts in report.restatement.values()
    )


def test_restated_files_are_deterministic_and_keep_the_schema(tmp_path):
    _publish([READS], tmp_path / "first")
    for i, order in enumerate(([READS, LATE], [LATE, READS])):
        _publish(order, tmp_path / f"again{i}", SECOND, previous=tmp_path / "first")
    for level in LEVELS:
        for suffix in ("csv", "parquet"):
            name = f"{level}/{DAY}.{suffix}"
            assert (tmp_path / "again0" / name).read_bytes() == (
                tmp_path / "again1" / name
            ).read_bytes()
        assert pq.read_schema(tmp_path / "again0" / level / f"{DAY}.parquet").equals(
            pq.read_schema(tmp_path / "first" / level / f"{DAY}.parquet"), check_metadata=False
        )


def test_a_first_publication_has_no_restatement_counts(tmp_path):
    report = _publish([READS], tmp_path / "first")
    assert report.restatement is None
    assert report.restatement_blocks_held is None


def _fresh(tmp_path):
    """All the reads published as a first publication (no guard)."""
    out = tmp_path / "fresh"
    if not out.exists():
        _publish([READS, LATE], out)
    return {level: _by_key(out, level) for level in LEVELS}
