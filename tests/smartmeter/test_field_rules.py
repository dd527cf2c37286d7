"""Pure: value checks behind the schema's validators."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.ssen_smartmeter import field_rules as rules


def test_iso_date_accepts_dates_and_strings():
    assert rules.iso_date("d", "2024-02-29") == "2024-02-29"
    assert rules.iso_date("d", dt.date(2024, 2, 1)) == "2024-02-01"
    assert rules.iso_date("d", dt.datetime(2024, 2, 1, 13, 0)) == "2024-02-01"


@pytest.mark.parametrize("bad", ["2023-02-29", "2024-2-1", "20240201", "2024-02-01T00:00", ""])
def test_iso_date_refuses(bad):
    with pytest.raises(ValueError, match=r"^when must be an ISO date \(YYYY-MM-DD\)"):
        rules.iso_date("when", bad)


def test_month_bounds_handle_leap_years_and_december():
    assert rules.month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert rules.month_bounds("2023-02")[1] == dt.date(2023, 2, 28)
    assert rules.month_bounds("2024-12") == (dt.date(2024, 12, 1), dt.date(2024, 12, 31))


def test_order_allows_equal_dates_and_refuses_reversed():
    rules.check_order("a", "2024-02-01", "b", "2024-02-01")
    with pytest.raises(ValueError, match=r"^b must be on or after a"):
        rules.check_order("a", "2024-02-02", "b", "2024-02-01")


@pytest.mark.parametrize(("value", "expected"), [("0", 0), (7, 7), (7.0, 7), (" 12 ", 12)])
def test_count_accepts(value, expected):
    assert rules.count("n", value) == expected


@pytest.mark.parametrize("bad", ["-1", 1.5, "nan", True, None, "1e400x"])
def test_count_refuses(bad):
    with pytest.raises(ValueError, match=r"^n must be a whole number >= 0"):
        rules.count("n", bad)


def test_privacy_threshold_floor_is_five():
    assert rules.privacy_threshold("t", "5") == 5
    with pytest.raises(ValueError, match="at least 5 meters"):
        rules.privacy_threshold("t", 4)


def test_multiple_choice_forms_and_order():
    allowed = ["a", "b", "c"]
    assert rules.multiple_choice("m", ["c", "a", "c"], allowed) == ["a", "c"]
    assert rules.multiple_choice("m", '["b"]', allowed) == ["b"]
    assert rules.multiple_choice("m", "c, b", allowed) == ["b", "c"]
    with pytest.raises(ValueError, match="got 'z'"):
        rules.multiple_choice("m", ["a", "z"], allowed)


def test_doi_and_sha256_normalise():
    assert rules.doi("doi", "doi:10.1000/xyz") == "10.1000/xyz"
    assert rules.sha256("sha256", "AB" * 32) == "ab" * 32


def test_quality_report_rules():
    ok = {"rows_read": 5, "rows_accepted": 5, "rejected": {}}
    assert json.loads(rules.quality_report("q", ok)) == ok
    with pytest.raises(ValueError, match="q must be a JSON object"):
        rules.quality_report("q", "not json")


def test_table_schema_refuses_duplicate_and_unknown_primary_key():
    with pytest.raises(ValueError, match="column 'a' appears twice"):
        rules.table_schema("t", {"fields": [{"name": "a"}, {"name": "a"}]})
    with pytest.raises(ValueError, match="primaryKey column 'b' is not a field"):
        rules.table_schema("t", {"fields": [{"name": "a"}], "primaryKey": "b"})


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_any_date_round_trips_and_lies_in_its_month(day):
    text = rules.iso_date("d", day.isoformat())
    rules.check_within_month(text[:7], "d", text)
    assert dt.date.fromisoformat(text) == day


@pytest.mark.parametrize(
    ("doc", "bbox"),
    [
        (
            {"type": "Polygon", "coordinates": [[[-8, 55], [0, 55], [0, 61], [-8, 55]]]},
            (-8, 55, 0, 61),
        ),
        ({"type": "Point", "coordinates": [-3.2, 55.9]}, (-3.2, 55.9, -3.2, 55.9)),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}},
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": [[3, -4], [5, 6]]},
                    },
                ],
            },
            (1, -4, 5, 6),
        ),
        ({"type": "GeometryCollection", "geometries": []}, None),
    ],
)
def test_geojson_bbox_spans_every_position(doc, bbox):
    assert rules.geojson_bbox(doc) == bbox
