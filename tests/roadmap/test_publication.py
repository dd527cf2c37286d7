"""The pure first-publication rule (no CKAN)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.ssen_roadmap.publication import mark_first_publication

TODAY = dt.date(2026, 3, 4)
RES = [{"url": "https://e.org/a.csv"}]


@pytest.mark.parametrize("status", ["planned", "in_development", None])
def test_first_resource_publishes_an_open_item(status) -> None:
    data = {"roadmap_status": status, "resources": RES}
    assert mark_first_publication(data, had_resources=False, today=TODAY) is True
    assert data["roadmap_status"] == "published"
    assert data["roadmap_actual_release"] == "2026-03-04"


def test_a_given_actual_release_is_kept() -> None:
    data = {"roadmap_status": "planned", "resources": RES, "roadmap_actual_release": "2026-01-01"}
    assert mark_first_publication(data, had_resources=False, today=TODAY)
    assert data["roadmap_actual_release"] == "2026-01-01"


@pytest.mark.parametrize(
    ("data", "had", "on_roadmap"),
    [
        ({"roadmap_status": "planned", "resources": RES}, True, True),
        ({"roadmap_status": "planned", "resources": []}, False, True),
        ({"roadmap_status": "planned", "resources": [{"state": "deleted"}]}, False, True),
        ({"roadmap_status": "retired", "resources": RES}, False, True),
        ({"roadmap_status": "published", "resources": RES}, False, True),
        ({"resources": RES}, False, False),
    ],
)
def test_nothing_changes_otherwise(data, had, on_roadmap) -> None:
    before = dict(data)
    assert not mark_first_publication(data, had_resources=had, today=TODAY, on_roadmap=on_roadmap)
    assert data == before
