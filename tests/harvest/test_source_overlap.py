"""Two sources never write the same datasets: refused at create/update and at import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckanext.harvest.model import HarvestSource

from ckanext.ssen_smartmeter.harvest.harvester import load_config
from ckanext.ssen_smartmeter.harvest.source_config import shared_months
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_shared_months(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()

    def config(**keys: Any) -> Any:
        raw = {
            "reads": str(tmp_path / "r"),
            "reads_pattern": "{date}.csv",
            "topology": str(tmp_path / "r"),
            "licence_areas": ["SHEPD"],
            "first_date": "2024-01-15",
        }
        raw.update(keys)
        from ckanext.ssen_smartmeter.harvest.source_config import parse

        return parse(json.dumps(raw), [tmp_path])

    a = config(last_date="2024-02-03")
    assert shared_months(a, config(first_date="2024-02-20")) == ("2024-02", "2024-02")
    assert shared_months(a, config(first_date="2024-03-01")) is None
    assert shared_months(a, config(licence_areas=["SEPD"])) is None
    assert shared_months(a, config(licence_areas=["SHEPD", "SEPD"])) is None
    assert shared_months(config(), config(first_date="2025-06-30")) == ("2025-06", None)


def test_a_source_writing_anothers_datasets_is_refused_naming_it(
    generated: Path, make_source: Callable[..., dict[str, Any]], sysadmin: dict[str, Any]
) -> None:
    first = make_source(source_config(generated), name="meters-a")
    with pytest.raises(tk.ValidationError) as refused:
        make_source(source_config(generated, first_date="2024-02-14"), name="meters-b")
    assert refused.value.error_dict["config"] == [
        "harvest source 'meters-a' already publishes the datasets of licence areas SHEPD "
        "and SEPD for 2024-02 (e.g. smart-meter-lv-feeder-2024-02): two sources "
        "must not write the same datasets; change licence_areas, first_date or last_date, "
        "or change that source"
    ]
    # other areas, or other months: other datasets
    make_source(source_config(generated, licence_areas=["SHEPD"]), name="meters-shepd")
    later = make_source(
        source_config(generated, first_date="2024-03-01", last_date="2024-03-31"), name="later"
    )
    # an update of a source itself is fine; moving it onto another's months is not
    context = {"user": sysadmin["name"]}
    update = {
        "id": first["id"],
        "name": first["name"],
        "url": first["url"],
        "source_type": "ssen_smartmeter",
        "title": "Renamed",
        "frequency": "MANUAL",
        "config": json.dumps(source_config(generated)),
    }
    assert tk.get_action("harvest_source_update")(context, update)["title"] == "Renamed"
    moved = dict(
        update, id=later["id"], name=later["name"], config=json.dumps(source_config(generated))
    )
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("harvest_source_update")(context, moved)
    assert refused.value.error_dict["config"][0].startswith(
        "harvest source 'meters-a' already publishes"
    )


def test_the_source_form_shows_the_overlap(
    app: Any,
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    sysadmin: dict[str, Any],
    org: dict[str, Any],
) -> None:
    make_source(source_config(generated), name="meters-a")
    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    page = app.post(
        "/harvest/new",
        data={
            "name": "meters-b",
            "title": "B",
            "url": str(generated / "reads"),
            "source_type": "ssen_smartmeter",
            "owner_org": org["id"],
            "config": json.dumps(source_config(generated)),
            "frequency": "MANUAL",
            "save": "",
        },
        headers={"Authorization": token},
    )
    assert page.status_code == 200
    assert "harvest source &#39;meters-a&#39; already publishes" in page.body


def test_a_day_another_source_published_is_an_error_not_an_overwrite(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    first = make_source(source_config(generated, last_date=DAYS[0].isoformat()), name="meters-a")
    assert run_job(first["name"])["statuses"] == {"published": 1}
    lv = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-lv-feeder-2024-02"}
    )
    before = [(r["id"], r["sha256"], r["last_modified"]) for r in lv["resources"]]
    # a second source with the same datasets, as one created before the check existed
    second = make_source(source_config(generated, licence_areas=["SHEPD"]), name="meters-b")
    HarvestSource.get(second["id"]).config = json.dumps(source_config(generated))
    model.Session.commit()
    assert load_config(HarvestSource.get(second["id"]).config).licence_areas == ("SHEPD", "SEPD")

    report = run_job(second["name"])

    assert report["statuses"] == {"error": 3}
    assert report["days"][0]["errors"] == [
        f"{DAYS[0]}: dataset smart-meter-lv-feeder-2024-02 is published by harvest source "
        "'meters-a'; not overwritten (two sources must not write the same datasets)"
    ]
    lv = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-lv-feeder-2024-02"}
    )
    assert [(r["id"], r["sha256"], r["last_modified"]) for r in lv["resources"]] == before
