"""Headless Chromium renders the dataset page of a smart meter dataset.

A live ``ckan run`` serves the same database, Redis and storage as the test
process (it inherits the environment); the page is screenshotted to
tests/smartmeter/screenshots/dataset_page.png for a human to look at.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ckan.tests import helpers

from . import data

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(tmp_path: Path, ckan_config: dict[str, Any]) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ini = tmp_path / "live.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'test.ini'}\n"
        f"ckan.site_url = {url}\n"
        f"sqlalchemy.url = {ckan_config['sqlalchemy.url']}\n"
        f"ckan.storage_path = {ckan_config['ckan.storage_path']}\n"
        f"ckan.redis.url = {ckan_config['ckan.redis.url']}\n"
    )
    ckan = Path(sys.executable).with_name("ckan")
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [str(ckan), "-c", str(ini), "run", "--host", "127.0.0.1", "--port", str(port),
         "--disable-reloader"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/3/action/status_show", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("ckan run did not answer")
        if proc.poll() is not None:
            pytest.fail("ckan run exited: " + (tmp_path / "server.log").read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_dataset_page_screenshot(live_server, sysadmin, org, create_with_upload, tmp_path):
    from playwright.sync_api import sync_playwright

    pkg = helpers.call_action(
        "package_create", {"user": sysadmin["name"]},
        **data.dataset(org["id"], resources=[]),
    )
    parquet = Path(data.write_feeder_parquet(str(tmp_path / "day.parquet"))).read_bytes()
    res = data.resource("LV feeder, 2024-02-12 (Parquet)", format="Parquet")
    res.pop("url")
    create_with_upload(parquet, "lv_feeder_2024-02-12.parquet",
                       context={"user": sysadmin["name"]}, package_id=pkg["id"], **res)

    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "dataset_page.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{live_server}/smart-meter/{pkg['name']}?unit=000100200301",
                      wait_until="networkidle")
            assert page.locator(".ssen-freshness").get_attribute("data-freshness") == (
                "up-to-date"
            )
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
