"""Pure helpers of the harvester: dataset naming and merging, quality, scrubbing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.ssen_smartmeter.harvest import datasets
from ckanext.ssen_smartmeter.harvest.checksums import changed_files, same_inputs
from ckanext.ssen_smartmeter.harvest.quality import day_counts, level_counts, public_report
from ckanext.ssen_smartmeter.harvest.scrub import scrub, with_source_names
from ckanext.ssen_smartmeter.harvest.source_config import Location, SourceConfig
from ckanext.ssen_smartmeter.pipeline import sha256_file

D = dt.date
QUALITY = {
    "rows_read": 100,
    "rows_accepted": 90,
    "meters": 12,
    "rejected": {"bad_mpan": 4, "duplicate": 6},
    "feeders_published": 3,
    "substations_published": 2,
    "cells_suppressed_p1": 7,
    "cells_suppressed_p2": 2,
    "suppression": {
        "lv_feeder": {"active": {"p1": 3, "p2": 2}, "reactive": {"p1": 1, "p2": 0}},
        "secondary_substation": {"active": {"p1": 2, "p2": 0}, "reactive": {"p1": 1, "p2": 0}},
    },
    "rows_written": {"lv_feeder": 144, "secondary_substation": 96},
    "inputs": [{"path": "/srv/x/reads/2024-02-12.parquet", "sha256": "a", "kind": "reads"}],
}


def config(areas: tuple[str, ...] = ("SHEPD", "SEPD")) -> SourceConfig:
    return SourceConfig(
        reads=Location(url="https://x/"),
        reads_pattern="{date}.csv",
        topology=Location(url="https://x/t/"),
        licence_areas=areas,
        first_date=D(2024, 1, 1),
    )


def test_names_and_titles() -> None:
    assert (
        datasets.dataset_name(config(), "lv_feeder", D(2024, 2, 12))
        == "smart-meter-lv-feeder-2024-02"
    )
    assert (
        datasets.dataset_name(config(("SHEPD",)), "secondary_substation", D(2024, 2, 1))
        == "smart-meter-secondary-substation-shepd-2024-02"
    )
    assert (
        datasets.dataset_title(config(("SEPD",)), "lv_feeder", D(2024, 12, 31))
        == "Smart meter consumption, LV feeder, SEPD, 2024-12"
    )


def test_notes_do_not_claim_the_whole_month() -> None:
    """A month's dataset starts with its first harvested day (which may be
    late in the month) and may miss days: the description says so."""
    notes = datasets.new_dataset(config(), "lv_feeder", D(2024, 11, 27), "org")["notes"]
    assert "one file for each day published so far" in notes
    assert "lists the days published and any day missing" in notes
    assert "one file a day for" not in notes


def test_level_counts_come_from_the_quality_report() -> None:
    assert level_counts(QUALITY, "lv_feeder") == {
        "row_count": 144,
        "units_published": 3,
        "cells_suppressed_p1": 4,
        "cells_suppressed_p2": 2,
    }
    assert level_counts(QUALITY, "secondary_substation")["units_published"] == 2
    counts = day_counts(QUALITY)
    assert counts["rows_rejected"] == 10 and counts["rejected"]["bad_mpan"] == 4
    assert counts["rejected"]["unmapped_meter"] == 0


def test_public_report_hides_machine_paths() -> None:
    report = public_report(QUALITY, {"/srv/x/reads/2024-02-12.parquet": "2024-02-12.parquet"})
    assert report["inputs"][0]["path"] == "2024-02-12.parquet"
    assert public_report(QUALITY, {})["inputs"][0]["path"] == "2024-02-12.parquet"
    assert QUALITY["inputs"][0]["path"].startswith("/srv")  # the original is untouched


def test_a_day_replaces_its_own_resources_and_never_leaves_its_month() -> None:
    dataset = datasets.new_dataset(config(), "lv_feeder", D(2024, 2, 12), "org")
    first = datasets.day_resources(
        "lv_feeder",
        D(2024, 2, 12),
        {"csv": {"sha256": "a" * 64, "size": 1}},
        QUALITY,
        5,
        {"csv": "r1"},
    )
    dataset = datasets.merge_day(dataset, D(2024, 2, 12), first, 12)
    later = datasets.day_resources(
        "lv_feeder",
        D(2024, 2, 3),
        {"csv": {"sha256": "b" * 64, "size": 1}, "parquet": {"sha256": "c" * 64, "size": 1}},
        QUALITY,
        5,
        {"csv": "r2", "parquet": "r3"},
    )
    dataset = datasets.merge_day(dataset, D(2024, 2, 3), later, 20)
    assert [r["id"] for r in dataset["resources"]] == ["r2", "r3", "r1"]
    assert (dataset["temporal_coverage_start"], dataset["temporal_coverage_end"]) == (
        "2024-02-03",
        "2024-02-12",
    )
    assert dataset["meters_represented"] == 20
    assert datasets.day_resource_ids(dataset, D(2024, 2, 3)) == {"csv": "r2", "parquet": "r3"}
    again = datasets.merge_day(dataset, D(2024, 2, 12), first, 5)
    assert len(again["resources"]) == 3 and again["meters_represented"] == 20
    with pytest.raises(ValueError, match="does not belong"):
        datasets.merge_day(dataset, D(2024, 3, 1), first, 1)


def test_checksums(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    assert (
        sha256_file(tmp_path / "f")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert same_inputs({"a": "1"}, {"a": "1"}) and not same_inputs(None, {"a": "1"})
    assert changed_files({"a": "1", "b": "2"}, {"a": "9", "c": "3"}) == {
        "added": ["c"],
        "removed": ["b"],
        "changed": ["a"],
    }


def test_scrub_keeps_dates_and_drops_values() -> None:
    text = scrub(
        "could not convert '1234567890123' at row 17 value 42.5 on "
        "2024-02-12T00:30:00Z in /data/reads_2024-02-12.parquet"
    )
    assert "1234567890123" not in text and "42.5" not in text and " 17 " not in text
    assert "2024-02-12T00:30:00Z" in text and "reads_2024-02-12.parquet" in text


@given(st.integers(min_value=0, max_value=10**15))
def test_scrub_never_lets_a_number_through(value: int) -> None:
    assert str(value) not in scrub(f"mpan {value} had reading {value}").replace("#", "")


def test_public_message_keeps_one_line_and_masks_identifiers() -> None:
    from ckanext.ssen_smartmeter.harvest.scrub import public_message

    engine = (
        "2024-02-13: input unusable: topology/meter_feeders.csv: unreadable input: "
        "expected 2 values per row, found 3\nOriginal Line: 1000000000099,123456789001,7"
    )
    assert public_message(engine) == (
        "2024-02-13: input unusable: topology/meter_feeders.csv: unreadable input: "
        "expected 2 values per row, found 3"
    )
    assert public_message("row 17 of reads.csv: mpan 0123456789012 is not 13 digits") == (
        "row 17 of reads.csv: mpan # is not 13 digits"
    )


def test_error_messages_name_inputs_as_the_source_does_and_once() -> None:
    work = "/srv/storage/ssen_smartmeter/work/src/2024-02-13/obj"
    names = {
        f"{work}/reads/2024-02-13.parquet": "2024-02-13.parquet",
        f"{work}/topology/lv_feeders.csv": "lv_feeders.csv",
    }
    message = (
        f"{work}/reads/2024-02-13.parquet: not a readable Parquet file: Invalid Input "
        f"Error: No magic bytes found at end of file '{work}/reads/2024-02-13.parquet'"
    )
    assert with_source_names(message, names, work) == (
        "2024-02-13.parquet: not a readable Parquet file: Invalid Input Error: "
        "No magic bytes found at end of file"
    )
    # a file named once keeps its (only) mention; other work-area paths lose the prefix
    assert (
        with_source_names(
            f"{work}/topology/lv_feeders.csv, column feeder_id: required "
            f"column is missing (see {work}/out/x)",
            names,
            work,
        )
        == "lv_feeders.csv, column feeder_id: required column is missing (see out/x)"
    )
    assert with_source_names("reason 'elsewhere'", names, work) == "reason 'elsewhere'"
