"""Pure: the Frictionless Table Schemas of the published files."""

from __future__ import annotations

import json

import pytest

from ckanext.ssen_smartmeter import field_rules, table_schema

LV_HEADER = (
    "dataset_id,dno_name,dno_alias,secondary_substation_id,secondary_substation_name,"
    "lv_feeder_id,lv_feeder_name,substation_geo_location,aggregated_device_count_active,"
    "primary_consumption_active_import,secondary_consumption_active_import,"
    "total_consumption_active_import,aggregated_device_count_reactive,"
    "total_consumption_reactive_import,data_collection_log_timestamp,insert_time,"
    "last_modified_time"
)


def test_lv_feeder_schema_has_the_17_columns_in_file_order():
    schema = table_schema.for_level("lv_feeder")
    assert [f["name"] for f in schema["fields"]] == LV_HEADER.split(",")
    assert schema["primaryKey"] == ["dataset_id", "data_collection_log_timestamp"]
    assert schema["missingValues"] == [""]


def test_substation_schema_drops_the_feeder_columns_and_keys_on_10_digits():
    schema = table_schema.for_level("secondary_substation")
    names = [f["name"] for f in schema["fields"]]
    assert len(names) == 15
    assert names == [n for n in LV_HEADER.split(",") if n not in ("lv_feeder_id", "lv_feeder_name")]
    assert schema["fields"][0]["constraints"] == {"required": True, "pattern": r"\d{10}"}
    assert table_schema.for_level("lv_feeder")["fields"][0]["constraints"]["pattern"] == r"\d{12}"


def test_types_units_and_threshold_constraint():
    schema = table_schema.for_level("lv_feeder", privacy_threshold=7)
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["total_consumption_active_import"]["type"] == "integer"
    assert fields["total_consumption_active_import"]["unit"] == "Wh"
    assert fields["total_consumption_reactive_import"]["unit"] == "varh"
    assert fields["data_collection_log_timestamp"]["type"] == "datetime"
    assert fields["data_collection_log_timestamp"]["format"] == "%Y-%m-%dT%H:%M:%S.%fZ"
    assert fields["aggregated_device_count_active"]["constraints"] == {"minimum": 7}
    assert fields["aggregated_device_count_reactive"]["constraints"] == {"minimum": 7}
    assert fields["dataset_id"]["type"] == "string"


def test_calls_do_not_share_state():
    first = table_schema.for_level("lv_feeder")
    first["fields"][7]["constraints"]["pattern"] = "changed"
    assert table_schema.for_level("lv_feeder")["fields"][7]["constraints"]["pattern"] != "changed"


def test_json_form_passes_the_resource_validator():
    text = table_schema.as_json("secondary_substation", 5)
    assert json.loads(field_rules.table_schema("table_schema", text)) == json.loads(text)


@pytest.mark.parametrize("level", ["primary", "LV_FEEDER", ""])
def test_unknown_level_is_refused(level):
    with pytest.raises(ValueError, match="aggregation level must be one of lv_feeder"):
        table_schema.for_level(level)


@pytest.mark.parametrize("threshold", [0, 3, 4])
def test_threshold_below_the_privacy_minimum_is_refused(threshold):
    with pytest.raises(ValueError, match=f"privacy_threshold must be at least 5, got {threshold}"):
        table_schema.for_level("lv_feeder", threshold)
    assert table_schema.for_level("lv_feeder", 5)["fields"]  # the minimum itself is fine
