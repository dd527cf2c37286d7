"""Text rows the CSV reader cannot read: values that are not numbers are
counted as ``bad_value``; a malformed row or a column of the wrong type
refuses the file with its line."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from ckanext.ssen_smartmeter.pipeline import AggregateConfig, InputError, aggregate_day, unreadable

from .helpers import DATA, PUBLISHED, expected_quality, non_empty_lines, run

DAY = dt.date(2024, 2, 12)
TOPOLOGY = DATA / "basic" / "topology"
BASIC = (DATA / "basic" / "reads.csv").read_text(encoding="utf-8")
BASIC_ROWS = 57
# appended to the basic hand case, at lines 59-61 of the file
BAD_LINES = [
    # a conflicting copy of an accepted reading: unreadable, so the reading
    # has no duplicate and stays accepted
    "0100000000003,2024-02-12T00:30:00Z,NA,,1",
    # bad MPAN and timestamp too: the reader never gets that far
    "12345,garbage,1.2.3,,",
    # only the reactive value is not a number
    "0100000000001,2024-02-12T02:30:00Z,1,,n/a",
]


def _write(path, text):
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "slices"), [("r.csv", None), ("r.csv", 2), ("r.csv.gz", None)])
def test_values_that_are_not_numbers_are_counted_and_change_nothing_else(name, slices, tmp_path):
    reads = _write(tmp_path / name, BASIC + "\n".join(BAD_LINES) + "\n")
    report = run([reads], TOPOLOGY, DAY, tmp_path / "out", slices=slices)
    expected = expected_quality("basic")
    assert report.rejected == {**expected["rejected"], "bad_value": 3}
    assert report.rows_read == BASIC_ROWS + 3
    assert report.rows_accepted == expected["rows_accepted"]
    assert report.meters == expected["meters"]
    assert [i.rows for i in report.inputs if i.kind == "reads"] == [BASIC_ROWS + 3]
    for level in ("lv_feeder", "secondary_substation"):
        produced = non_empty_lines(tmp_path / "out" / level / f"{DAY}.csv")
        wanted = (DATA / "basic" / f"expected_{level}.csv").read_text(encoding="utf-8")
        assert produced == wanted.splitlines(), level


def _phases(reads, out):
    phases: list[str] = []
    config = AggregateConfig(threads=1, published_at=PUBLISHED)
    aggregate_day(reads, TOPOLOGY, DAY, out, config, progress=lambda p, *_: phases.append(p))
    return phases


def test_files_are_read_again_only_when_a_row_cannot_be_read(tmp_path):
    again = "reading again, setting aside the rows that cannot be read"
    clean = _phases([DATA / "basic" / "reads.csv"], tmp_path / "clean")
    assert again not in clean  # clean files are read once, strictly
    reads = _write(tmp_path / "r.csv", BASIC + "\n".join(BAD_LINES) + "\n")
    phases = _phases([reads], tmp_path / "out")
    assert phases.count(again) == 1
    assert (
        "r.csv: 3 row(s) with a value that is not a number "
        "(bad_value; the first at line 59, active_import_wh)"
    ) in phases


def test_bad_values_in_one_file_of_several(tmp_path):
    # each file's skipped rows are counted with that file's rows
    good = _write(tmp_path / "a.csv", BASIC)
    header = BASIC.splitlines()[0]
    readable = "0100000000006,2024-02-12T02:30:00Z,1,,"
    bad = _write(tmp_path / "b.csv", "\n".join([header, readable, *BAD_LINES]) + "\n")
    report = run([good, bad], TOPOLOGY, DAY, tmp_path / "out")
    assert report.rejected["bad_value"] == 3
    assert report.rows_read == BASIC_ROWS + 4
    rows = {i.path: i.rows for i in report.inputs if i.kind == "reads"}
    assert rows == {str(good): BASIC_ROWS, str(bad): 4}


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("0100000000001,2024-02-12T02:30:00Z,1,,1,9", "malformed row: too many columns (line 59)"),
        ("0100000000001,2024-02-12T02:30:00Z", "malformed row: missing columns (line 59)"),
    ],
)
def test_a_malformed_row_refuses_the_file_with_its_line(extra, reason, tmp_path):
    reads = _write(tmp_path / "r.csv", BASIC + extra + "\n")
    with pytest.raises(InputError) as caught:
        run([reads], TOPOLOGY, DAY, tmp_path / "out")
    assert str(caught.value).startswith(str(reads))
    assert reason in str(caught.value)
    assert not (tmp_path / "out" / "quality").exists()


def test_a_file_with_no_readable_value_is_the_wrong_type(tmp_path):
    header = BASIC.splitlines()[0]
    reads = _write(tmp_path / "r.csv", "\n".join([header, *BAD_LINES[:2]]) + "\n")
    with pytest.raises(InputError) as caught:
        run([reads], TOPOLOGY, DAY, tmp_path / "out")
    message = str(caught.value)
    assert message == (
        f"{reads}, column active_import_wh: wrong type: expected a number "
        "(no row has one, the first at line 2)"
    )


def test_too_many_bad_values_refuse_the_file(monkeypatch, tmp_path):
    # the bound is lowered to 3 so that a small file reaches it
    monkeypatch.setattr(unreadable, "MAX_BAD_VALUES", 3)
    reads = _write(tmp_path / "r.csv", BASIC + "\n".join(BAD_LINES) + "\n")
    with pytest.raises(InputError) as caught:
        run([reads], TOPOLOGY, DAY, tmp_path / "out")
    message = str(caught.value)
    assert "wrong type: expected a number (3 or more values are not numbers" in message
    assert "the first at line 59" in message
    monkeypatch.setattr(unreadable, "MAX_BAD_VALUES", 4)
    report = run([reads], TOPOLOGY, DAY, tmp_path / "out")
    assert report.rejected["bad_value"] == 3


def test_messages_never_echo_the_bad_text(tmp_path):
    header = BASIC.splitlines()[0]
    reads = _write(tmp_path / "r.csv", f"{header}\n0100000000001,2024-02-12T00:30:00Z,secret42,,\n")
    with pytest.raises(InputError) as caught:
        run([reads], TOPOLOGY, DAY, tmp_path / "out")
    assert "secret42" not in str(caught.value)


def test_a_row_with_several_bad_cells_is_one_row(tmp_path):
    # three unreadable cells, one row; the first cell names the column
    row = "0100000000002,2024-02-12T02:30:00Z,NA,x,n/a"
    reads = _write(tmp_path / "r.csv", BASIC + row + "\n")
    phases = _phases([reads], tmp_path / "out")
    report = run([reads], TOPOLOGY, DAY, tmp_path / "again")
    assert report.rejected["bad_value"] == 1
    assert report.rows_read == BASIC_ROWS + 1
    assert any(p.endswith("(bad_value; the first at line 59, active_import_wh)") for p in phases)
