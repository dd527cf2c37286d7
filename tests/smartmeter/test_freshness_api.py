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


def _month(org: dict, days: range, **overrides) -> dict:
    """A dataset of 2024-02 with one CSV file for each of ``days``."""
    resources = [
        data.resource(
            f"2024-02-{d:02d} (CSV)",
            period_start=f"2024-02-{d:02d}",
            period_end=f"2024-02-{d:02d}",
            last_modified=PUBLISHED.isoformat(),
        )
        for d in days
    ]
    overrides.setdefault("temporal_coverage_start", f"2024-02-{days[0]:02d}")
    overrides.setdefault("temporal_coverage_end", f"2024-02-{days[-1]:02d}")
    return data.dataset(org["id"], resources=resources, **overrides)


def test_a_month_with_every_day_published_is_complete_not_overdue(sysadmin, org):
    helpers.call_action("package_create", {"user": sysadmin["name"]}, **_month(org, range(1, 30)))
    with freeze_time(PUBLISHED + dt.timedelta(days=400)):
        shown = _show("smart-meter-lv-feeder-2024-02")
    assert (shown["is_complete"], shown["is_up_to_date"], shown["next_update_due"]) == (
        True,
        True,
        None,
    )
    assert shown["missing_days"] == []


def test_a_month_that_starts_late_or_has_a_gap_is_not_complete(sysadmin, org):
    """Only 26-29 Feb published (the last day is there): not complete, and the
    API lists the missing days."""
    helpers.call_action("package_create", {"user": sysadmin["name"]}, **_month(org, range(26, 30)))
    with freeze_time(PUBLISHED + dt.timedelta(days=400)):
        shown = _show("smart-meter-lv-feeder-2024-02")
    assert (shown["is_complete"], shown["is_up_to_date"]) == (False, False)
    assert shown["missing_days"] == [f"2024-02-{d:02d}" for d in range(1, 26)]

    # every day but one in the middle
    days = [d for d in range(1, 30) if d != 9]
    pkg = _month(org, range(1, 30), name="gap")
    pkg["resources"] = [r for r in pkg["resources"] if r["period_start"] != "2024-02-09"]
    helpers.call_action("package_create", {"user": sysadmin["name"]}, **pkg)
    with freeze_time(PUBLISHED + dt.timedelta(days=400)):
        shown = _show("gap")
    assert len(shown["resources"]) == len(days)
    assert (shown["is_complete"], shown["missing_days"]) == (False, ["2024-02-09"])
    (result,) = helpers.call_action("package_search", q="name:gap")["results"]
    assert (result["is_complete"], result["missing_days"]) == (False, ["2024-02-09"])


def test_days_not_due_yet_are_not_missing_while_the_month_runs(sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **_month(org, range(1, 13), name="open")
    )
    with freeze_time(dt.datetime(2024, 2, 14, 12, 0)):
        during = _show("open")
    with freeze_time(dt.datetime(2024, 3, 1, 12, 0)):
        after = _show("open")
    assert (during["is_complete"], during["missing_days"]) == (False, [])
    assert after["missing_days"] == [f"2024-02-{d:02d}" for d in range(13, 30)]
