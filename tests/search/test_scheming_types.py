"""Scheming fields, multiple-choice facets and custom dataset types."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from .conftest import GRID_ASSET_SCHEMA, SCHEMING_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", SCHEMING_PLUGINS),
    pytest.mark.ckan_config(
        "scheming.dataset_schemas", f"{GRID_ASSET_SCHEMA} ckanext.scheming:ckan_dataset.yaml"
    ),
    pytest.mark.ckan_config("scheming.presets", "ckanext.scheming:presets.json"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def _asset(
    org: dict[str, Any], name: str, kinds: list[str], voltage: str, capacity: str
) -> dict[str, Any]:
    return helpers.call_action(
        "package_create",
        context={"user": org["_user"]},
        type="grid-asset",
        name=name,
        title=name.replace("-", " ").title(),
        owner_org=org["id"],
        asset_kinds=kinds,
        voltage=voltage,
        capacity_kva=capacity,
    )


@pytest.fixture
def assets() -> dict[str, Any]:
    user = factories.Sysadmin()
    org = factories.Organization(user=user)
    org["_user"] = user["name"]
    _asset(org, "north-feeders", ["feeder"], "lv", "500")
    _asset(org, "south-substations", ["substation", "feeder"], "hv", "1500")
    _asset(org, "east-meters", ["meter"], "lv", "40")
    factories.Dataset(owner_org=org["id"], name="plain-dataset", type="dataset")
    return org


def _search(**kwargs: Any) -> dict[str, Any]:
    return helpers.call_action("package_search", **kwargs)


def test_multiple_choice_values_facet_one_by_one(assets: dict[str, Any]) -> None:
    result = _search(fq="+dataset_type:grid-asset", **{"facet.field": '["asset_kinds", "voltage"]'})
    assert result["count"] == 3
    assert result["facets"]["asset_kinds"] == {"feeder": 2, "substation": 1, "meter": 1}
    assert result["facets"]["voltage"] == {"lv": 2, "hv": 1}


def test_facet_counts_follow_the_filter(assets: dict[str, Any]) -> None:
    result = _search(
        fq="+dataset_type:grid-asset +voltage:lv", **{"facet.field": '["asset_kinds"]'}
    )
    assert sorted(r["name"] for r in result["results"]) == ["east-meters", "north-feeders"]
    assert result["facets"]["asset_kinds"] == {"feeder": 1, "meter": 1}


def test_facet_limit_and_mincount(assets: dict[str, Any]) -> None:
    result = _search(
        fq="+dataset_type:grid-asset", **{"facet.field": '["asset_kinds"]', "facet.limit": 1}
    )
    assert result["facets"]["asset_kinds"] == {"feeder": 2}
    result = _search(
        fq="+dataset_type:grid-asset", **{"facet.field": '["asset_kinds"]', "facet.mincount": 2}
    )
    assert result["facets"]["asset_kinds"] == {"feeder": 2}


def test_filter_on_multiple_choice_and_numeric_range(assets: dict[str, Any]) -> None:
    result = _search(fq="asset_kinds:feeder")
    assert sorted(r["name"] for r in result["results"]) == ["north-feeders", "south-substations"]
    result = _search(fq="capacity_kva:[100 TO 2000]", sort="name asc")
    assert [r["name"] for r in result["results"]] == ["north-feeders", "south-substations"]
    result = _search(fq="capacity_kva:[* TO 100}")
    assert [r["name"] for r in result["results"]] == ["east-meters"]


def test_sort_on_a_scheming_field(assets: dict[str, Any]) -> None:
    # numbers kept in strings (scheming text fields) sort as numbers
    result = _search(fq="+dataset_type:grid-asset", sort="capacity_kva desc")
    assert [r["name"] for r in result["results"]] == [
        "south-substations",
        "north-feeders",
        "east-meters",
    ]


def test_free_text_reaches_scheming_values_through_extras(assets: dict[str, Any]) -> None:
    result = _search(q="substation")
    assert [r["name"] for r in result["results"]] == ["south-substations"]


def test_dataset_types_are_kept_apart(assets: dict[str, Any]) -> None:
    assert [r["name"] for r in _search(fq="+dataset_type:dataset")["results"]] == ["plain-dataset"]
    assert _search()["count"] == 4


def test_custom_type_list_page_shows_only_its_type(app: Any, assets: dict[str, Any]) -> None:
    response = app.get("/grid-asset/", query_string={"q": "north"})
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    links = {a["href"] for a in page.select(".dataset-heading a")}
    assert links == {"/grid-asset/north-feeders"}

    # ckan.search.show_all_types = dataset (the default): /dataset lists every type
    response = app.get("/dataset/")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert len(page.select(".dataset-heading a")) == 4


@pytest.mark.ckan_config("ckan.search.show_all_types", "false")
def test_dataset_page_can_keep_to_its_type(app: Any, assets: dict[str, Any]) -> None:
    response = app.get("/dataset/")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert {a["href"] for a in page.select(".dataset-heading a")} == {"/dataset/plain-dataset"}
