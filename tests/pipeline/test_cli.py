"""The installed ``ssen-smartmeter`` console script, run as a subprocess."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import DATA

SCRIPT = shutil.which("ssen-smartmeter") or str(Path(sys.executable).parent / "ssen-smartmeter")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=300)


def aggregate_args(out: Path, *extra: str, reads: str | None = None) -> list[str]:
    return [
        "aggregate",
        "--reads",
        reads or str(DATA / "basic" / "reads.csv"),
        "--topology",
        str(DATA / "basic" / "topology"),
        "--date",
        "2024-02-12",
        "--out",
        str(out),
        "--published-at",
        "2024-02-14T06:00:00Z",
        "--threads",
        "1",
        *extra,
    ]


def test_aggregate_writes_the_day_and_reports_on_stderr(tmp_path):
    done = cli(*aggregate_args(tmp_path))
    assert done.returncode == 0, done.stderr
    for name in (
        "lv_feeder/2024-02-12.csv",
        "lv_feeder/2024-02-12.parquet",
        "secondary_substation/2024-02-12.csv",
        "secondary_substation/2024-02-12.parquet",
        "quality/2024-02-12.json",
    ):
        assert (tmp_path / name).is_file(), name
    report = json.loads((tmp_path / "quality" / "2024-02-12.json").read_text())
    assert report["rows_read"] == 57 and report["rejected"]["duplicate"] == 3
    assert [i["kind"] for i in report["inputs"]] == ["reads", "topology", "topology"]
    assert all(len(i["sha256"]) == 64 for i in report["inputs"])
    lines = done.stderr.strip().splitlines()
    assert any("aggregate" in line for line in lines)  # progress: phase
    assert any(" rows 57" in line for line in lines)  # progress: rows
    # each published file as its writing starts, the Parquet with its rows
    writing = [line.split("] ", 1)[1] for line in lines if "] writing " in line]
    lv_rows = len((tmp_path / "lv_feeder" / "2024-02-12.csv").read_text().splitlines()) - 1
    substation_rows = 48 * report["substations_published"]
    assert writing == [
        f"writing lv_feeder/2024-02-12.parquet ({lv_rows:,} rows)",
        "writing lv_feeder/2024-02-12.csv",
        f"writing secondary_substation/2024-02-12.parquet ({substation_rows:,} rows)",
        "writing secondary_substation/2024-02-12.csv",
    ]
    assert "57 rows read, 39 accepted, 18 rejected" in lines[-1]  # summary
    assert done.stdout == ""


def test_same_input_same_bytes_through_the_cli(tmp_path):
    assert cli(*aggregate_args(tmp_path / "a")).returncode == 0
    split = str(DATA / "basic" / "read*.csv")
    assert cli(*aggregate_args(tmp_path / "b", "--slices", "2", reads=split)).returncode == 0
    for level in ("lv_feeder", "secondary_substation"):
        a = (tmp_path / "a" / level / "2024-02-12.csv").read_bytes()
        assert a == (tmp_path / "b" / level / "2024-02-12.csv").read_bytes()


@pytest.mark.parametrize(
    ("extra", "reads", "expected"),
    [
        (("--threshold", "4"), None, "threshold 4 refused"),
        (("--implausible-ceiling-wh", "2e9"), None, "at most 1,000,000,000 Wh per half-hour"),
        (("--slices", "0"), None, "slices: must be between 1 and 16"),
        (("--memory-limit", "lots"), None, "memory_limit: 'lots' is not a memory size"),
        ((), "/nonexistent/reads.csv", "/nonexistent/reads.csv: file not found"),
        ((), "/nonexistent/*.parquet", "no file matches"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, extra, reads, expected):
    done = cli(*aggregate_args(tmp_path, *extra, reads=reads))
    assert done.returncode == 2
    errors = [
        line for line in done.stderr.splitlines() if line.startswith("ssen-smartmeter: error")
    ]
    assert len(errors) == 1 and expected in errors[0]
    assert not (tmp_path / "quality").exists()


def test_missing_column_and_wrong_type_name_file_and_column(tmp_path):
    no_column = tmp_path / "no_column.csv"
    no_column.write_text("mpan,period_end\n0100000000001,2024-02-12T00:30:00Z\n")
    done = cli(*aggregate_args(tmp_path / "o1", reads=str(no_column)))
    assert done.returncode == 2
    assert f"{no_column}, column active_import_wh: required column is missing" in done.stderr
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("mpan,period_end,active_import_wh\n0100000000001,2024-02-12T00:30:00Z,lots\n")
    done = cli(*aggregate_args(tmp_path / "o2", reads=str(wrong)))
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert str(wrong) in line and "active_import_wh" in line and "expected a number" in line
    assert "lots" not in line  # never echo input values


def test_empty_topology_is_refused(tmp_path):
    topology = tmp_path / "topology"
    topology.mkdir()
    (topology / "lv_feeders.csv").write_text(
        "dataset_id,secondary_substation_id,secondary_substation_name,lv_feeder_id,"
        "lv_feeder_name,licence_area\n"
    )
    (topology / "meter_feeders.csv").write_text("mpan,dataset_id\n")
    args = aggregate_args(tmp_path / "out")
    args[args.index("--topology") + 1] = str(topology)
    done = cli(*args)
    assert done.returncode == 2
    assert "empty topology" in done.stderr


def test_generate_then_aggregate_finds_every_injected_anomaly(tmp_path):
    done = cli(
        "generate",
        "--meters",
        "300",
        "--date",
        "2024-10-27",
        "--out",
        str(tmp_path / "g"),
        "--seed",
        "3",
        "--format",
        "csv",
        "--timezone",
        "Europe/London",
        "--anomalies",
    )
    assert done.returncode == 0, done.stderr
    expected = json.loads((tmp_path / "g" / "expected_rejections.json").read_text())
    assert all(expected[reason] > 0 for reason in expected)
    done = cli(
        "aggregate",
        "--reads",
        str(tmp_path / "g" / "reads" / "*.csv"),
        "--topology",
        str(tmp_path / "g" / "topology"),
        "--date",
        "2024-10-27",
        "--out",
        str(tmp_path / "o"),
        "--timezone",
        "Europe/London",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "o" / "quality" / "2024-10-27.json").read_text())
    assert report["rejected"] == expected


def test_restating_a_day_in_place_keeps_insert_time(tmp_path):
    """``data/restate``: late reads for an Alpha half-hour that may change (five
    meters), five that the P3 guard holds, and a substation new to the day."""
    out = tmp_path / "out"
    case = DATA / "restate"

    def args(*reads: Path, published: str, extra: tuple[str, ...] = ()) -> list[str]:
        line = aggregate_args(out, *extra)
        line[line.index("--reads") + 1 : line.index("--topology")] = [str(r) for r in reads]
        line[line.index("--topology") + 1] = str(case / "topology")
        line[line.index("--published-at") + 1] = published
        return line

    first = cli(*args(case / "reads.csv", published="2024-02-14T06:00:00Z"))
    assert first.returncode == 0, first.stderr
    done = cli(
        *args(
            case / "reads.csv",
            case / "late.csv",
            published="2024-02-20T09:30:00Z",
            extra=("--previous", str(out)),
        )
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-3:] == [
        "restated lv_feeder: 48 rows new, 1 changed, 0 removed, 15 held as published",
        "restated secondary_substation: 48 rows new, 1 changed, 0 removed, 5 held as published",
        "restatement guard (P3): 5 substation half-hours held as published",
    ]
    with open(out / "lv_feeder" / "2024-02-12.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    new = "2024-02-20T09:30:00.000Z"
    assert {r["insert_time"] for r in rows if not r["dataset_id"].startswith("0002")} == {
        "2024-02-14T06:00:00.000Z"
    }
    bumped = [
        r
        for r in rows
        if r["last_modified_time"] == new and r["insert_time"] != new  # not a new row
    ]
    assert [(r["dataset_id"], r["data_collection_log_timestamp"]) for r in bumped] == [
        ("000100100101", "2024-02-12T01:00:00.000Z")
    ]
    report = json.loads((out / "quality" / "2024-02-12.json").read_text())
    assert report["restatement"]["lv_feeder"]["changed_rows"] == 1
    assert report["restatement_blocks_held"] == 5


def test_restating_without_an_earlier_publication_exits_2(tmp_path):
    done = cli(*aggregate_args(tmp_path / "out", "--previous", str(tmp_path / "none")))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"ssen-smartmeter: error: {tmp_path / 'none' / 'lv_feeder'}: no earlier publication found"
    ]
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_not_a_folder_exits_2_with_one_line(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file")
    done = cli(*aggregate_args(taken))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"ssen-smartmeter: error: {taken}: not a folder"
    unmakeable = tmp_path / "taken" / "below"  # under a file: cannot be created
    done = cli(*aggregate_args(unmakeable))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"ssen-smartmeter: error: {unmakeable}: cannot create the folder (Not a directory)"
    )


def test_a_day_with_no_accepted_read_exits_2_and_leaves_the_published_day(tmp_path):
    """Every read of the day rejected (here: all dated the day before) is not an
    empty publication: exit 2, nothing written, a restated day left as it was."""
    out = tmp_path / "out"
    assert cli(*aggregate_args(out)).returncode == 0
    published = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    lines = (DATA / "basic" / "reads.csv").read_text().splitlines()
    stale = tmp_path / "stale.csv"
    stale.write_text(
        "\n".join([lines[0], *(r.replace("2024-02-", "2023-01-") for r in lines[1:])]) + "\n"
    )

    for extra in ((), ("--previous", str(out))):
        done = cli(*aggregate_args(out, *extra, reads=str(stale)))
        assert done.returncode == 2, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith(
            f"ssen-smartmeter: error: no accepted reads for 2024-02-12: {len(lines) - 1:,} "
            "rows rejected (outside_day: "
        ), last
        assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == published
    fresh = tmp_path / "fresh"
    assert cli(*aggregate_args(fresh, reads=str(stale))).returncode == 2
    assert not fresh.exists()


def test_a_run_refused_on_its_input_leaves_no_out_folder(tmp_path):
    no_column = tmp_path / "no_column.csv"
    no_column.write_text("mpan,period_end\n0100000000001,2024-02-12T00:30:00Z\n")
    out = tmp_path / "new" / "out"
    done = cli(*aggregate_args(out, reads=str(no_column)))
    assert done.returncode == 2 and "required column is missing" in done.stderr
    assert not out.exists()
    assert (tmp_path / "new").is_dir()  # (only the folder itself is removed)


def _broken_copy(tmp_path: Path, table: str, line: int, text: str) -> Path:
    """A copy of the basic topology whose ``table`` has ``text`` as line ``line``."""
    topology = tmp_path / "topology"
    shutil.copytree(DATA / "basic" / "topology", topology)
    path = topology / f"{table}.csv"
    lines = path.read_text().splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n")
    return topology


@pytest.mark.parametrize(
    ("table", "line", "text", "expected"),
    [
        (
            "meter_feeders",
            6,
            "0100000000005,000100100101,0100000000099",
            "meter_feeders.csv: malformed row: too many columns (line 6)",
        ),
        (
            "meter_feeders",
            4,
            "0100000000003",
            "meter_feeders.csv, column dataset_id: malformed row: missing columns (line 4)",
        ),
        (
            "lv_feeders",
            3,
            '000100100102,100001,"Alpha, North,2,,"57.1, -4.2",SHEPD',
            "lv_feeders.csv, column secondary_substation_name: malformed row: unquoted value "
            "(line 3)",
        ),
    ],
)
@pytest.mark.parametrize("areas", [(), ("--licence-areas", "SHEPD")])
def test_a_broken_topology_is_one_line_without_its_data(
    tmp_path, table, line, text, expected, areas
):
    topology = _broken_copy(tmp_path, table, line, text)
    args = aggregate_args(tmp_path / "out", *areas)
    args[args.index("--topology") + 1] = str(topology)
    done = cli(*args)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if not line.lstrip().startswith("[")]
    assert errors == [f"ssen-smartmeter: error: {topology / expected}"]
    for value in ("0100000000005", "0100000000099", "0100000000003", "Alpha"):
        assert value not in done.stderr


def test_a_ragged_reads_row_is_one_line_without_its_data(tmp_path):
    reads = tmp_path / "reads.csv"
    lines = (DATA / "basic" / "reads.csv").read_text().splitlines()
    lines[4] += ",77777"
    reads.write_text("\n".join(lines) + "\n")
    done = cli(*aggregate_args(tmp_path / "out", reads=str(reads)))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if not line.lstrip().startswith("[")]
    assert errors == [f"ssen-smartmeter: error: {reads}: malformed row: too many columns (line 5)"]
    assert "77777" not in done.stderr and "0100000000004" not in done.stderr


@pytest.mark.parametrize("copies", [1, 200])  # the bad byte in the first 8 KB, or far below
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_bytes_that_are_not_utf8_are_one_line_wherever_they_are(tmp_path, copies, suffix):
    header, *rows = (DATA / "basic" / "reads.csv").read_bytes().splitlines()
    rows = rows * copies
    line = len(rows) - 2  # a row's index, counted from the header's line
    rows[line - 2] = b"\xff" + rows[line - 2]  # in the first column, mpan
    reads = tmp_path / f"reads{suffix}"
    body = b"\n".join([header, *rows]) + b"\n"
    reads.write_bytes(gzip.compress(body) if suffix.endswith(".gz") else body)
    done = cli(*aggregate_args(tmp_path / "out", reads=str(reads)))
    assert done.returncode == 2
    errors = [x for x in done.stderr.splitlines() if not x.lstrip().startswith("[")]
    assert errors == [
        f"ssen-smartmeter: error: {reads}, column mpan: malformed row: invalid encoding "
        f"(line {line})"
    ]
    header_bad = tmp_path / f"header{suffix}"
    body = b"\n".join([header.replace(b"mpan", b"mp\xe9an"), *rows[:3]]) + b"\n"
    header_bad.write_bytes(gzip.compress(body) if suffix.endswith(".gz") else body)
    done = cli(*aggregate_args(tmp_path / "out", reads=str(header_bad)))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"ssen-smartmeter: error: {header_bad}: malformed header row: invalid encoding "
        "(line 1, not UTF-8)"
    )


def test_licence_areas_keep_only_those_feeders(tmp_path):
    done = cli(*aggregate_args(tmp_path / "shepd", "--licence-areas", "SHEPD"))
    assert done.returncode == 0, done.stderr
    assert "licence areas SHEPD: 3 feeders kept, 2 left out (6 meters)" in done.stderr
    with (tmp_path / "shepd" / "lv_feeder" / "2024-02-12.csv").open(newline="") as handle:
        feeders = {row["dataset_id"] for row in csv.DictReader(handle)}
    assert feeders == {"000100100101", "000100100102", "000100100103"}
    # the 10 reads of the SEPD meters (0100000000014-18) are neither read nor
    # rejected; the one of 9999999999999 (on no feeder) stays unmapped_meter
    report = json.loads((tmp_path / "shepd" / "quality" / "2024-02-12.json").read_text())
    assert (report["rows_read"], report["rows_accepted"]) == (47, 29)
    assert report["rows_other_licence_area"] == 10
    assert report["rejected"] == {
        "bad_mpan": 4,
        "bad_timestamp": 3,
        "ambiguous_local_time": 0,
        "outside_day": 2,
        "negative_value": 3,
        "implausible_value": 2,
        "unmapped_meter": 1,
        "duplicate": 3,
        "bad_value": 0,
    }
    assert report["rows_read"] == report["rows_accepted"] + sum(report["rejected"].values())
    assert report["meters"] == 13
    assert report["licence_areas"] == {
        "areas": ["SHEPD"],
        "feeders": 3,
        "feeders_excluded": 2,
        "meters_excluded": 6,
    }
    assert report["topology"] == {"feeders": 3, "meters": 13, "meters_on_unknown_feeders": 0}
    # the file's rows count them all; the inputs are the given topology's files
    assert [(i["kind"], i["path"], i["rows"]) for i in report["inputs"]] == [
        ("reads", str(DATA / "basic" / "reads.csv"), 57),
        ("topology", str(DATA / "basic" / "topology" / "lv_feeders.csv"), None),
        ("topology", str(DATA / "basic" / "topology" / "meter_feeders.csv"), None),
    ]
    assert (
        "2024-02-12: 47 rows read, 29 accepted, 18 rejected (bad_mpan 4, bad_timestamp 3, "
        "outside_day 2, negative_value 3, implausible_value 2, unmapped_meter 1, duplicate 3); "
        "10 rows of other licence areas (not counted); 13 meters; 3 feeders and "
        "1 substations published;"
    ) in done.stderr
    # SEPD: the other way round (the rows of no meter are in both reports)
    sepd = cli(*aggregate_args(tmp_path / "sepd", "--licence-areas", "sepd"))
    assert sepd.returncode == 0, sepd.stderr
    report = json.loads((tmp_path / "sepd" / "quality" / "2024-02-12.json").read_text())
    assert (report["rows_read"], report["rows_accepted"]) == (15, 10)
    assert report["rows_other_licence_area"] == 42
    assert {k: v for k, v in report["rejected"].items() if v} == {
        "bad_mpan": 4,
        "unmapped_meter": 1,
    }
    # both areas: the same bytes as no option at all
    assert cli(*aggregate_args(tmp_path / "all")).returncode == 0
    both = cli(*aggregate_args(tmp_path / "both", "--licence-areas", "SHEPD", "SEPD"))
    assert both.returncode == 0 and "left out" not in both.stderr
    assert "57 rows read, 39 accepted, 18 rejected" in both.stderr
    assert "; 0 rows of other licence areas (not counted);" in both.stderr
    for level in ("lv_feeder", "secondary_substation"):
        assert (tmp_path / "all" / level / "2024-02-12.csv").read_bytes() == (
            tmp_path / "both" / level / "2024-02-12.csv"
        ).read_bytes()
    refused = cli(*aggregate_args(tmp_path / "none", "--licence-areas", "XYZ"))
    assert refused.returncode == 2
    assert "column licence_area: none of the 5 LV feeders is in licence area XYZ" in refused.stderr
