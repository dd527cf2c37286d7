"""Headless Chromium renders the dataset page of a smart meter dataset.

A live ``ckan run`` serves the same database, Redis and storage as the test
process (it inherits the environment); the page is screenshotted to
tests/smartmeter/screenshots/dataset_page.png for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ckan.tests import helpers

from . import data

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def test_dataset_page_screenshot(
    live_server, chromium, sysadmin, org, create_with_upload, tmp_path
):
    from playwright.sync_api import sync_playwright

    pkg = helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        # the month still open: its freshness is up to date, not complete
        **data.dataset(org["id"], resources=[], temporal_coverage_end="2024-02-12"),
    )
    parquet = Path(data.write_feeder_parquet(str(tmp_path / "day.parquet"))).read_bytes()
    res = data.resource("LV feeder, 2024-02-12 (Parquet)", format="Parquet")
    res.pop("url")
    create_with_upload(
        parquet,
        "lv_feeder_2024-02-12.parquet",
        context={"user": sysadmin["name"]},
        package_id=pkg["id"],
        **res,
    )

    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "dataset_page.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(
                f"{live_server}/smart-meter/{pkg['name']}?unit=000100200301",
                wait_until="networkidle",
            )
            assert page.locator(".ssen-freshness").get_attribute("data-freshness") == ("up-to-date")
            chart = page.locator("#load-profile svg[role=img]")
            assert chart.is_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 400 and box["height"] > 150
            assert page.locator(".ssen-quality-table tbody tr").count() == 1
            assert "at least 5 smart meters" in page.locator(".ssen-privacy").inner_text()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
