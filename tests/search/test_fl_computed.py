"""``fl`` results carry the same computed fields as the default results:
freshness is recomputed from the stored dataset dict (``fl=*`` returns it, as
Solr does; an ``fl`` naming a freshness field fetches it), and the resource
and tag counts come from the index."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ckan.tests import helpers
from freezegun import freeze_time
from smartmeter import data

NAME = "smart-meter-lv-feeder-2024-02"
PUBLISHED = dt.datetime(2024, 3, 2, 6, 0, 0)
COMPUTED = ("is_up_to_date", "last_data_update", "next_update_due", "is_complete")


def _search(**kwargs: Any) -> dict[str, Any]:
    (result,) = helpers.call_action(
        "package_search", q=f"name:{NAME}", include_private=True, **kwargs
    )["results"]
    return result


@pytest.fixture
def published(sysadmin: dict[str, Any], org: dict[str, Any]) -> None:
    """A daily dataset whose two resources were last modified at PUBLISHED."""
    resources = [
        data.resource(last_modified=(PUBLISHED - dt.timedelta(days=1)).isoformat()),
        data.resource("2024-02-13 (CSV)", last_modified=PUBLISHED.isoformat()),
    ]
    helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(org["id"], resources=resources, temporal_coverage_end="2024-02-13"),
    )


@pytest.mark.usefixtures("with_plugins", "clean_db", "published")
class TestFlComputedFields:
    @pytest.mark.parametrize("hours, up_to_date", [(12, True), (36, False)])
    def test_fl_star_gives_the_default_results_values(self, hours: int, up_to_date: bool) -> None:
        with freeze_time(PUBLISHED + dt.timedelta(hours=hours)):
            default = _search()
            star = _search(fl=["*"])
            shown = helpers.call_action("package_show", id=NAME)
        assert default["is_up_to_date"] is up_to_date
        assert default["last_data_update"] == PUBLISHED.isoformat()
        assert default["num_resources"] == 2
        for field in (*COMPUTED, "num_resources", "num_tags"):
            assert star[field] == default[field] == shown[field], field
        # what Solr stores comes back too: the dataset dicts and the fields
        assert star["name"] == NAME and "validated_data_dict" in star

    def test_fl_list_naming_computed_fields(self) -> None:
        with freeze_time(PUBLISHED + dt.timedelta(hours=36)):
            default = _search()
            listed = _search(fl=["name", "is_up_to_date", "last_data_update", "num_resources"])
        assert listed == {
            "name": NAME,
            "is_up_to_date": False,
            "last_data_update": PUBLISHED.isoformat(),
            "next_update_due": default["next_update_due"],
            "is_complete": False,
            "num_resources": 2,
        }

    def test_fl_glob_and_comma_separated(self) -> None:
        with freeze_time(PUBLISHED + dt.timedelta(hours=12)):
            listed = _search(fl="name,is_*")
        assert listed["is_up_to_date"] is True and listed["is_complete"] is False
        assert "validated_data_dict" not in listed

    def test_fl_without_resources_does_not_invent_overdue(self) -> None:
        listed = _search(fl=["name", "frequency"])
        assert listed == {"name": NAME, "frequency": "daily"}

    def test_fl_asking_for_the_stored_dict_keeps_it(self) -> None:
        with freeze_time(PUBLISHED + dt.timedelta(hours=12)):
            listed = _search(fl=["name", "is_up_to_date", "validated_data_dict"])
        assert listed["is_up_to_date"] is True
        assert '"name": "smart-meter-lv-feeder-2024-02"' in listed["validated_data_dict"]
