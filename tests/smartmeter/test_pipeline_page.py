"""The dataset page on a day made by the real pipeline: the chart shows only
values the file publishes, each from at least the threshold of meters."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from ckanext.ssen_smartmeter import table_schema
from ckanext.ssen_smartmeter.pipeline import AggregateConfig, aggregate_day, generate_day

from . import data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

DAY = dt.date(2024, 2, 12)
THRESHOLD = 30  # high enough that a small synthetic day has suppressed cells


@pytest.fixture(scope="module")
def published_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("pipeline")
    generated = generate_day(400, DAY, root / "in", seed=3, anomalies=True, threads=1)
    report = aggregate_day(
        reads=[str(p) for p in generated.reads],
        topology_dir=generated.topology_dir,
        day=DAY,
        out_dir=root / "out",
        config=AggregateConfig(
            threshold=THRESHOLD,
            dno_name="SSEN",
            dno_alias="SSEN",
            threads=1,
            published_at=dt.datetime(2024, 2, 14, 6, tzinfo=dt.UTC),
        ),
    )
    return root / "out" / "lv_feeder" / f"{DAY}.parquet", report.to_dict()


def test_chart_of_every_feeder_shows_only_published_values(
    app, sysadmin, org, create_with_upload, published_day
):
    path, report = published_day
    content = path.read_bytes()
    pkg = helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(org["id"], privacy_threshold=THRESHOLD, resources=[]),
    )
    res = data.resource(
        f"LV feeder, {DAY} (Parquet)",
        format="Parquet",
        sha256=hashlib.sha256(content).hexdigest(),
        table_schema=table_schema.as_json("lv_feeder", THRESHOLD),
        quality_report=json.dumps(report),
        units_published=report["feeders_published"],  # as the harvester fills it
    )
    res.pop("url")
    create_with_upload(
        content,
        f"lv_feeder_{DAY}.parquet",
        context={"user": sysadmin["name"]},
        package_id=pkg["id"],
        **res,
    )

    table = pq.read_table(path).to_pylist()
    published: dict[str, dict[str, int]] = {}
    for row in table:
        if row["total_consumption_active_import"] is not None:
            assert row["aggregated_device_count_active"] >= THRESHOLD
            when = row["data_collection_log_timestamp"].strftime("%Y-%m-%d %H:%M")
            published.setdefault(row["dataset_id"], {})[when] = row[
                "total_consumption_active_import"
            ]
    feeders = sorted({row["dataset_id"] for row in table})
    with_gaps = sorted(
        {r["dataset_id"] for r in table if r["total_consumption_active_import"] is None}
    )
    assert with_gaps, "the generated day should have suppressed cells"
    # feeders in the file with no published value at all (every half-hour
    # below the threshold; at this threshold, 15 of the 17): the page says so
    # instead of drawing an empty axis
    fully_suppressed = [f for f in feeders if f not in published]
    assert fully_suppressed, "the generated day should have a fully suppressed feeder"
    partly = [f for f in with_gaps if f in published]
    chosen = partly[:3] + [f for f in feeders if f not in with_gaps][:2]
    for feeder in fully_suppressed[:2]:
        body = app.get(f"/smart-meter/{pkg['name']}", query_string={"unit": feeder}).body
        soup = BeautifulSoup(body, "html.parser")
        assert soup.select_one("#load-profile svg") is None, feeder
        notice = soup.select_one(".ssen-load-profile-suppressed").get_text(" ", strip=True)
        assert f"Every half-hour of this feeder is suppressed (fewer than {THRESHOLD} meters" in (
            notice
        )
    for feeder in chosen:
        body = app.get(f"/smart-meter/{pkg['name']}", query_string={"unit": feeder}).body
        soup = BeautifulSoup(body, "html.parser")
        assert soup.select_one("#load-profile svg[role=img]") is not None, feeder
        shown = {}
        for tr in soup.select("#load-profile details tbody tr"):
            when, value = (td.text.strip() for td in tr.select("td"))
            if value == "suppressed":
                assert when not in published.get(feeder, {})
            else:
                shown[when] = int(value.replace(",", ""))
        assert shown == published.get(feeder, {}), feeder
    quality = BeautifulSoup(app.get(f"/smart-meter/{pkg['name']}").body, "html.parser")
    first = [td.text.strip() for td in quality.select(".ssen-quality-table tbody tr td")]
    assert first[0] == f"{report['rows_read']:,}"
    # the unit count is every feeder in the file, fully suppressed ones included,
    # and says so: "Feeders in file", not "Published"
    assert report["feeders_published"] == len(feeders) > len(published)
    assert first[4] == f"{len(feeders):,}"
    heads = [th.text.strip() for th in quality.select(".ssen-quality-table thead th")]
    assert heads[5] == "Feeders in file" and "Published" not in heads
