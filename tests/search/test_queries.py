"""Query features through the Action API: Lucene syntax, ranking, errors,
autocomplete and the organisation/group/tag counts built from searches."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers


def _names(**kwargs: Any) -> list[str]:
    return [r["name"] for r in helpers.call_action("package_search", **kwargs)["results"]]


@pytest.fixture
def catalogue() -> dict[str, Any]:
    org = factories.Organization(name="grid-org")
    group = factories.Group(name="lv-network")
    factories.Dataset(
        name="lv-feeder-consumption",
        title="LV feeder consumption",
        notes="Half-hourly consumption per low voltage feeder.",
        owner_org=org["id"],
        tags=[{"name": "energy"}, {"name": "smart-meters"}],
        groups=[{"name": group["name"]}],
        resources=[{"url": "http://x.invalid/a.csv", "format": "CSV", "name": "Readings"}],
    )
    factories.Dataset(
        name="substation-consumption",
        title="Secondary substation consumption",
        notes="Daily totals mentioning feeder once.",
        owner_org=org["id"],
        tags=[{"name": "energy"}],
        resources=[{"url": "http://x.invalid/b.parquet", "format": "Parquet"}],
    )
    factories.Dataset(
        name="roadmap",
        title="Data roadmap",
        notes="Planned releases",
        owner_org=org["id"],
        tags=[{"name": "planning"}],
    )
    return {"org": org, "group": group}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestQueries:
    def test_title_matches_rank_above_notes_matches(self, catalogue: dict[str, Any]) -> None:
        assert _names(q="feeder") == ["lv-feeder-consumption", "substation-consumption"]

    def test_stemming_and_phrases(self, catalogue: dict[str, Any]) -> None:
        assert _names(q="feeders") == ["lv-feeder-consumption", "substation-consumption"]
        assert _names(q='"low voltage feeder"') == ["lv-feeder-consumption"]
        assert _names(q='"voltage low feeder"') == []

    def test_boolean_lucene(self, catalogue: dict[str, Any]) -> None:
        assert _names(q="tags:energy AND -res_format:CSV") == ["substation-consumption"]
        assert sorted(_names(q="tags:planning OR res_format:Parquet")) == [
            "roadmap",
            "substation-consumption",
        ]
        assert _names(q="name:roadmap", fq="-tags:energy") == ["roadmap"]
        assert _names(fq="groups:lv-network") == ["lv-feeder-consumption"]

    def test_wildcards_and_existence(self, catalogue: dict[str, Any]) -> None:
        assert _names(fq="name:lv-*") == ["lv-feeder-consumption"]
        assert sorted(_names(q="consum*")) == ["lv-feeder-consumption", "substation-consumption"]
        assert sorted(_names(fq="res_format:*")) == [
            "lv-feeder-consumption",
            "substation-consumption",
        ]

    def test_date_range(self, catalogue: dict[str, Any]) -> None:
        assert len(_names(fq="metadata_created:[NOW-1DAY TO *]")) == 3
        assert _names(fq="metadata_created:[* TO 2000-01-01T00:00:00Z]") == []

    def test_fl_returns_requested_fields(self, catalogue: dict[str, Any]) -> None:
        result = helpers.call_action("package_search", q="name:roadmap", fl="name,title")
        assert result["results"] == [{"name": "roadmap", "title": "Data roadmap"}]

    def test_rows_start_and_sort(self, catalogue: dict[str, Any]) -> None:
        assert _names(sort="name asc", rows=2, start=1) == ["roadmap", "substation-consumption"]
        assert _names(sort="title desc", rows=1) == ["substation-consumption"]

    def test_unsupported_syntax_is_a_validation_error(self, catalogue: dict[str, Any]) -> None:
        with pytest.raises(Exception) as raised:
            helpers.call_action("package_search", q="title:feeder~2")
        assert "Fuzzy" in str(raised.value)

    def test_api_answers_400_naming_the_problem(self, app: Any, catalogue: dict[str, Any]) -> None:
        response = app.get(
            "/api/3/action/package_search", query_string={"q": "name:/lv.*/"}, status=400
        )
        assert "Regular expression" in response.get_data(as_text=True)
        response = app.get(
            "/api/3/action/package_search", query_string={"sort": "name sideways"}, status=400
        )
        assert "sort" in response.get_data(as_text=True)

    def test_dataset_page_shows_the_error_not_a_500(
        self, app: Any, catalogue: dict[str, Any]
    ) -> None:
        response = app.get("/dataset/", query_string={"q": "title:(unclosed"})
        assert response.status_code in (200, 400)

    def test_autocomplete(self, catalogue: dict[str, Any]) -> None:
        found = helpers.call_action("package_autocomplete", q="substa")
        assert [f["name"] for f in found] == ["substation-consumption"]
        assert found[0]["match_field"] == "name"
        found = helpers.call_action("package_autocomplete", q="Roadm")
        assert [f["name"] for f in found] == ["roadmap"]

    def test_organisation_group_and_tag_counts(self, catalogue: dict[str, Any]) -> None:
        orgs = helpers.call_action("organization_list", all_fields=True)
        assert [(o["name"], o["package_count"]) for o in orgs] == [("grid-org", 3)]
        groups = helpers.call_action("group_list", all_fields=True)
        assert [(g["name"], g["package_count"]) for g in groups] == [("lv-network", 1)]
        tag = helpers.call_action("tag_show", id="energy", include_datasets=True)
        assert sorted(p["name"] for p in tag["packages"]) == [
            "lv-feeder-consumption",
            "substation-consumption",
        ]
