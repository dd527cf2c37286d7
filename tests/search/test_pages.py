"""The catalogue's pages answer from the PostgreSQL index (no Solr here)."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories


def _soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestPages:
    def test_home_dataset_and_organization_pages(self, app: Any) -> None:
        org = factories.Organization(name="north-dno", title="North DNO")
        factories.Dataset(
            owner_org=org["id"],
            name="feeder-loads",
            title="Feeder loads",
            tags=[{"name": "energy"}],
        )
        factories.Dataset(
            owner_org=org["id"],
            name="roadmap-items",
            title="Roadmap items",
            tags=[{"name": "planning"}],
        )

        _soup(app.get("/"))

        page = _soup(app.get("/dataset/", query_string={"q": "feeder"}))
        links = {a["href"] for a in page.select(".dataset-heading a")}
        assert links == {"/dataset/feeder-loads"}

        page = _soup(app.get("/dataset/", query_string={"tags": "planning"}))
        assert {a["href"] for a in page.select(".dataset-heading a")} == {"/dataset/roadmap-items"}

        page = _soup(app.get("/dataset/"))
        facet_text = page.get_text(" ")
        assert "energy" in facet_text and "planning" in facet_text

        page = _soup(app.get("/organization/north-dno"))
        assert {a["href"] for a in page.select(".dataset-heading a")} == {
            "/dataset/feeder-loads",
            "/dataset/roadmap-items",
        }
