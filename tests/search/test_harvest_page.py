"""/harvest lists harvest sources, which are datasets of type ``harvest``."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers


@pytest.mark.ckan_config("ckan.plugins", "ssen_search harvest ckan_harvester")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_harvest_page_lists_sources(app: Any) -> None:
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    helpers.call_action(
        "harvest_source_create",
        context={"user": sysadmin["name"]},
        name="remote-portal",
        title="Remote portal",
        url="http://remote.invalid/",
        source_type="ckan",
        owner_org=org["id"],
    )
    factories.Dataset(name="not-a-source", owner_org=org["id"])

    response = app.get("/harvest")
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    text = page.get_text(" ")
    assert "Remote portal" in text
    assert "not-a-source" not in response.get_data(as_text=True)

    sources = helpers.call_action("package_search", fq="+dataset_type:harvest")
    assert [s["name"] for s in sources["results"]] == ["remote-portal"]
    plain = helpers.call_action("package_search", fq="+dataset_type:dataset")
    assert [s["name"] for s in plain["results"]] == ["not-a-source"]
