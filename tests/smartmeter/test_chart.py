"""Pure: the SVG load profile."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from ckanext.ssen_smartmeter import chart

SVG = "{http://www.w3.org/2000/svg}"
DAY = dt.datetime(2024, 2, 12)


def _points(gaps=(10, 11)):
    return [
        (DAY + dt.timedelta(minutes=30 * k), None if k in gaps else 1000 + 10 * k)
        for k in range(1, 49)
    ]


def test_svg_is_well_formed_and_accessible():
    svg = chart.load_profile_svg(_points(), title="Feeder <01> & co", unit="Wh")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "ssen-load-profile-title ssen-load-profile-desc"
    assert root.find(f"{SVG}title").text == "Feeder <01> & co"
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith(
        "46 of 48 half-hours published; peak 1,480 Wh in the half-hour ending 00:00"
    )
    assert "2 half-hours suppressed for privacy or empty." in desc


def test_gaps_break_the_line_and_are_shaded():
    root = ET.fromstring(chart.load_profile_svg(_points(), title="t", unit="Wh"))
    lines = root.findall(f"{SVG}polyline")
    assert [len(p.get("points").split()) for p in lines] == [9, 37]
    assert len(root.findall(f"{SVG}rect[@class='suppressed']")) == 2


def test_suppressed_values_never_appear_as_numbers():
    points = _points(gaps=())
    points[5] = (points[5][0], None)
    svg = chart.load_profile_svg(points, title="t", unit="Wh")
    assert "1060" not in svg and "1,060" not in svg


def test_all_suppressed_draws_no_series():
    svg = chart.load_profile_svg(_points(gaps=range(1, 49)), title="t", unit="varh")
    root = ET.fromstring(svg)
    assert root.findall(f"{SVG}polyline") == []
    assert root.find(f"{SVG}desc").text == (
        "No published values: all 48 half-hours are suppressed or empty."
    )


def test_axis_labels_every_three_hours_end_at_midnight():
    root = ET.fromstring(chart.load_profile_svg(_points(), title="t", unit="Wh"))
    labels = [t.text for t in root.findall(f"{SVG}text")]
    for hour in ("03:00", "12:00", "21:00", "24:00", "Half-hour ending (UTC)"):
        assert hour in labels


def test_nice_ceiling():
    assert [chart.nice_ceiling(v) for v in (0, 0.7, 3, 14, 180, 2600, 10000)] == [
        1,
        1,
        5,
        20,
        200,
        5000,
        10000,
    ]


@given(
    st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=10**7)), min_size=1, max_size=48
    )
)
def test_every_gap_is_shaded_and_every_published_value_drawn(values):
    points = [(DAY + dt.timedelta(minutes=30 * (k + 1)), v) for k, v in enumerate(values)]
    root = ET.fromstring(chart.load_profile_svg(points, title="t", unit="Wh"))
    assert len(root.findall(f"{SVG}rect[@class='suppressed']")) == values.count(None)
    drawn = sum(len(p.get("points").split()) for p in root.findall(f"{SVG}polyline"))
    drawn += len(root.findall(f"{SVG}circle"))
    assert drawn == len(values) - values.count(None)
    for element in root.iter():  # everything inside the 720 x 300 view box
        for attr, limit in (("x", 720), ("cx", 720), ("y", 300), ("cy", 300)):
            if element.get(attr) is not None:
                assert 0 <= float(element.get(attr)) <= limit
