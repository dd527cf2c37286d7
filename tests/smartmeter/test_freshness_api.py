"""package_show computes last_data_update and is_up_to_date around the expiry boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests import helpers
from freezegun import freeze_time

from . import data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PUBLISHED = dt.datetime(2024, 3, 2, 6, 0, 0)


def _published(org: dict, **overrides) -> dict:
    """A dataset whose only resource was last modified at PUBLISHED, its month
    still open (covered up to 2024-02-13 of 2024-02)."""
    res = data.resource(last_modified=PUBLISHED.isoformat())
    overrides.setdefault("temporal_coverage_end", "2024-02-13")
    return data.dataset(org["id"], resources=[res], **overrides)


def _show(name: str) -> dict:
    return helpers.call_action("package_show", id=name)


def test_daily_dataset_is_up_to_date_until_24_hours_after_its_newest_upload(
    sysadmin, org, create_with_upload
):
    older = data.resource(last_modified=(PUBLISHED - dt.timedelta(days=1)).isoformat())
    pkg = helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(org["id"], resources=[older], temporal_coverage_end="2024-02-13"),
    )
    with freeze_time(PUBLISHED):  # the uploader stamps last_modified
        res = data.resource("2024-02-13 (CSV)", period_start="2024-02-13", period_end="2024-02-13")
        res.pop("url")
        create_with_upload(
            "dataset_id\n",
            "day.csv",
            context={"user": sysadmin["name"]},
            package_id=pkg["id"],
            **res,
        )
    with freeze_time(PUBLISHED + dt.timedelta(days=1)):
        shown = _show(pkg["name"])
        assert shown["last_data_update"] == PUBLISHED.isoformat()
        assert shown["next_update_due"] == (PUBLISHED + dt.timedelta(days=1)).isoformat()
        assert shown["is_up_to_date"] is True
    with freeze_time(PUBLISHED + dt.timedelta(days=1, seconds=1)):
        assert _show(pkg["name"])["is_up_to_date"] is False


def test_grace_hours_option_moves_the_boundary(sysadmin, org, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.ssen_smartmeter.freshness_grace_hours", 6)
    helpers.call_action("package_create", {"user": sysadmin["name"]}, **_published(org))
    with freeze_time(PUBLISHED + dt.timedelta(hours=30)):
        assert _show("smart-meter-lv-feeder-2024-02")["is_up_to_date"] is True
    with freeze_time(PUBLISHED + dt.timedelta(hours=30, seconds=1)):
        assert _show("smart-meter-lv-feeder-2024-02")["is_up_to_date"] is False


def test_monthly_and_unscheduled_frequencies(sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **_published(org, frequency="monthly")
    )
    helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **_published(org, name="as-needed", frequency="as_needed"),
    )
    with freeze_time(PUBLISHED + dt.timedelta(days=31)):
        assert _show("smart-meter-lv-feeder-2024-02")["is_up_to_date"] is True
        assert _show("as-needed")["next_update_due"] is None
    with freeze_time(PUBLISHED + dt.timedelta(days=31, microseconds=1)):
        assert _show("smart-meter-lv-feeder-2024-02")["is_up_to_date"] is False
        assert _show("as-needed")["is_up_to_date"] is True


def test_dataset_without_resources_is_overdue(sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    shown = _show("smart-meter-lv-feeder-2024-02")
    assert (shown["last_data_update"], shown["is_up_to_date"]) == (None, False)


def test_search_results_carry_freshness_of_the_moment_not_of_indexing(sysadmin, org):
    with freeze_time(PUBLISHED):
        helpers.call_action("package_create", {"user": sysadmin["name"]}, **_published(org))
    with freeze_time(PUBLISHED + dt.timedelta(days=2)):
        (result,) = helpers.call_action(
            "package_search", q="name:smart-meter-lv-feeder-2024-02", include_private=True
        )["results"]
    assert result["is_up_to_date"] is False
    assert result["last_data_update"] == PUBLISHED.isoformat()


def test_a_month_whose_last_day_is_published_is_complete_not_overdue(sysadmin, org):
    helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **_published(org, temporal_coverage_end="2024-02-29"),
    )
    with freeze_time(PUBLISHED + dt.timedelta(days=400)):
        shown = _show("smart-meter-lv-feeder-2024-02")
    assert (shown["is_complete"], shown["is_up_to_date"], shown["next_update_due"]) == (
        True,
        True,
        None,
    )
    # the month still open a day before its end: overdue once the day has passed
    helpers.call_action(
        "package_patch",
        {"user": sysadmin["name"]},
        id="smart-meter-lv-feeder-2024-02",
        temporal_coverage_end="2024-02-28",
    )
    with freeze_time(PUBLISHED + dt.timedelta(days=400)):
        shown = _show("smart-meter-lv-feeder-2024-02")
    assert (shown["is_complete"], shown["is_up_to_date"]) == (False, False)
