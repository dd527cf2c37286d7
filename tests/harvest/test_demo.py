"""The quick start's demo loader: a generated week, published, idempotent."""

from __future__ import annotations

from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.ssen_smartmeter.harvest.demo import SOURCE_NAME, load_demo

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_load_demo_publishes_a_week_once(harvest_config: Path) -> None:
    admin = factories.Sysadmin(name="admin")
    factories.Organization(name="ssen", users=[{"name": admin["name"], "capacity": "admin"}])

    lines = load_demo(harvest_config, "ssen")
    assert lines[0].startswith("generated 7 day(s) of reads of 2000 meters")
    assert lines[1] == f"created harvest source {SOURCE_NAME} for organisation ssen"
    assert lines[2] == "harvested 7 day(s) (7 published): 28 files published"
    found = tk.get_action("package_search")(
        {"ignore_auth": True}, {"fq": "dataset_type:smart-meter", "rows": 10}
    )
    lv = [d for d in found["results"] if d["aggregation_level"] == "lv_feeder"]
    assert sum(len(d["resources"]) for d in lv) == 14
    assert {d["organization"]["name"] for d in found["results"]} == {"ssen"}

    source = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": SOURCE_NAME})
    jobs = tk.get_action("harvest_job_list")({"ignore_auth": True}, {"source_id": source["id"]})
    assert len(jobs) == 1

    # a second load (a re-run of the quick start) adds nothing, not even an empty job
    assert load_demo(harvest_config, "ssen") == []
    assert (
        tk.get_action("harvest_job_list")({"ignore_auth": True}, {"source_id": source["id"]})
        == jobs
    )


def test_load_demo_refuses_a_folder_outside_the_roots(harvest_config: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"not under ckanext\.ssen_smartmeter\.source_roots"):
        load_demo(tmp_path / "elsewhere", "ssen")
