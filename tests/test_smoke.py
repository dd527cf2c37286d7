from __future__ import annotations

import ckan.plugins as p
import pytest

SUITE = ("ssen_search", "ssen_smartmeter", "ssen_smartmeter_harvester", "ssen_roadmap")


@pytest.mark.usefixtures("with_plugins")
def test_test_ini_loads_every_plugin_of_the_suite() -> None:
    assert [name for name in SUITE if not p.plugin_loaded(name)] == []
