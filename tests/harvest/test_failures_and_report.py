"""A bad day fails alone; bad configs are refused; the job page and action report days."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from ckanext.ssen_smartmeter.harvest.aggregate import WorkerResources, pipeline_config
from ckanext.ssen_smartmeter.harvest.cli import ssen_smartmeter
from ckanext.ssen_smartmeter.harvest.fetch import worker_resources
from ckanext.ssen_smartmeter.harvest.harvester import load_config
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_a_day_with_unusable_input_fails_alone(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    (generated / "reads" / f"{DAYS[1]}.parquet").write_bytes(b"PAR1 this is not parquet")
    source = make_source(source_config(generated))
    report = run_job(source["name"])

    by_day = {d["day"]: d for d in report["days"]}
    assert report["statuses"] == {"published": 2, "error": 1}
    bad = by_day[DAYS[1].isoformat()]
    assert bad["state"] == "ERROR" and bad["files_published"] == []
    (message,) = bad["errors"]
    # the file as the source names it, once (not its path on this machine, twice)
    assert message == (
        f"{DAYS[1]}: input unusable: {DAYS[1]}.parquet: not a readable "
        "Parquet file: Invalid Input Error: No magic bytes found at end of file"
    )
    dataset = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-lv-feeder-2024-02"}
    )
    assert sorted({r["period_start"] for r in dataset["resources"]}) == [
        DAYS[0].isoformat(),
        DAYS[2].isoformat(),
    ]

    # the harvest job report (ckanext-harvest) carries the same object error
    harvest_report = tk.get_action("harvest_job_report")(
        {"ignore_auth": True}, {"id": report["job_id"]}
    )
    errors = [e["message"] for o in harvest_report["object_errors"].values() for e in o["errors"]]
    assert errors == [message]

    # once the input is repaired, the next run publishes that day only
    from ckanext.ssen_smartmeter.pipeline import generate_day

    generate_day(400, DAYS[1], generated, seed=7)
    assert run_job(source["name"])["statuses"] == {"published": 1}


@pytest.mark.ckan_config("ckanext.ssen_smartmeter.harvest_memory_limit", "lots")
def test_the_site_memory_limit_reaches_the_pipeline(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    source = make_source(source_config(generated))
    report = run_job(source["name"])
    assert report["statuses"] == {"error": 3}
    for day in report["days"]:
        (message,) = day["errors"]
        assert message.endswith(
            "configuration, column memory_limit: 'lots' is not a memory size "
            "(for example 2GB or 800MB)"
        )


@pytest.mark.ckan_config("ckanext.ssen_smartmeter.harvest_memory_limit", "800MB")
@pytest.mark.ckan_config("ckanext.ssen_smartmeter.harvest_threads", "1")
def test_the_worker_resources_come_from_the_site_config(generated: Path) -> None:
    resources = worker_resources()
    assert resources == WorkerResources(memory_limit="800MB", threads=1)
    config = pipeline_config(
        load_config(json.dumps(source_config(generated))), dt.datetime(2024, 3, 1), resources
    )
    assert (config.memory_limit, config.threads) == ("800MB", 1)


def test_by_default_a_worker_uses_2gb_and_every_core() -> None:
    assert worker_resources() == WorkerResources(memory_limit="2GB", threads=None)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"reads": "/etc"}, "reads: '/etc' is outside the allowed source roots"),
        ({"threshold": 3}, "threshold: must be at least 5, got 3"),
        ({"organisation": "no-such-org"}, "organisation: 'no-such-org' does not exist"),
        ({"lag_days": 0, "formats": ["pdf"]}, "lag_days: must be at least 1, got 0"),
    ],
)
def test_bad_source_configs_are_refused_with_their_message(
    generated: Path,
    make_source: Callable[..., dict[str, Any]],
    overrides: dict[str, Any],
    fragment: str,
) -> None:
    with pytest.raises(tk.ValidationError) as info:
        make_source(source_config(generated, **overrides))
    (message,) = info.value.error_dict["config"]
    assert fragment in message


def test_the_source_form_shows_the_config_messages(
    generated: Path, app: Any, sysadmin: dict[str, Any], org: dict[str, Any]
) -> None:
    config = source_config(generated, threshold=2, timezone="Atlantis/Capital")
    response = app.post(
        "/harvest/new",
        data={
            "name": "bad-source",
            "title": "Bad",
            "url": config["reads"],
            "source_type": "ssen_smartmeter",
            "config": json.dumps(config),
            "frequency": "MANUAL",
            "owner_org": org["id"],
            "save": "",
        },
        headers={
            "Authorization": tk.get_action("api_token_create")(
                {"user": sysadmin["name"], "ignore_auth": True},
                {"user": sysadmin["name"], "name": "t"},
            )["token"]
        },
    )
    text = BeautifulSoup(response.body, "html.parser").get_text(" ")
    assert "threshold: must be at least 5, got 2" in text
    assert "timezone: 'Atlantis/Capital' is not an IANA time zone" in text


def test_job_report_action_cli_and_job_page_agree(
    generated: Path, make_source: Callable[..., dict[str, Any]], app: Any, sysadmin: dict[str, Any]
) -> None:
    source = make_source(source_config(generated))
    report = run_job(source["name"])
    action = tk.get_action("ssen_smartmeter_job_report")(
        {"user": sysadmin["name"]}, {"id": report["job_id"]}
    )
    assert action == report
    day = action["days"][0]
    assert day["rows_read"] == day["rows_accepted"] + day["rows_rejected"] > 0
    assert day["files_published"] == [
        f"lv_feeder_{DAYS[0]}.csv",
        f"lv_feeder_{DAYS[0]}.parquet",
        f"secondary_substation_{DAYS[0]}.csv",
        f"secondary_substation_{DAYS[0]}.parquet",
    ]
    assert action["totals"]["files_published"] == 12

    result = CliRunner().invoke(ssen_smartmeter, ["report", report["job_id"], "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == action

    with pytest.raises(tk.NotAuthorized):
        tk.get_action("ssen_smartmeter_job_report")({"user": ""}, {"id": report["job_id"]})

    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    page = app.get(
        f"/harvest/{source['name']}/job/{report['job_id']}", headers={"Authorization": token}
    )
    soup = BeautifulSoup(page.body, "html.parser")
    rows = soup.select("#ssen-job-days tbody tr")
    assert [r["data-day"] for r in rows] == [d.isoformat() for d in DAYS]
    for row, expected in zip(rows, action["days"], strict=True):
        assert row["data-status"] == "published"
        # counts with thousands separators, as on the dataset page
        assert row.select_one(".rows-read").get_text(strip=True) == f"{expected['rows_read']:,}"
        assert "," in row.select_one(".rows-read").get_text(strip=True)
        assert (
            row.select_one(".cells-p1").get_text(strip=True)
            == f"{expected['cells_suppressed_p1']:,}"
        )
        assert (
            row.select_one(".cells-p2").get_text(strip=True)
            == f"{expected['cells_suppressed_p2']:,}"
        )
        assert len(row.select(".files div")) == 4


def test_an_import_interrupted_between_levels_is_completed_without_duplicates(
    generated: Path, make_source: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ckanext.ssen_smartmeter.harvest import publish

    real = publish.publish_level

    def dies_on_substations(config: Any, level: str, *args: Any, **kwargs: Any) -> Any:
        if level == "secondary_substation":
            raise RuntimeError("process died")
        return real(config, level, *args, **kwargs)

    source = make_source(source_config(generated, last_date=DAYS[0].isoformat()))
    monkeypatch.setattr(publish, "publish_level", dies_on_substations)
    broken = run_job(source["name"])
    assert broken["statuses"] == {"error": 1}
    lv = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-lv-feeder-2024-02"}
    )
    first = {r["id"]: (r["sha256"], r["quality_report"]["published_at"]) for r in lv["resources"]}
    assert len(first) == 2

    monkeypatch.setattr(publish, "publish_level", real)
    time.sleep(1.1)  # a new attempt would otherwise get the same whole-second time
    fixed = run_job(source["name"])
    assert fixed["statuses"] == {"published": 1}
    lv = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-lv-feeder-2024-02"}
    )
    # same resources, same bytes (the interrupted attempt's publication time is reused)
    assert {
        r["id"]: (r["sha256"], r["quality_report"]["published_at"]) for r in lv["resources"]
    } == first
    ss = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-secondary-substation-2024-02"}
    )
    assert len(ss["resources"]) == 2


def test_an_interrupted_synchronous_run_closes_its_job(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> None:
    from ckanext.harvest.model import HarvestJob

    source = make_source(source_config(generated))

    def stop(obj: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_job(source["name"], on_object=stop)
    jobs = tk.get_action("harvest_job_list")({"ignore_auth": True}, {"source_id": source["id"]})
    assert [HarvestJob.get(j["id"]).status for j in jobs] == ["Finished"]
    again = run_job(source["name"])
    assert again["statuses"] == {"published": 2}
    assert [d["day"] for d in again["days"]] == [DAYS[1].isoformat(), DAYS[2].isoformat()]


def test_the_harvested_datasets_and_the_source_pages_render(
    generated: Path, make_source: Callable[..., dict[str, Any]], app: Any, sysadmin: dict[str, Any]
) -> None:
    source = make_source(source_config(generated, last_date=DAYS[0].isoformat()))
    run_job(source["name"])
    page = app.get("/dataset/smart-meter-lv-feeder-2024-02")
    assert page.status_code == 200
    assert f"LV feeder, {DAYS[0]} (CSV)" in page.body
    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    for url in (
        f"/harvest/{source['name']}",
        f"/harvest/{source['name']}/job",
        f"/harvest/admin/{source['name']}",
    ):
        assert app.get(url, headers={"Authorization": token}).status_code == 200, url


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (
            ["restate", "smart-meters", "--date", "2024-01-31"],
            "cannot restate 2024-01-31: before the source's first day (2024-02-12)",
        ),
        (
            ["harvest", "smart-meters", "--date", "2099-01-01", "--unbounded"],
            "cannot harvest 2099-01-01: not ready yet (a day is published once it is 2 day(s) old;",
        ),
        (
            ["harvest", "smart-meters", "--from", "2024-02-15", "--to", "2024-02-20"],
            "cannot harvest 2024-02-15 to 2024-02-20: after the source's last day (2024-02-14)",
        ),
    ],
)
def test_days_the_source_cannot_work_on_are_refused_without_a_job(
    generated: Path, make_source: Callable[..., dict[str, Any]], command: list[str], line: str
) -> None:
    config = source_config(generated)
    if "--unbounded" in command:  # a source without last_date
        command.remove("--unbounded")
        del config["last_date"]
    source = make_source(config)
    result = CliRunner().invoke(ssen_smartmeter, command)
    assert result.exit_code == 1
    (message,) = result.output.splitlines()
    assert message.startswith(f"Error: source 'smart-meters': {line}")
    assert (
        tk.get_action("harvest_job_list")({"ignore_auth": True}, {"source_id": source["id"]}) == []
    )


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ("", 409, "Missing value"),
        ("?id=", 409, "Missing value"),
        ("?id=no-such-job", 404, "harvest job no-such-job not found"),
    ],
)
def test_job_report_api_errors_name_the_problem(
    app: Any, sysadmin: dict[str, Any], params: str, status: int, message: str
) -> None:
    token = tk.get_action("api_token_create")(
        {"user": sysadmin["name"], "ignore_auth": True}, {"user": sysadmin["name"], "name": "t"}
    )["token"]
    response = app.get(
        f"/api/3/action/ssen_smartmeter_job_report{params}",
        headers={"Authorization": token},
        status=status,
    )
    error = response.json["error"]
    assert message in json.dumps(error)
