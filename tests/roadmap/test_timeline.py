"""Pure timeline building (no CKAN)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.ssen_roadmap.timeline import (
    Filters,
    FinancialYear,
    Quarter,
    ReleaseError,
    RoadmapItem,
    build_chart,
    build_timeline,
    parse_release,
    split_values,
)


def item(name: str, status: str = "planned", planned: str = "", actual: str = "", **kw):
    return RoadmapItem(
        id=name, name=name, title=kw.pop("title", name.title()), status=status,
        planned_release=planned, actual_release=actual, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "key", "day"),
    [
        ("2025-06-30", "2025-Q2", dt.date(2025, 6, 30)),
        ("2025-Q2", "2025-Q2", None),
        ("2025-q4", "2025-Q4", None),
        ("Q1 2026", "2026-Q1", None),
        ("2026 Q3", "2026-Q3", None),
        (" 2024-01-01 ", "2024-Q1", dt.date(2024, 1, 1)),
    ],
)
def test_parse_release_accepts_dates_and_quarters(text, key, day) -> None:
    release = parse_release(text)
    assert release.quarter.key == key
    assert release.day == day
    assert release.text == (day.isoformat() if day else key)


@pytest.mark.parametrize("text", ["2025-Q5", "2025-13-01", "2025-02-30", "soon", "", "25-Q1"])
def test_parse_release_rejects_anything_else(text) -> None:
    with pytest.raises(ReleaseError, match=r"YYYY|real date"):
        parse_release(text)


def test_quarters_map_onto_the_april_to_march_financial_year() -> None:
    assert Quarter(2025, 2).financial_year == FinancialYear(2025)
    assert Quarter(2025, 2).fy_quarter == 1
    assert Quarter(2026, 1).financial_year == FinancialYear(2025)
    assert Quarter(2026, 1).fy_quarter == 4
    assert Quarter(2025, 1).financial_year.label == "FY2024/25"
    assert Quarter(2025, 2).label == "Apr–Jun 2025 (Q1 FY2025/26)"
    assert FinancialYear(2099).key == "FY2099-00"
    assert [q.key for q in FinancialYear(2025).quarters] == [
        "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1",
    ]  # fmt: skip


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_every_day_lies_in_its_quarter_and_financial_year(day: dt.date) -> None:
    quarter = Quarter.of(day)
    assert quarter.first_day <= day <= quarter.last_day
    assert quarter in quarter.financial_year.quarters
    fy = quarter.financial_year
    assert dt.date(fy.start_year, 4, 1) <= day <= dt.date(fy.start_year + 1, 3, 31)


def test_items_are_grouped_by_year_then_quarter_in_time_order() -> None:
    timeline = build_timeline(
        [
            item("late", planned="2026-02-10"),
            item("early", planned="2025-Q2"),
            item("mid-b", planned="2025-08-01"),
            item("mid-a", planned="2025-07-15"),
            item("nowhen"),
        ]
    )
    assert [y.key for y in timeline.years] == ["FY2025-26", "unscheduled"]
    assert [(q.key, [i.name for i in q.items]) for q in timeline.quarters] == [
        ("2025-Q2", ["early"]),
        ("2025-Q3", ["mid-a", "mid-b"]),
        ("2026-Q1", ["late"]),
        ("unscheduled", ["nowhen"]),
    ]
    assert timeline.total == 5
    assert timeline.status_counts == {
        "planned": 5, "in_development": 0, "published": 0, "retired": 0,
    }  # fmt: skip


def test_published_items_sit_at_their_actual_release() -> None:
    timeline = build_timeline(
        [
            item("slipped", "published", planned="2025-Q2", actual="2025-11-03"),
            item("no-actual", "published", planned="2025-Q2"),
        ]
    )
    assert {q.key: [i.name for i in q.items] for q in timeline.quarters} == {
        "2025-Q2": ["no-actual"],
        "2025-Q4": ["slipped"],
    }


def test_filters_combine_status_audience_and_category() -> None:
    items = [
        item("a", "planned", "2025-Q3", audience=("consultancies",), category="prospective"),
        item("b", "published", "2025-Q3", actual="2025-08-01", audience=("regulatory_bodies",)),
        item("c", "planned", "2025-Q4", audience=("consultancies", "regulatory_bodies"),
             category="legal_requirement"),
    ]  # fmt: skip

    def names(filters: Filters) -> list[str]:
        return sorted(i.name for q in build_timeline(items, filters).quarters for i in q.items)

    assert names(Filters()) == ["a", "b", "c"]
    assert names(Filters(statuses=frozenset({"planned"}))) == ["a", "c"]
    assert names(Filters(audiences=frozenset({"regulatory_bodies"}))) == ["b", "c"]
    planned_prospective = Filters(
        statuses=frozenset({"planned"}), categories=frozenset({"prospective"})
    )
    assert names(planned_prospective) == ["a"]
    assert names(Filters(categories=frozenset({"future_looking"}))) == []


def test_placeholder_and_query_filters_narrow_each_other() -> None:
    fixed = Filters(statuses=frozenset({"planned", "in_development"}))
    assert fixed.narrowed_by(Filters(statuses=frozenset({"planned"}))).statuses == {"planned"}
    assert fixed.narrowed_by(Filters()).statuses == {"planned", "in_development"}
    impossible = fixed.narrowed_by(Filters(statuses=frozenset({"published"})))
    assert not impossible.matches(item("x", "published"))
    assert not impossible.matches(item("y", "planned"))


def test_split_values_accepts_repeats_and_commas() -> None:
    assert split_values(["a, b", "c", " "]) == {"a", "b", "c"}
    assert split_values("x") == {"x"}
    assert split_values(None) == frozenset()


def test_chart_bars_are_proportional_and_skip_unscheduled() -> None:
    timeline = build_timeline(
        [
            item("p1", "published", "2025-Q2", actual="2025-05-01"),
            item("p2", "published", "2025-Q2", actual="2025-06-01"),
            item("o1", "planned", "2025-Q2"),
            item("o2", "in_development", "2025-Q3"),
            item("none"),
        ]
    )
    chart = build_chart(timeline.quarters, width=400, height=200, margin_left=40,
                        margin_bottom=40, margin_top=0)  # fmt: skip
    assert [c.key for c in chart.columns] == ["2025-Q2", "2025-Q3"]
    q2, q3 = chart.columns
    assert (q2.published, q2.open, q3.published, q3.open) == (2, 1, 0, 1)
    assert chart.max_value == 2
    heights = {(c.key, b.series): b.height for c in chart.columns for b in c.bars}
    assert heights[("2025-Q2", "published")] == 160.0
    assert heights[("2025-Q2", "open")] == 80.0
    assert heights[("2025-Q3", "published")] == 0.0
    for column in chart.columns:
        for bar in column.bars:
            assert bar.y + bar.height == pytest.approx(chart.plot_bottom)
            assert chart.plot_left <= bar.x <= chart.width - bar.width
    assert chart.ticks[0] == (0, 160.0) and chart.ticks[-1] == (2, 0.0)
    assert chart.summary == "2 published and 2 planned or in development across 2 quarters"


def test_chart_of_nothing_has_no_columns() -> None:
    chart = build_chart([])
    assert chart.columns == () and chart.max_value == 1


def test_chart_axis_ends_on_a_round_tick_and_years_label_once() -> None:
    items = [item(f"o{i}", planned="2025-Q4") for i in range(23)]
    items += [item("a", planned="2026-Q1"), item("b", planned="2026-Q2"),
              item("c", planned="2026-Q3")]  # fmt: skip
    chart = build_chart(build_timeline(items).quarters)
    assert chart.max_value == 25
    assert [value for value, _ in chart.ticks] == [0, 5, 10, 15, 20, 25]
    assert chart.ticks[-1][1] == chart.plot_top
    tallest = max(bar.height for column in chart.columns for bar in column.bars)
    assert tallest == pytest.approx((chart.plot_bottom - chart.plot_top) * 23 / 25, abs=0.01)
    assert [(c.short_label, c.year_label) for c in chart.columns] == [
        ("Q3", "2025/26"), ("Q4", ""), ("Q1", "2026/27"), ("Q2", ""),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("stored", "label"),
    [
        ("2027-Q1", "Jan–Mar 2027 (Q4 FY2026/27)"),
        ("2026-Q2", "Apr–Jun 2026 (Q1 FY2026/27)"),
        ("Q4 2026", "Oct–Dec 2026 (Q3 FY2026/27)"),
        ("2026-08-14", "2026-08-14"),
        ("soon", "soon"),
        ("", ""),
    ],
)
def test_planned_releases_read_in_financial_quarters(stored: str, label: str) -> None:
    item = RoadmapItem(id="1", name="a", title="A", status="planned", planned_release=stored)
    assert item.planned_label == label


def test_financial_quarter_labels() -> None:
    assert Quarter(2027, 1).financial_label == "Q4 FY2026/27"
    assert Quarter(2026, 2).financial_label == "Q1 FY2026/27"
    assert Quarter(2026, 4).label == "Oct–Dec 2026 (Q3 FY2026/27)"
