"""Action API: create, update and show with every field; each bad value refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.ssen_smartmeter import table_schema

from . import data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _create(sysadmin: dict[str, Any], pkg: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("package_create", {"user": sysadmin["name"]}, **pkg)


def _errors(sysadmin: dict[str, Any], pkg: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(helpers.logic.ValidationError) as info:
        _create(sysadmin, pkg)
    return info.value.error_dict


def test_create_and_show_every_field(sysadmin, org):
    sent = data.dataset(org["id"])
    _create(sysadmin, copy.deepcopy(sent))
    shown = helpers.call_action("package_show", id=sent["name"])

    plain = (
        "title notes author author_email maintainer maintainer_email contributor date "
        "dcmi_type source language relation version license_id data_classification "
        "frequency ib1_trust_framework ib1_sensitivity_class ib1_dataset_assurance "
        "aggregation_level licence_area period temporal_coverage_start "
        "temporal_coverage_end spatial_text roadmap_status roadmap_planned_release "
        "roadmap_actual_release roadmap_category use_cases roadmap_note"
    ).split()
    for field in plain:
        assert shown[field] == sent[field], field
    assert shown["type"] == "smart-meter"
    assert shown["owner_org"] == org["id"]
    assert sorted(t["name"] for t in shown["tags"]) == ["consumption", "smart meter"]
    assert shown["doi"] == "10.5281/zenodo.1234567"
    assert json.loads(shown["spatial"])["type"] == "Polygon"
    assert shown["meters_represented"] == 1234
    assert shown["privacy_threshold"] == 5
    assert shown["measures"] == ["active_import", "reactive_import"]
    assert shown["target_audience"] == ["academia_research", "local_government"]

    (res,) = shown["resources"]
    sent_res = sent["resources"][0]
    for field in "name url format period_start period_end sha256".split():
        assert res[field] == sent_res[field], field
    for field in "row_count units_published cells_suppressed_p1 cells_suppressed_p2".split():
        assert res[field] == sent_res[field], field
    assert res["table_schema"] == table_schema.for_level("lv_feeder", 5)
    assert res["quality_report"] == data.quality_report()


def test_update_changes_fields(sysadmin, org):
    pkg = _create(sysadmin, data.dataset(org["id"]))
    pkg.update(
        licence_area="both",
        frequency="monthly",
        measures="active_import",
        privacy_threshold="10",
        temporal_coverage_end="2024-02-15",
        target_audience=["regulatory_bodies"],
    )
    pkg["resources"][0]["row_count"] = "48"
    helpers.call_action("package_update", {"user": sysadmin["name"]}, **pkg)
    shown = helpers.call_action("package_show", id=pkg["id"])
    assert shown["licence_area"] == "both"
    assert shown["frequency"] == "monthly"
    assert shown["measures"] == ["active_import"]
    assert shown["privacy_threshold"] == 10
    assert shown["temporal_coverage_end"] == "2024-02-15"
    assert shown["target_audience"] == ["regulatory_bodies"]
    assert shown["resources"][0]["row_count"] == 48


def test_defaults_and_computed_fields_sent_are_ignored(sysadmin, org):
    pkg = data.dataset(org["id"], last_data_update="1999-01-01", is_up_to_date=False)
    for field in ("dcmi_type", "language", "data_classification"):
        pkg.pop(field)
    shown = _create(sysadmin, pkg)
    assert (shown["dcmi_type"], shown["language"], shown["data_classification"]) == (
        "Dataset",
        "en",
        "open",
    )
    assert shown["last_data_update"] != "1999-01-01"
    assert shown["last_data_update"] is not None


BAD_DATASET_VALUES = [
    (
        "frequency",
        "fortnightly",
        "frequency must be one of as_needed, not_planned, annually, biannually, quarterly, "
        "monthly, weekly, daily, hourly; got 'fortnightly'",
    ),
    ("frequency", "", "frequency is required"),
    ("aggregation_level", "", "aggregation_level is required"),
    ("licence_area", "", "licence_area is required"),
    (
        "aggregation_level",
        "primary",
        "aggregation_level must be one of lv_feeder, secondary_substation; got 'primary'",
    ),
    ("licence_area", "SPEN", "licence_area must be one of SHEPD, SEPD, both; got 'SPEN'"),
    (
        "data_classification",
        "secret",
        "data_classification must be one of open, shared, closed; got 'secret'",
    ),
    (
        "ib1_sensitivity_class",
        "IB1-X",
        "ib1_sensitivity_class must be one of IB1-O, IB1-SA, IB1-SB; got 'IB1-X'",
    ),
    (
        "ib1_dataset_assurance",
        "5",
        "ib1_dataset_assurance must be one of "
        "IcebreakerOne.DatasetLevel1, IcebreakerOne.DatasetLevel2, IcebreakerOne.DatasetLevel3, "
        "IcebreakerOne.DatasetLevel4; got '5'",
    ),
    (
        "ib1_trust_framework",
        "http://example.invalid",
        "ib1_trust_framework must be one of http://open-energy.registry.ib1.org, "
        "http://general.registry.ib1.org; got 'http://example.invalid'",
    ),
    ("language", "fr", "language must be one of en, cy, gd; got 'fr'"),
    (
        "dcmi_type",
        "Image",
        "dcmi_type must be one of Dataset, Collection, Text, Software, Service; got 'Image'",
    ),
    (
        "measures",
        ["active_import", "voltage"],
        "measures must be chosen from active_import, reactive_import; got 'voltage'",
    ),
    ("period", "2024-13", "period must be a month as YYYY-MM, got '2024-13'"),
    (
        "period",
        "2024-03",
        "temporal_coverage_start (2024-02-01) must lie within period "
        "2024-03 (2024-03-01 to 2024-03-31)",
    ),
    (
        "temporal_coverage_start",
        "01/02/2024",
        "temporal_coverage_start must be an ISO date (YYYY-MM-DD), got '01/02/2024'",
    ),
    (
        "temporal_coverage_end",
        "2024-02-30",
        "temporal_coverage_end must be an ISO date (YYYY-MM-DD), got '2024-02-30'",
    ),
    (
        "temporal_coverage_end",
        "2024-01-31",
        "temporal_coverage_end must be on or after temporal_coverage_start "
        "(2024-01-31 is before 2024-02-01)",
    ),
    ("date", "yesterday", "date must be an ISO date (YYYY-MM-DD), got 'yesterday'"),
    ("meters_represented", "-3", "meters_represented must be a whole number >= 0, got '-3'"),
    ("meters_represented", "many", "meters_represented must be a whole number >= 0, got 'many'"),
    (
        "privacy_threshold",
        4,
        "privacy_threshold must be at least 5 meters (the privacy rule), got 4",
    ),
    (
        "privacy_threshold",
        "five",
        "privacy_threshold must be a whole number of meters, at least 5 (the privacy rule), "
        "got 'five'",
    ),
    ("doi", "zenodo-1234", "doi must be a DOI like 10.1234/abcd, got 'zenodo-1234'"),
    (
        "spatial",
        '{"type": "Circle"}',
        "spatial must be GeoJSON with a geometry type, got type 'Circle'",
    ),
    (
        "spatial",
        "north",
        "spatial must be a JSON object, got 'north' (not JSON: Expecting value at character 1)",
    ),
]


# validation happens before anything is written or indexed: no organisation needed
unowned = pytest.mark.usefixtures("unowned_datasets")


@unowned
@pytest.mark.parametrize(("field", "value", "message"), BAD_DATASET_VALUES)
def test_bad_dataset_value_is_refused_with_its_message(sysadmin, field, value, message):
    pkg = data.dataset("", **{field: value})
    if field == "period" and value == "2024-03":
        errors = _errors(sysadmin, pkg)
        assert errors == {
            "period": [
                message,
                message.replace(
                    "temporal_coverage_start (2024-02-01)", "temporal_coverage_end (2024-02-29)"
                ),
            ]
        }
        return
    if field in ("temporal_coverage_start", "temporal_coverage_end"):
        pkg["period"] = ""
    assert _errors(sysadmin, pkg) == {field: [message]}


BAD_RESOURCE_VALUES = [
    ("period_start", "2024-2-12", "period_start must be an ISO date (YYYY-MM-DD), got '2024-2-12'"),
    (
        "period_end",
        "2024-02-11",
        "period_end must be on or after period_start (2024-02-11 is before 2024-02-12)",
    ),
    ("row_count", "1.5", "row_count must be a whole number >= 0, got '1.5'"),
    ("units_published", -1, "units_published must be a whole number >= 0, got -1"),
    ("cells_suppressed_p1", "x", "cells_suppressed_p1 must be a whole number >= 0, got 'x'"),
    ("cells_suppressed_p2", True, "cells_suppressed_p2 must be a whole number >= 0, got True"),
    ("sha256", "abc", "sha256 must be 64 hexadecimal characters (SHA-256), got 'abc'"),
    ("table_schema", '{"fields": []}', "table_schema must have a non-empty list 'fields'"),
    (
        "table_schema",
        '{"fields": [{"name": "a", "type": "money"}]}',
        "table_schema: column 'a' has unknown type 'money'",
    ),
    ("table_schema", "[1]", "table_schema must be a JSON object, got list"),
    ("quality_report", '{"rows_read": 10}', "quality_report must give rows_accepted"),
    (
        "quality_report",
        '{"rows_read": 10, "rows_accepted": 11}',
        "quality_report: rows_accepted cannot exceed rows_read",
    ),
    (
        "quality_report",
        '{"rows_read": 10, "rows_accepted": 9, "rejected": {"dup": -1}}',
        "quality_report.rejected.dup must be a whole number >= 0, got -1",
    ),
]


@unowned
@pytest.mark.parametrize(("field", "value", "message"), BAD_RESOURCE_VALUES)
def test_bad_resource_value_is_refused_with_its_message(sysadmin, field, value, message):
    pkg = data.dataset("", resources=[data.resource(**{field: value})])
    assert _errors(sysadmin, pkg) == {"resources": [{field: [message]}]}


@unowned
def test_unknown_audience_is_refused(sysadmin):
    errors = _errors(sysadmin, data.dataset("", target_audience=["aliens"]))
    assert list(errors) == ["target_audience"]
    # the roadmap preset's ssen_roadmap_choices: scheming's storage, a message
    # that says what is allowed
    (message,) = errors["target_audience"]
    assert message.startswith('Unknown value "aliens": use one of: academia_research, ')


@unowned
def test_plain_dataset_update_frequency_says_what_it_accepts(sysadmin):
    """The plain ``dataset`` type's choice field reads like the others (no Python list)."""
    base = {"type": "dataset", "name": "plain-frequency", "title": "Plain"}
    with pytest.raises(helpers.logic.ValidationError) as info:
        helpers.call_action(
            "package_create", {"user": sysadmin["name"]}, **base, update_frequency="sometimes"
        )
    (message,) = info.value.error_dict["update_frequency"]
    assert message.startswith("update_frequency must be one of real_time, daily, weekly")
    assert message.endswith("got 'sometimes'") and "[" not in message
    created = helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **base, update_frequency=""
    )
    assert created.get("update_frequency") in (None, "")
