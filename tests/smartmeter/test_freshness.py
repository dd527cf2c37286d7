"""Pure: freshness (last_data_update, is_up_to_date) around the expiry boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.ssen_smartmeter import freshness

T0 = dt.datetime(2024, 3, 1, 6, 0, 0)


def _res(**times: str) -> dict[str, str]:
    return dict(times)


@pytest.mark.parametrize(
    ("frequency", "expiry"),
    [
        ("hourly", dt.timedelta(hours=1)),
        ("daily", dt.timedelta(days=1)),
        ("weekly", dt.timedelta(days=7)),
        ("monthly", dt.timedelta(days=31)),
        ("quarterly", dt.timedelta(days=91.25)),
        ("biannually", dt.timedelta(days=182.5)),
        ("annually", dt.timedelta(days=365)),
    ],
)
def test_up_to_date_until_and_including_the_boundary(frequency, expiry):
    resources = [_res(last_modified=T0.isoformat())]
    at_boundary = freshness.compute(frequency, resources, T0 + expiry)
    assert at_boundary.is_up_to_date is True
    assert at_boundary.next_update_due == T0 + expiry
    just_after = freshness.compute(frequency, resources, T0 + expiry + dt.timedelta(seconds=1))
    assert just_after.is_up_to_date is False


def test_newest_resource_wins_and_last_modified_beats_created():
    resources = [
        _res(created="2024-02-01T00:00:00", last_modified="2024-02-27T10:00:00"),
        _res(created="2024-02-28T09:30:00.123456"),
        _res(created="2024-01-01T00:00:00", last_modified="2024-02-10T00:00:00"),
    ]
    state = freshness.compute("daily", resources, dt.datetime(2024, 2, 29, 9, 30))
    assert state.last_data_update == dt.datetime(2024, 2, 28, 9, 30, 0, 123456)
    assert state.is_up_to_date is True
    assert state.as_fields() == {
        "last_data_update": "2024-02-28T09:30:00.123456",
        "is_up_to_date": True,
        "next_update_due": "2024-02-29T09:30:00.123456",
        "is_complete": False,
    }


def test_aware_times_are_converted_to_utc():
    resources = [_res(last_modified="2024-03-01T07:00:00+01:00")]
    assert freshness.compute("hourly", resources, T0).last_data_update == T0


def test_grace_extends_the_expiry():
    resources = [_res(last_modified=T0.isoformat())]
    later = T0 + dt.timedelta(days=1, hours=2)
    assert freshness.compute("daily", resources, later).is_up_to_date is False
    assert freshness.compute("daily", resources, later, dt.timedelta(hours=3)).is_up_to_date


@pytest.mark.parametrize("frequency", ["as_needed", "not_planned"])
def test_unscheduled_frequencies_never_expire(frequency):
    state = freshness.compute(frequency, [_res(created="2000-01-01T00:00:00")], T0)
    assert (state.is_up_to_date, state.next_update_due) == (True, None)


def test_no_resources_or_unknown_frequency_is_not_up_to_date():
    assert freshness.compute("daily", [], T0).as_fields() == {
        "last_data_update": None,
        "is_up_to_date": False,
        "next_update_due": None,
        "is_complete": False,
    }
    assert freshness.compute("DAILY", [_res(created=T0.isoformat())], T0).is_up_to_date is False


def test_unparseable_times_are_skipped():
    resources = [_res(last_modified="soon", created="2024-02-01T00:00:00")]
    assert freshness.last_data_update(resources) == dt.datetime(2024, 2, 1)


@given(
    st.sampled_from(freshness.FREQUENCIES),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
)
def test_once_overdue_stays_overdue(frequency, last, first_wait, more_wait):
    resources = [{"last_modified": last.isoformat()}]
    earlier = freshness.compute(frequency, resources, last + first_wait)
    later = freshness.compute(frequency, resources, last + first_wait + more_wait)
    assert not (later.is_up_to_date and not earlier.is_up_to_date)
    assert earlier.last_data_update == later.last_data_update == last


def _days(*spans: tuple[int, int], month: int = 11) -> list[dict[str, str]]:
    """One resource a day of 2024-``month`` for each (first, last) day span."""
    return [
        {"period_start": dt.date(2024, month, d).isoformat()}
        for first, last in spans
        for d in range(first, last + 1)
    ]


NOV_1, NOV_30 = dt.date(2024, 11, 1), dt.date(2024, 11, 30)


def test_missing_days_of_a_month_that_starts_late():
    missing = freshness.missing_days(_days((27, 30)), NOV_1, NOV_30)
    assert missing == [dt.date(2024, 11, d) for d in range(1, 27)]


def test_missing_days_in_the_middle():
    resources = _days((1, 2), (6, 8), (10, 30))
    missing = freshness.missing_days(resources, NOV_1, NOV_30)
    assert missing == [dt.date(2024, 11, d) for d in (3, 4, 5, 9)]
    assert freshness.format_day_ranges(missing) == "3–5 Nov, 9 Nov"


def test_missing_days_of_a_whole_month_and_of_nothing():
    assert freshness.missing_days(_days((1, 30)), NOV_1, NOV_30) == []
    assert len(freshness.missing_days([], NOV_1, NOV_30)) == 30
    assert freshness.missing_days(_days((1, 30)), NOV_30, NOV_1) == []  # end before start


def test_a_resource_covers_period_start_to_period_end():
    resources = [
        {"period_start": "2024-11-01", "period_end": "2024-11-20"},
        {"period_start": "2024-10-28", "period_end": "2024-11-02"},  # reaches in
        {"period_start": "2024-11-25T00:00:00"},  # a datetime string: its day
        {"period_start": "2024-12-01"},  # after the period: nothing
        {"name": "documentation", "url": "https://example.invalid"},  # no period
        {"period_start": "not a date"},
    ]
    missing = freshness.missing_days(resources, NOV_1, NOV_30)
    assert freshness.format_day_ranges(missing) == "21–24 Nov, 26–30 Nov"


@given(st.sets(st.integers(min_value=1, max_value=30)))
def test_covered_and_missing_days_partition_the_period(published):
    resources = [{"period_start": dt.date(2024, 11, d).isoformat()} for d in published]
    covered = freshness.covered_days(resources, NOV_1, NOV_30)
    missing = freshness.missing_days(resources, NOV_1, NOV_30)
    assert sorted(covered + missing) == [dt.date(2024, 11, d) for d in range(1, 31)]
    assert {d.day for d in covered} == published
    assert freshness.period_complete("2024-11", resources) is (len(published) == 30)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([], ""),
        ([dt.date(2024, 11, 9)], "9 Nov"),
        ([dt.date(2024, 11, d) for d in (27, 28, 29, 30)], "27–30 Nov"),
        ([dt.date(2024, 11, 30), dt.date(2024, 12, 1), dt.date(2024, 12, 2)], "30 Nov–2 Dec"),
        ([dt.date(2024, 11, 5), dt.date(2024, 11, 3), dt.date(2024, 11, 4)], "3–5 Nov"),
    ],
)
def test_days_are_collapsed_into_ranges(days, text):
    assert freshness.format_day_ranges(days) == text


@pytest.mark.parametrize(
    ("period", "resources", "complete"),
    [
        ("2024-02", _days((1, 29), month=2), True),  # leap year
        ("2023-02", [{"period_start": "2023-02-01", "period_end": "2023-02-28"}], True),
        ("2024-02", _days((1, 28), month=2), False),  # the last day is missing
        ("2024-11", _days((27, 30)), False),  # starts late: only the end is there
        ("2024-11", _days((1, 8), (10, 30)), False),  # a gap in the middle
        ("2024-12", _days((1, 31), month=12), True),  # the next month is in the next year
        ("2024-11", [], False),
        (None, _days((1, 30)), False),
        ("2024-13", _days((1, 30)), False),
        ("November", _days((1, 30)), False),
    ],
)
def test_a_period_is_complete_when_every_day_is_covered(period, resources, complete):
    assert freshness.period_complete(period, resources) is complete


def test_period_gaps_count_days_not_due_yet_only_once_the_month_is_over():
    resources = _days((1, 2), (6, 12))
    during = freshness.period_gaps("2024-11", resources, dt.date(2024, 11, 15))
    assert freshness.format_day_ranges(during) == "3–5 Nov"  # 13 Nov on: not due yet
    after = freshness.period_gaps("2024-11", resources, dt.date(2024, 12, 1))
    assert freshness.format_day_ranges(after) == "3–5 Nov, 13–30 Nov"
    assert freshness.period_gaps("2024-11", [], dt.date(2024, 11, 15)) == []
    assert len(freshness.period_gaps("2024-11", [], dt.date(2024, 12, 1))) == 30
    assert freshness.period_gaps("2024-11", _days((1, 30)), dt.date(2025, 1, 1)) == []
    assert freshness.period_gaps(None, resources, dt.date(2024, 12, 1)) is None


def test_a_complete_period_is_up_to_date_for_good():
    resources = [_res(last_modified=T0.isoformat())]
    years_later = T0 + dt.timedelta(days=3 * 365)
    state = freshness.compute("daily", resources, years_later, complete=True)
    assert state.as_fields() == {
        "last_data_update": T0.isoformat(),
        "is_up_to_date": True,
        "next_update_due": None,
        "is_complete": True,
    }
    # without resources nothing is published: complete or not, not up to date
    assert freshness.compute("daily", [], years_later, complete=True).is_up_to_date is False
