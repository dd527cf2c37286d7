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


@pytest.mark.parametrize(
    ("period", "coverage_end", "complete"),
    [
        ("2024-02", "2024-02-29", True),  # leap year
        ("2023-02", "2023-02-28", True),
        ("2024-02", "2024-02-28", False),
        ("2024-12", "2024-12-31", True),  # the next month is in the next year
        ("2024-12", "2024-12-30", False),
        ("2024-11", "2024-12-01", True),
        ("2024-11", None, False),
        (None, "2024-11-30", False),
        ("2024-13", "2025-01-31", False),
        ("November", "2024-11-30", False),
    ],
)
def test_a_period_is_complete_once_its_last_day_is_covered(period, coverage_end, complete):
    assert freshness.period_complete(period, coverage_end) is complete


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
