"""Day planning (pure logic): which days a job works on and why."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.ssen_smartmeter.harvest.day_plan import (
    DayRange,
    DayState,
    Kind,
    batched,
    candidate_days,
    decide,
    in_late_window,
    month_bounds,
    refusal,
)

D = dt.date


def test_a_day_is_ready_once_it_is_lag_days_old() -> None:
    days = list(candidate_days(D(2024, 2, 1), None, today=D(2024, 2, 6), lag_days=2))
    assert days == [D(2024, 2, d) for d in range(1, 5)]


def test_last_date_and_asked_range_bound_the_days() -> None:
    assert list(candidate_days(D(2024, 2, 1), D(2024, 2, 2), D(2024, 3, 1), 2)) == [
        D(2024, 2, 1),
        D(2024, 2, 2),
    ]
    asked = DayRange(D(2024, 1, 30), D(2024, 2, 3))
    assert list(candidate_days(D(2024, 2, 1), None, D(2024, 2, 4), 2, asked)) == [
        D(2024, 2, 1),
        D(2024, 2, 2),
    ]
    with pytest.raises(ValueError, match="ends"):
        DayRange(D(2024, 2, 2), D(2024, 2, 1))


@pytest.mark.parametrize(
    ("state", "fingerprint", "asked", "kind"),
    [
        (None, None, None, None),
        (None, "a", None, Kind.PUBLISH),
        (DayState(False, "a"), "a", None, Kind.PUBLISH),
        (DayState(True, "a"), "a", None, None),
        (DayState(True, "a"), "b", None, Kind.LATE),
        (DayState(True, "a"), "a", DayRange(D(2024, 1, 1), D(2024, 1, 1)), Kind.CHECK),
        (DayState(True, "a"), "b", DayRange(D(2024, 1, 1), D(2024, 1, 1)), Kind.LATE),
        (DayState(True, "a"), "a", DayRange(D(2024, 1, 1), D(2024, 1, 1), True), Kind.RESTATE),
        (None, "a", DayRange(D(2024, 1, 1), D(2024, 1, 1), True), Kind.PUBLISH),
    ],
)
def test_decide(
    state: DayState | None, fingerprint: str | None, asked: DayRange | None, kind: Kind | None
) -> None:
    assert decide(state, fingerprint, asked) is kind


def test_late_window() -> None:
    assert in_late_window(D(2024, 2, 1), D(2024, 3, 2), 30)
    assert not in_late_window(D(2024, 1, 31), D(2024, 3, 2), 30)


@given(st.lists(st.integers(), max_size=50), st.integers(min_value=1, max_value=10))
def test_batches_keep_order_and_size(items: list[int], size: int) -> None:
    batches = list(batched(iter(items), size))
    assert [x for b in batches for x in b] == items
    assert all(1 <= len(b) <= size for b in batches)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)))
def test_month_bounds_contain_the_day(day: dt.date) -> None:
    first, last = month_bounds(day)
    assert first.day == 1 and first <= day <= last
    assert (last + dt.timedelta(days=1)).day == 1 and last.month == day.month


def test_days_outside_the_source_are_refused_with_one_line() -> None:
    today = D(2026, 10, 27)
    assert (
        refusal(
            D(2026, 10, 1), None, today, 2, DayRange(D(2026, 9, 1), D(2026, 9, 1), restate=True)
        )
        == "cannot restate 2026-09-01: before the source's first day (2026-10-01)"
    )
    assert refusal(D(2026, 10, 1), None, today, 2, DayRange(D(2027, 1, 1), D(2027, 1, 1))) == (
        "cannot harvest 2027-01-01: not ready yet (a day is published once it is 2 day(s) "
        "old; the last ready day is 2026-10-25)"
    )
    assert (
        refusal(D(2026, 10, 1), D(2026, 10, 7), today, 2, DayRange(D(2026, 10, 8), D(2026, 10, 9)))
        == "cannot harvest 2026-10-08 to 2026-10-09: after the source's last day (2026-10-07)"
    )
    # a range overlapping the ready days is accepted (its other days are left alone)
    assert refusal(D(2026, 10, 1), None, today, 2, DayRange(D(2026, 9, 1), D(2027, 1, 1))) is None


@given(
    first=st.dates(D(2024, 1, 1), D(2024, 3, 1)),
    span=st.integers(0, 60),
    start=st.dates(D(2023, 12, 1), D(2024, 5, 1)),
    length=st.integers(0, 40),
    lag=st.integers(1, 5),
    bounded=st.booleans(),
    restate=st.booleans(),
)
def test_a_range_is_refused_exactly_when_it_has_no_candidate_day(
    first: dt.date, span: int, start: dt.date, length: int, lag: int, bounded: bool, restate: bool
) -> None:
    last = first + dt.timedelta(days=span) if bounded else None
    today = D(2024, 4, 1)
    asked = DayRange(start, start + dt.timedelta(days=length), restate=restate)
    days = list(candidate_days(first, last, today, lag, asked))
    assert (refusal(first, last, today, lag, asked) is None) == bool(days)
