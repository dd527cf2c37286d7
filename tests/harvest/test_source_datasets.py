"""Every dataset a source publishes is linked to it: counts, listing and clearsource agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckanext.harvest.model import HarvestObject

from ckanext.ssen_smartmeter.harvest import state
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
NAMES = ["smart-meter-lv-feeder-2024-02", "smart-meter-secondary-substation-2024-02"]


def counts(source: dict[str, Any], app: Any, token: str) -> tuple[int, int, list[str], str]:
    model.Session.remove()
    shown = tk.get_action("harvest_source_show")(
        {"ignore_auth": True, "use_cache": False}, {"id": source["id"]}
    )
    found = tk.get_action("package_search")(
        {"ignore_auth": True}, {"fq": f'+harvest_source_id:"{source["id"]}"', "rows": 100}
    )
    page = BeautifulSoup(
        app.get(f"/harvest/{source['name']}", headers={"Authorization": token}).body, "html.parser"
    )
    sidebar = next(
        dt.find_next_sibling("dd").get_text(strip=True)
        for dt in page.select("dt")
        if dt.get_text(strip=True) == "Datasets"
    )
    return (
        shown["status"]["total_datasets"],
        found["count"],
        sorted(d["name"] for d in found["results"]),
        sidebar,
    )


def test_the_source_counts_lists_and_clears_every_dataset_it_publishes(
    generated: Path, make_source: Callable[..., dict[str, Any]], app: Any, sysadmin: dict[str, Any]
) -> None:
    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    source = make_source(source_config(generated))
    report = run_job(source["name"])
    assert report["statuses"] == {"published": 3}, [d["errors"] for d in report["days"]]
    # 3 days in 2 datasets (before: 3 from the API, one object a day; 1 on the page)
    assert counts(source, app, token) == (2, 2, NAMES, "2")
    # the per-day report lists days only
    assert [d["day"] for d in report["days"]] == ["2024-02-12", "2024-02-13", "2024-02-14"]

    # a restatement and a re-run link nothing twice
    run_job(source["name"])
    assert counts(source, app, token) == (2, 2, NAMES, "2")

    # sources whose days were published before the links existed are linked by the next job
    links = model.Session.query(HarvestObject).filter(
        HarvestObject.guid.startswith(state.LINK_PREFIX)
    )
    lv_id = tk.get_action("package_show")({"ignore_auth": True}, {"id": NAMES[0]})["id"]
    for obj in links:
        model.Session.delete(obj)
    for obj in model.Session.query(HarvestObject).filter(HarvestObject.current.is_(True)):
        obj.package_id = lv_id
    model.Session.commit()
    run_job(source["name"])
    assert counts(source, app, token) == (2, 2, NAMES, "2")

    tk.get_action("harvest_source_clear")({"user": sysadmin["name"]}, {"id": source["id"]})
    model.Session.remove()
    remaining = tk.get_action("package_search")(
        {"ignore_auth": True}, {"fq": "dataset_type:smart-meter", "rows": 10}
    )
    assert remaining["count"] == 0
