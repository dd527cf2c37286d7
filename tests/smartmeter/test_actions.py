"""The actions ssen_smartmeter_table_schema and ssen_smartmeter_load_profile."""

from __future__ import annotations

import pytest
from ckan.tests import helpers

from ckanext.ssen_smartmeter import table_schema

from . import data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_table_schema_action_for_both_levels(app):
    assert helpers.call_action("ssen_smartmeter_table_schema", level="lv_feeder") == (
        table_schema.for_level("lv_feeder")
    )
    got = app.get(
        "/api/3/action/ssen_smartmeter_table_schema",
        query_string={"level": "secondary_substation", "privacy_threshold": "7"},
    ).json
    assert got["result"] == table_schema.for_level("secondary_substation", 7)


def test_table_schema_action_refuses_an_unknown_level():
    with pytest.raises(helpers.logic.ValidationError) as info:
        helpers.call_action("ssen_smartmeter_table_schema", level="primary")
    assert info.value.error_dict == {
        "level": ["aggregation level must be one of lv_feeder, secondary_substation, got 'primary'"]
    }


@pytest.mark.parametrize(
    ("threshold", "error"),
    [("3", "privacy_threshold must be at least 5, got 3"), ("abc", "Must be a whole number")],
)
def test_table_schema_action_refuses_a_bad_threshold_under_its_own_name(app, threshold, error):
    got = app.get(
        "/api/3/action/ssen_smartmeter_table_schema",
        query_string={"level": "lv_feeder", "privacy_threshold": threshold},
        status=409,
    ).json
    assert got["error"]["privacy_threshold"] == [error]
    assert "level" not in got["error"]


@pytest.fixture
def with_parquet(sysadmin, org, upload_feeder_parquet):
    pkg = helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    upload_feeder_parquet(pkg["id"])
    return pkg


def test_load_profile_action_returns_only_published_values(app, with_parquet):
    got = app.get(
        "/api/3/action/ssen_smartmeter_load_profile",
        query_string={"id": with_parquet["name"], "unit": "000100200301"},
    ).json
    result = got["result"]
    assert (result["unit"], result["unit_name"], result["day"]) == (
        "000100200301",
        "Main Street",
        "2024-02-12",
    )
    assert (result["measure"], result["unit_of_measure"], result["privacy_threshold"]) == (
        "active",
        "Wh",
        5,
    )
    assert len(result["points"]) == 48
    assert result["points"][0] == {"period_end": "2024-02-12T00:30:00Z", "value": 1025}
    assert [p["value"] for p in result["points"][9:11]] == [None, None]


def test_load_profile_action_unknown_unit_and_private_dataset(app, sysadmin, with_parquet):
    got = app.get(
        "/api/3/action/ssen_smartmeter_load_profile",
        query_string={"id": with_parquet["name"], "unit": "nope"},
        status=404,
    ).json
    assert got["error"]["message"] == "Not found: No feeder nope in the file of 2024-02-12."
    helpers.call_action(
        "package_patch", {"user": sysadmin["name"]}, id=with_parquet["id"], private=True
    )
    app.get(
        "/api/3/action/ssen_smartmeter_load_profile",
        query_string={"id": with_parquet["name"]},
        status=403,
    )


def test_load_profile_action_refuses_repeated_parameters(app, with_parquet):
    got = app.get(
        "/api/3/action/ssen_smartmeter_load_profile?id="
        + with_parquet["name"]
        + "&measure=active&measure=reactive",
        status=409,
    ).json
    assert got["error"]["measure"] == ["Must be a single string"]


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ({"day": "2024-02-01"}, 404, "Not found: This dataset has no file for 2024-02-01."),
        ({"day": "garbage"}, 409, {"day": ["Must be a date (YYYY-MM-DD)"]}),
        ({"measure": "foo"}, 409, {"measure": ["Must be one of: active, reactive"]}),
    ],
)
def test_load_profile_action_refuses_a_day_without_a_file_and_unknown_values(
    app, with_parquet, query, status, error
):
    got = app.get(
        "/api/3/action/ssen_smartmeter_load_profile",
        query_string={"id": with_parquet["name"], **query},
        status=status,
    ).json
    if status == 404:
        assert got["error"]["message"] == error
    else:
        assert {k: v for k, v in got["error"].items() if k != "__type"} == error


def test_the_page_says_when_a_day_has_no_file(app, with_parquet):
    from bs4 import BeautifulSoup

    body = app.get(f"/smart-meter/{with_parquet['name']}", query_string={"day": "2024-02-01"}).body
    text = BeautifulSoup(body, "html.parser").select_one("#load-profile").get_text(" ", strip=True)
    assert "This dataset has no file for 2024-02-01." in text
