from __future__ import annotations

import ckan.plugins as p
import pytest

SUITE = ("ssen_search", "ssen_smartmeter", "ssen_smartmeter_harvester", "ssen_roadmap")


@pytest.mark.usefixtures("with_plugins")
def test_test_ini_loads_every_plugin_of_the_suite() -> None:
    assert [name for name in SUITE if not p.plugin_loaded(name)] == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_status_show_and_the_main_pages_answer(app) -> None:
    status = app.get("/api/3/action/status_show").json["result"]
    assert set(SUITE) <= set(status["extensions"])
    assert status["ckan_version"] == "2.12.0"
    for url in ("/", "/dataset", "/roadmap", "/harvest"):
        assert app.get(url).status_code == 200, url
