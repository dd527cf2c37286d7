"""Hand-computed cases: every rejection reason, P1, P2, rounding, clock changes.

The expected files hold only the rows with a published count or value (worked
out by hand); every other row must exist (48 per feeder) and be empty.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from collections import Counter

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from .helpers import DATA, expected_quality, non_empty_lines, rows, run

CASES = {
    "basic": (dt.date(2024, 2, 12), "UTC", "2024-02-14T06:00:00+00:00"),
    "spring": (dt.date(2024, 3, 31), "Europe/London", "2024-11-01T06:00:00+00:00"),
    "autumn": (dt.date(2024, 10, 27), "Europe/London", "2024-11-01T06:00:00+00:00"),
}
LEVELS = ("lv_feeder", "secondary_substation")


def _run_case(case, tmp_path, reads=None, slices=None):
    day, zone, published = CASES[case]
    report = run(
        reads or [DATA / case / "reads.csv"],
        DATA / case / "topology",
        day,
        tmp_path,
        timezone=zone,
        published_at=dt.datetime.fromisoformat(published),
        slices=slices,
    )
    return day, report


# slices: the first pass in one scan, or in three (each for a third of the
# feeders; the rows of unknown meters in the first): the same files and counts
@pytest.mark.parametrize("slices", [None, 3])
@pytest.mark.parametrize("case", sorted(CASES))
def test_published_values_match_hand_computed_files(case, slices, tmp_path):
    day, _ = _run_case(case, tmp_path, slices=slices)
    for level in LEVELS:
        produced = non_empty_lines(tmp_path / level / f"{day}.csv")
        expected = (DATA / case / f"expected_{level}.csv").read_text(encoding="utf-8").splitlines()
        assert produced == expected, level


@pytest.mark.parametrize("slices", [None, 3])
@pytest.mark.parametrize("case", sorted(CASES))
def test_quality_report_matches_hand_computed_counts(case, slices, tmp_path):
    _, report = _run_case(case, tmp_path, slices=slices)
    got = report.to_dict()
    for key, value in expected_quality(case).items():
        assert got[key] == value, key
    assert sum(got["rejected"].values()) + got["rows_accepted"] == got["rows_read"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_key_gets_48_sorted_unique_half_hours(case, tmp_path):
    day, _ = _run_case(case, tmp_path)
    start = dt.datetime(day.year, day.month, day.day)
    stamps = [
        (start + dt.timedelta(minutes=30 * (i + 1))).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        for i in range(48)
    ]
    for level in LEVELS:
        table = rows(tmp_path / level / f"{day}.csv")
        keys = Counter(r["dataset_id"] for r in table)
        assert set(keys.values()) == {48}
        assert [(r["dataset_id"], r["data_collection_log_timestamp"]) for r in table] == [
            (key, stamp) for key in sorted(keys) for stamp in stamps
        ]


def test_feeder_without_reads_is_not_published(tmp_path):
    day, report = _run_case("basic", tmp_path)
    ids = {r["dataset_id"] for r in rows(tmp_path / "lv_feeder" / f"{day}.csv")}
    assert "000300300301" not in ids
    assert ids == {"000100100101", "000100100102", "000100100103", "000200200201"}
    assert report.feeders_published == 4


def test_every_rejection_reason_has_a_key_even_when_zero(tmp_path):
    _, report = _run_case("spring", tmp_path)
    assert list(report.rejected) == [
        "bad_mpan",
        "bad_timestamp",
        "ambiguous_local_time",
        "outside_day",
        "negative_value",
        "implausible_value",
        "unmapped_meter",
        "duplicate",
        "bad_value",
    ]
    assert report.rejected["bad_mpan"] == 0


@pytest.mark.parametrize("zone", ["UTC", "Europe/London"])
def test_a_date_without_a_time_is_a_bad_timestamp(zone, tmp_path):
    # read as text, "2024-02-13" would be midnight: the day's last half-hour end
    reads = tmp_path / "reads.csv"
    reads.write_text(
        "mpan,period_end,active_import_wh\n"
        "0100000000001,2024-02-13,5\n"
        "0100000000002,2024-02-13 00:00,5\n"
        "0100000000003,2024-02-13T00:00:00Z,5\n"
    )
    report = run(
        [reads],
        DATA / "basic" / "topology",
        dt.date(2024, 2, 12),
        tmp_path / "out",
        timezone=zone,
    )
    assert report.rejected["bad_timestamp"] == 1
    # in London (GMT in February) the naive and the Z time are the same instant
    assert report.rows_accepted == 2


def test_csv_numbers_are_plain_integers_and_empty_when_suppressed(tmp_path):
    day, _ = _run_case("basic", tmp_path)
    table = rows(tmp_path / "lv_feeder" / f"{day}.csv")
    f3 = [r for r in table if r["dataset_id"] == "000100100103"]
    assert all(r["aggregated_device_count_active"] == "" for r in f3)
    assert all(r["primary_consumption_active_import"] == "" for r in f3)
    for r in table:
        for column in ("aggregated_device_count_active", "total_consumption_active_import"):
            assert r[column] == "" or r[column].isdigit()


def test_parquet_is_typed_and_holds_the_csv_content(tmp_path):
    day, _ = _run_case("basic", tmp_path)
    table = pq.read_table(tmp_path / "lv_feeder" / f"{day}.parquet")
    schema = table.schema
    assert schema.field("dataset_id").type == pa.string()
    assert schema.field("aggregated_device_count_active").type == pa.int64()
    assert schema.field("total_consumption_active_import").type == pa.int64()
    stamp = schema.field("data_collection_log_timestamp").type
    assert pa.types.is_timestamp(stamp) and stamp.tz in ("UTC", "+00:00", "Etc/UTC")
    csv_rows = rows(tmp_path / "lv_feeder" / f"{day}.csv")
    assert table.num_rows == len(csv_rows) == 192
    first = table.slice(0, 1).to_pylist()[0]
    assert first["dataset_id"] == csv_rows[0]["dataset_id"] == "000100100101"
    # one of its six meters has a second register: only the total is shown
    assert first["total_consumption_active_import"] == 53
    assert first["secondary_consumption_active_import"] is None
    assert first["primary_consumption_active_import"] is None


def test_mixed_formats_and_file_order_give_identical_bytes(tmp_path):
    """The basic reads split into Parquet, CSV.gz and CSV, given in two orders."""
    source = pacsv.read_csv(
        DATA / "basic" / "reads.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={
                "mpan": pa.string(),
                "period_end": pa.string(),
                "active_import_wh": pa.float64(),
                "secondary_active_import_wh": pa.float64(),
                "reactive_import_varh": pa.float64(),
            },
            strings_can_be_null=True,
        ),
    )
    parts = tmp_path / "parts"
    parts.mkdir()
    pq.write_table(source.slice(0, 20), parts / "a.parquet")
    pacsv.write_csv(source.slice(20, 20), parts / "b.csv")
    with open(parts / "b.csv", "rb") as raw, gzip.open(parts / "c.csv.gz", "wb") as packed:
        shutil.copyfileobj(raw, packed)
    (parts / "b.csv").unlink()
    pacsv.write_csv(source.slice(40), parts / "d.csv")
    day, _, _ = CASES["basic"]
    whole = tmp_path / "whole"
    run([DATA / "basic" / "reads.csv"], DATA / "basic" / "topology", day, whole)
    forward, backward = tmp_path / "fwd", tmp_path / "bwd"
    report = run(
        [str(parts / "*.parquet"), parts / "c.csv.gz", parts / "d.csv"],
        DATA / "basic" / "topology",
        day,
        forward,
    )
    run(
        [parts / "d.csv", parts / "c.csv.gz", parts / "a.parquet"],
        DATA / "basic" / "topology",
        day,
        backward,
        threads=2,
    )
    for level in LEVELS:
        reference = (whole / level / f"{day}.csv").read_bytes()
        assert (forward / level / f"{day}.csv").read_bytes() == reference
        assert (backward / level / f"{day}.csv").read_bytes() == reference
    assert report.rows_read == 57
    assert [i.rows for i in report.inputs if i.kind == "reads"] == [20, 20, 17]


@pytest.mark.parametrize("slices", [None, 2])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_mpan_must_be_the_13_digits_of_a_known_meter(fmt, slices, tmp_path):
    # rows join their meter on the MPAN text: a text that reads as the same
    # number as a known meter's MPAN is still not that MPAN (bad_mpan), and
    # 13 digits that no meter has are an unmapped meter
    known = "0100000000001"  # on feeder 000100100101 in the basic topology
    mpans = [known, "100000000001", "+100000000001", "1.00000000001e11", "0100000000999"]
    table = pa.table(
        {
            "mpan": mpans,
            "period_end": ["2024-02-12T00:30:00Z"] * len(mpans),
            "active_import_wh": [1.0] * len(mpans),
        }
    )
    reads = tmp_path / f"reads.{fmt}"
    if fmt == "csv":
        pacsv.write_csv(table, reads)
    else:
        pq.write_table(table, reads)
    day = dt.date(2024, 2, 12)
    report = run([reads], DATA / "basic" / "topology", day, tmp_path / "out", slices=slices)
    assert report.rows_accepted == 1
    assert report.rejected["bad_mpan"] == 3
    assert report.rejected["unmapped_meter"] == 1
    assert report.meters == 1


@pytest.mark.parametrize(("ceiling", "slices"), [(50_000, None), (50_000, 2), (10**8, None)])
def test_many_copies_of_a_reading_at_the_ceiling(ceiling, slices, tmp_path):
    # 100,000 identical copies of one reading at the ceiling: far more than
    # the packed fields of a group hold, and a sum a 64-bit integer would
    # overflow. The copies are duplicates, the cell is recomputed exactly; the
    # ceiling of 10^8 Wh takes the per-column sums instead of the packed ones
    feeder = [f"01000000000{i:02d}" for i in range(1, 7)]  # the 6 meters of 000100100101
    copies = 100_000
    half_past = ["2024-02-12T00:30:00Z"] * 6 + ["2024-02-12T00:30:00Z"] * (copies - 1)
    one = ["2024-02-12T01:00:00Z"] * 7
    value = float(ceiling)
    table = pa.table(
        {
            "mpan": feeder + [feeder[0]] * (copies - 1) + feeder + [feeder[1]],
            "period_end": half_past + one,
            # at 01:00 the second meter has two copies that disagree: both rejected
            "active_import_wh": [value] * (5 + copies) + [value] * 6 + [value - 1],
            "reactive_import_varh": [value] * (5 + copies + 7),
        }
    )
    reads = tmp_path / "reads.parquet"
    pq.write_table(table, reads)
    report = run(
        [reads],
        DATA / "basic" / "topology",
        dt.date(2024, 2, 12),
        tmp_path / "out",
        implausible_ceiling_wh=value,
        slices=slices,
    )
    assert report.rows_read == copies + 5 + 7
    assert report.rejected["duplicate"] == copies - 1 + 2
    assert report.rows_accepted == 6 + 5
    published = {
        r["data_collection_log_timestamp"]: r
        for r in rows(tmp_path / "out" / "lv_feeder" / "2024-02-12.csv")
        if r["dataset_id"] == "000100100101" and r["aggregated_device_count_active"]
    }
    wh = int(value)
    assert {
        t: (
            r["aggregated_device_count_active"],
            r["total_consumption_active_import"],
            r["aggregated_device_count_reactive"],
            r["total_consumption_reactive_import"],
        )
        for t, r in published.items()
    } == {
        "2024-02-12T00:30:00.000Z": ("6", str(6 * wh), "6", str(6 * wh)),
        "2024-02-12T01:00:00.000Z": ("5", str(5 * wh), "5", str(5 * wh)),
    }


def test_total_is_primary_plus_secondary_where_the_split_is_shown(tmp_path):
    # 6 meters of 000100100101 at 00:30Z: primary 1.5 + 5 x 2 = 11.5 -> 12 (half
    # even); five second registers 0.1 x 4 + 0.5 = 0.9 -> 1; total 12 + 1 = 13
    # (the exact 12.4 rounded alone would give 12, and total != primary + secondary)
    table = pa.table(
        {
            "mpan": [f"01000000000{i:02d}" for i in range(1, 7)],
            "period_end": ["2024-02-12T00:30:00Z"] * 6,
            "active_import_wh": [1.5, 2.0, 2.0, 2.0, 2.0, 2.0],
            "secondary_active_import_wh": [0.1, 0.1, 0.1, 0.1, 0.5, None],
        }
    )
    reads = tmp_path / "reads.parquet"
    pq.write_table(table, reads)
    run([reads], DATA / "basic" / "topology", dt.date(2024, 2, 12), tmp_path / "out")
    columns = (
        "aggregated_device_count_active",
        "primary_consumption_active_import",
        "secondary_consumption_active_import",
        "total_consumption_active_import",
    )
    for level, key in (("lv_feeder", "000100100101"), ("secondary_substation", "0001001001")):
        (cell,) = [
            r
            for r in rows(tmp_path / "out" / level / "2024-02-12.csv")
            if r["dataset_id"] == key
            and r["data_collection_log_timestamp"] == "2024-02-12T00:30:00.000Z"
        ]
        assert tuple(cell[c] for c in columns) == ("6", "12", "1", "13"), level
