"""ssen_roadmap_list, the release validator and publication on first resource."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("roadmap_ready")


def test_list_returns_items_in_timeline_order_with_their_fields(make_item) -> None:
    make_item(name="later", title="Later", roadmap_planned_release="2027-Q1",
              use_cases="Modelling\nPlanning", roadmap_note="Needs a licence review")  # fmt: skip
    make_item(name="sooner", title="Sooner", roadmap_planned_release="2026-04-02")
    result = helpers.call_action("ssen_roadmap_list", {"user": ""})
    assert result["count"] == 2
    assert [i["name"] for i in result["items"]] == ["sooner", "later"]
    later = result["items"][1]
    # One item, one place on the timeline, named both ways without ambiguity.
    assert later["planned_release"] == "2027-Q1"
    assert "quarter" not in later
    assert later["calendar_quarter"] == "2027-Q1"
    assert later["financial_year"] == "FY2026/27"
    assert later["financial_quarter"] == "Q4 FY2026/27"
    assert later["quarter_label"] == "Jan–Mar 2027 (Q4 FY2026/27)"
    assert later["use_cases"] == ["Modelling", "Planning"]
    assert later["note"] == "Needs a licence review"
    assert later["target_audience"] == ["consultancies"]
    assert later["url"] == "http://test.ckan.net/dataset/later"
    assert result["status_counts"]["planned"] == 2


def test_list_filters_and_pages(make_item) -> None:
    make_item(name="one", roadmap_status="published", roadmap_actual_release="2025-02-01")
    make_item(name="two", roadmap_category="legal_requirement")
    make_item(name="three", target_audience=["regulatory_bodies", "consultancies"])

    def names(**kw):
        return [i["name"] for i in helpers.call_action("ssen_roadmap_list", **kw)["items"]]

    assert names(status="published") == ["one"]
    assert names(status=["planned", "published"], category="legal_requirement") == ["two"]
    assert names(audience="Regulatory Bodies") == ["three"]
    assert names(status="planned,in_development", limit=1) == ["two"] or names(
        status="planned,in_development", limit=1
    ) == ["three"]
    assert len(names(limit=2, offset=1)) == 2


def test_list_refuses_unknown_filter_values() -> None:
    with pytest.raises(tk.ValidationError) as info:
        helpers.call_action("ssen_roadmap_list", status="someday", category="nope")
    assert info.value.error_dict == {
        "status": [
            'Unknown status "someday": use one of: planned, in_development, published, retired'
        ],
        "category": [
            'Unknown category "nope": use one of: retrospective, prospective, '
            "stakeholder_request, legal_requirement, future_looking"
        ],
    }
    # A known value next to an unknown one does not hide the unknown one.
    with pytest.raises(tk.ValidationError) as info:
        helpers.call_action("ssen_roadmap_list", status="planned,nonsense")
    assert list(info.value.error_dict) == ["status"]
    assert info.value.error_dict["status"][0].startswith('Unknown status "nonsense": use one of:')


def test_list_refuses_unknown_parameters_and_bad_counts() -> None:
    """A misspelt parameter is an error naming it and what is accepted, not a
    silently unfiltered list; limit and offset are reported under their own
    names, never as a Python list."""
    with pytest.raises(tk.ValidationError) as info:
        helpers.call_action("ssen_roadmap_list", stauts="planned")
    assert info.value.error_dict == {
        "stauts": ['Unknown parameter "stauts": use one of: status, audience, category, '
                   "limit, offset"]
    }  # fmt: skip
    with pytest.raises(tk.ValidationError) as info:
        helpers.call_action("ssen_roadmap_list", limit="many", offset=-1)
    assert info.value.error_dict == {
        "limit": ['Must be a whole number, 0 or more; got "many"'],
        "offset": ['Must be a whole number, 0 or more; got "-1"'],
    }
    assert helpers.call_action("ssen_roadmap_list", limit="0", offset="0")["items"] == []


def test_the_api_answers_409_naming_the_parameter(app) -> None:
    for query, key, start in (
        ("status=nonsense", "status", 'Unknown status "nonsense": use one of: planned, '),
        ("colour=red", "colour", 'Unknown parameter "colour": use one of: status, '),
        ("offset=1.5", "offset", 'Must be a whole number, 0 or more; got "1.5"'),
    ):
        response = app.get(f"/api/3/action/ssen_roadmap_list?{query}")
        assert response.status_code == 409, query
        error = response.json["error"]
        assert error["__type"] == "Validation Error"
        assert list(error) == [key, "__type"] or set(error) == {key, "__type"}
        assert error[key][0].startswith(start), error
        assert "[" not in error[key][0]
    # JSONP's callback is CKAN's own parameter, not a filter.
    assert app.get("/api/3/action/ssen_roadmap_list?callback=f").status_code == 200


def test_list_hides_private_items_from_outsiders(app, make_item) -> None:
    make_item(name="hidden", private=True)
    make_item(name="shown")
    outsider = factories.User()
    names = lambda user: [  # noqa: E731
        i["name"]
        for i in helpers.call_action("ssen_roadmap_list", {"user": user, "ignore_auth": False})[
            "items"
        ]
    ]
    assert names(outsider["name"]) == ["shown"]
    assert names("") == ["shown"]
    assert sorted(names("org-admin")) == ["hidden", "shown"]
    # A trusted internal call (ignore_auth) sees all, without leaking into the cache.
    assert len(helpers.call_action("ssen_roadmap_list", {"user": outsider["name"]})["items"]) == 2
    assert names(outsider["name"]) == ["shown"]
    response = app.get("/api/3/action/ssen_roadmap_list?status=planned")
    assert response.status_code == 200
    assert [i["name"] for i in response.json["result"]["items"]] == ["shown"]


def test_planned_release_is_validated_and_normalised(make_item) -> None:
    item = make_item(name="quarterly", roadmap_planned_release="q4 2026")
    assert item["roadmap_planned_release"] == "2026-Q4"
    with pytest.raises(tk.ValidationError) as info:
        make_item(name="bad", roadmap_planned_release="next spring")
    assert info.value.error_dict["roadmap_planned_release"] == [
        '"next spring" is neither a date (YYYY-MM-DD) nor a quarter (YYYY-Qn)'
    ]


def test_choice_fields_list_what_is_allowed_in_words(make_item) -> None:
    """Not scheming's ``Value must be one of ['planned', ...]`` (a Python list)
    nor a bare ``unexpected choice``: the allowed codes, comma-separated."""
    with pytest.raises(tk.ValidationError) as info:
        make_item(name="bad-status", roadmap_status="someday")
    assert info.value.error_dict["roadmap_status"] == [
        'Value must be one of: planned, in_development, published, retired; got "someday"'
    ]
    with pytest.raises(tk.ValidationError) as info:
        make_item(name="bad-category", roadmap_category="whim")
    assert info.value.error_dict["roadmap_category"][0].startswith(
        "Value must be one of: retrospective, prospective, stakeholder_request, "
    )
    with pytest.raises(tk.ValidationError) as info:
        make_item(name="bad-audience", target_audience=["consultancies", "martians"])
    message = info.value.error_dict["target_audience"][0]
    assert message.startswith('Unknown value "martians": use one of: academia_research, ')
    assert message.endswith(", flexibility_service_providers") and "[" not in message
    # Good values are stored as before (a list, in the preset's order).
    item = make_item(name="good", roadmap_status="retired",
                     target_audience=["regulatory_bodies", "consultancies"])  # fmt: skip
    assert item["roadmap_status"] == "retired"
    assert item["target_audience"] == ["consultancies", "regulatory_bodies"]
    assert make_item(name="one-audience", target_audience="consultancies")["target_audience"] == [
        "consultancies"
    ]


def test_first_resource_publishes_a_planned_dataset(make_item, org_admin) -> None:
    dataset = make_item(name="soon", roadmap_status="in_development")
    assert dataset["roadmap_status"] == "in_development"
    assert not dataset.get("roadmap_actual_release")
    helpers.call_action(
        "resource_create", {"user": org_admin["name"]},
        package_id=dataset["id"], url="https://example.org/data.csv", name="Data",
    )  # fmt: skip
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["roadmap_status"] == "published"
    assert shown["roadmap_actual_release"] == dt.date.today().isoformat()
    # A later resource leaves status and date alone.
    helpers.call_action(
        "package_patch", {"user": org_admin["name"]}, id=dataset["id"],
        roadmap_actual_release="2026-01-31",
    )  # fmt: skip
    helpers.call_action(
        "resource_create", {"user": org_admin["name"]},
        package_id=dataset["id"], url="https://example.org/more.csv",
    )  # fmt: skip
    assert helpers.call_action("package_show", id=dataset["id"])["roadmap_actual_release"] == (
        "2026-01-31"
    )


def test_publication_through_package_update_and_create(make_item, org_admin, org) -> None:
    dataset = make_item(name="harvested")
    full = helpers.call_action("package_show", id=dataset["id"])
    full["resources"] = [{"url": "https://example.org/h.parquet", "format": "Parquet"}]
    updated = helpers.call_action("package_update", {"user": org_admin["name"]}, **full)
    assert updated["roadmap_status"] == "published"
    created = helpers.call_action(
        "package_create", {"user": org_admin["name"]}, name="born-with-data", owner_org=org["id"],
        resources=[{"url": "https://example.org/x.csv"}],
    )  # fmt: skip
    assert created["roadmap_status"] == "published"
    assert created["roadmap_actual_release"] == dt.date.today().isoformat()
    retired = make_item(name="old", roadmap_status="retired")
    helpers.call_action(
        "resource_create", {"user": org_admin["name"]}, package_id=retired["id"],
        url="https://example.org/y.csv",
    )  # fmt: skip
    assert helpers.call_action("package_show", id=retired["id"])["roadmap_status"] == "retired"
    bare = make_item(name="no-data-yet")
    assert bare["roadmap_status"] == "planned" and bare["num_resources"] == 0


def test_item_from_dataset_reads_extras_and_json_lists() -> None:
    from ckanext.ssen_roadmap.items import item_from_dataset

    item = item_from_dataset(
        {
            "id": "x", "name": "legacy", "title": "", "type": "dataset",
            "extras": [
                {"key": "roadmap_status", "value": "planned"},
                {"key": "target_audience", "value": '["consultancies", "regulatory_bodies"]'},
                {"key": "roadmap_planned_release", "value": "2026-Q1"},
            ],
            "organization": None, "num_resources": 0,
        }
    )  # fmt: skip
    assert item is not None
    assert (item.title, item.status, item.audience) == (
        "legacy", "planned", ("consultancies", "regulatory_bodies"),
    )  # fmt: skip
    assert item.quarter is not None and item.quarter.key == "2026-Q1"
    assert item_from_dataset({"id": "h", "name": "harvest-source", "type": "harvest"}) is None


def test_every_page_of_the_search_is_read(make_item, ckan_config, monkeypatch) -> None:
    monkeypatch.setitem(ckan_config, "ckan.search.rows_max", 2)
    for index in range(5):
        make_item(name=f"paged-{index}")
    result = helpers.call_action("ssen_roadmap_list", {"user": "", "ignore_auth": False})
    assert result["count"] == 5
    assert sorted(i["name"] for i in result["items"]) == [f"paged-{i}" for i in range(5)]
