"""package_create/update/delete index into PostgreSQL; package_search answers."""

from __future__ import annotations

import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestIndexAndSearch:
    def test_create_update_delete_roundtrip(self) -> None:
        sysadmin = factories.Sysadmin()
        org = factories.Organization()
        dataset = factories.Dataset(
            owner_org=org["id"],
            title="Feeder loads in Perth",
            tags=[{"name": "energy"}],
            notes="Half-hourly consumption",
        )
        found = helpers.call_action("package_search", q="perth")
        assert [r["name"] for r in found["results"]] == [dataset["name"]]
        assert found["count"] == 1

        ctx = {"user": sysadmin["name"]}
        helpers.call_action(
            "package_patch", context=dict(ctx), id=dataset["id"], title="Substation loads"
        )
        assert helpers.call_action("package_search", q="perth")["count"] == 0
        assert helpers.call_action("package_search", q="substation")["count"] == 1

        helpers.call_action("package_delete", context=dict(ctx), id=dataset["id"])
        assert helpers.call_action("package_search", q="substation")["count"] == 0

    def test_fq_facets_rows_sort(self) -> None:
        org = factories.Organization()
        for i, tag in enumerate(["aa", "aa", "bb"]):
            factories.Dataset(owner_org=org["id"], name=f"ds-{i}", tags=[{"name": tag}])
        result = helpers.call_action(
            "package_search",
            fq="tags:aa",
            **{"facet.field": '["tags", "organization"]'},
            sort="name desc",
            rows=1,
            start=0,
        )
        assert result["count"] == 2
        assert [r["name"] for r in result["results"]] == ["ds-1"]
        assert result["facets"]["tags"] == {"aa": 2}
        assert result["facets"]["organization"] == {org["name"]: 2}
