"""Search pages name applied filters and facet items in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import helpers

from . import data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _pills(body: str) -> list[str]:
    soup = BeautifulSoup(body, "html.parser")
    return [
        " ".join(p.get_text(" ", strip=True).split())
        for p in soup.select(".filter-list")
        if p.get_text(strip=True)
    ]


def test_a_filter_on_a_field_that_is_no_facet_is_named_in_words(app, sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    for url in ("/dataset/", "/smart-meter/"):
        body = app.get(url, query_string={"measures": "active_import"}).body
        assert _pills(body) == ["Measures: Active import (Wh)"], url
        assert "None:" not in body
    body = app.get(
        "/smart-meter/", query_string={"measures": "reactive_import", "licence_area": "SHEPD"}
    ).body
    assert _pills(body) == [
        "Measures: Reactive import (varh) Licence area: SHEPD (north of Scotland)"
    ]
    # a field of no schema keeps its value, with its name in words
    body = app.get("/dataset/", query_string={"res_format": "CSV", "some_field": "x_y"}).body
    assert _pills(body) == ["Formats: CSV Some field: x_y"]


@pytest.fixture
def harvest_source(
    sysadmin: dict[str, Any],
    org: dict[str, Any],
    ckan_config: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> dict[str, Any]:
    """A smart meter harvest source, run by hand (frequency MANUAL)."""
    monkeypatch.setitem(ckan_config, "ckanext.ssen_smartmeter.source_roots", str(tmp_path))
    for folder in ("reads", "topology"):
        (tmp_path / folder).mkdir()
    config = {
        "reads": str(tmp_path / "reads"),
        "reads_pattern": "{date}.parquet",
        "topology": str(tmp_path / "topology"),
        "licence_areas": ["SHEPD", "SEPD"],
        "first_date": "2024-02-01",
        "lag_days": 2,
        "threshold": 5,
    }
    source = helpers.call_action(
        "harvest_source_create",
        {"user": sysadmin["name"]},
        name="smart-meters",
        title="Smart meters",
        url=config["reads"],
        source_type="ssen_smartmeter",
        owner_org=org["id"],
        config=json.dumps(config),
        frequency="MANUAL",
    )
    model.Session.remove()
    return source


def test_the_harvest_page_facets_show_labels_not_stored_values(app, harvest_source):
    soup = BeautifulSoup(app.get("/harvest").body, "html.parser")
    items = {
        a.select_one(".item-label").text.strip()
        for a in soup.select("a[href*='frequency='], a[href*='source_type=']")
        if a.select_one(".item-label")
    }
    assert "Manual" in items and "MANUAL" not in items
    assert "ssen_smartmeter" not in items
    assert any("smart meter" in label.lower() for label in items), items
    body = app.get("/harvest", query_string={"frequency": "MANUAL"}).body
    assert _pills(body) == ["Frequency: Manual"]
