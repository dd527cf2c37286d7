"""Bad search input is a 400 "Search Query Error" naming the parameter, on
every entry point (Action API, autocomplete, the /api/2/util helpers and the
dataset page), never a 500, and never echoes CKAN's internal query or SQL."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.lib.search.common import SearchQueryError
from ckan.tests import factories, helpers

SEARCH = "/api/3/action/package_search"


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Search Query Error"
    return body["error"]


@pytest.fixture
def dataset() -> dict[str, Any]:
    return factories.Dataset(name="feeder-loads", title="Feeder loads", tags=[{"name": "energy"}])


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestNulCharacter:
    @pytest.mark.parametrize(
        "params, name",
        [
            ({"q": "feeder\x00"}, "q"),
            ({"q": "title:feeder\x00"}, "q"),
            ({"fq": "tags:energy\x00"}, "fq"),
            ({"fq_list": "tags:energy\x00"}, "fq_list"),
            ({"sort": "name\x00 asc"}, "sort"),
            ({"mm": "2\x00"}, "mm"),
        ],
    )
    def test_package_search_param(
        self, app: Any, dataset: dict[str, Any], params: dict[str, str], name: str
    ) -> None:
        error = _error(app.get(SEARCH, query_string=params))
        assert f'Invalid "{name}" parameter' in error["message"]
        assert "NUL character" in error["message"]
        assert "SELECT" not in error["message"] and "capacity" not in error["message"]

    def test_through_call_action_facet_field_list(self, dataset: dict[str, Any]) -> None:
        with pytest.raises(SearchQueryError, match=r'"facet\.field" parameter: it contains a NUL'):
            helpers.call_action("package_search", **{"facet.field": ["ta\x00gs"]})
        # the session is still usable: the next search answers
        assert helpers.call_action("package_search", q="feeder")["count"] == 1

    @pytest.mark.parametrize(
        "action, param",
        [
            ("package_autocomplete", "q"),
            ("tag_autocomplete", "q"),
            ("format_autocomplete", "q"),
            ("user_autocomplete", "q"),
            ("group_autocomplete", "q"),
            ("organization_autocomplete", "q"),
        ],
    )
    def test_autocomplete_actions(
        self, app: Any, dataset: dict[str, Any], action: str, param: str
    ) -> None:
        sysadmin = factories.Sysadmin()
        error = _error(
            app.get(
                f"/api/3/action/{action}",
                query_string={param: "fee\x00"},
                headers={"Authorization": factories.APIToken(user=sysadmin["name"])["token"]},
            )
        )
        assert "NUL character" in error["message"]

    @pytest.mark.parametrize(
        "path, param",
        [
            ("/api/2/util/dataset/autocomplete", "incomplete"),
            ("/api/2/util/tag/autocomplete", "incomplete"),
            ("/api/2/util/resource/format_autocomplete", "incomplete"),
            ("/api/2/util/group/autocomplete", "q"),
        ],
    )
    def test_util_autocomplete_views(
        self, app: Any, dataset: dict[str, Any], path: str, param: str
    ) -> None:
        sysadmin = factories.Sysadmin()
        response = app.get(
            path,
            query_string={param: "fee\x00"},
            headers={"Authorization": factories.APIToken(user=sysadmin["name"])["token"]},
        )
        assert "NUL character" in _error(response)["message"]

    def test_autocomplete_without_nul_still_answers(self, dataset: dict[str, Any]) -> None:
        assert helpers.call_action("tag_autocomplete", q="ener") == ["energy"]
        found = helpers.call_action("package_autocomplete", q="feed")
        assert [f["name"] for f in found] == ["feeder-loads"]

    def test_dataset_page(self, app: Any, dataset: dict[str, Any]) -> None:
        response = app.get("/dataset/", query_string={"q": "feeder\x00"})
        assert response.status_code == 400
        text = BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ")
        assert "NUL character" in text


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestFilterAndSortErrors:
    @pytest.mark.parametrize("fq", ["tags:", "tags: ", "tags:energy AND name:"])
    def test_fq_without_a_value(self, app: Any, dataset: dict[str, Any], fq: str) -> None:
        message = _error(app.get(SEARCH, query_string={"fq": fq}))["message"]
        field = "tags:" if fq.startswith("tags: ") or fq == "tags:" else "name:"
        assert f'Invalid "fq" parameter: "{field}" has no value' in message
        # only the caller's own text, not what CKAN wraps around it
        assert "capacity" not in message and "+state" not in message

    def test_fq_list_without_a_value(self, dataset: dict[str, Any]) -> None:
        with pytest.raises(SearchQueryError, match='"tags:" has no value in "tags:"'):
            helpers.call_action("package_search", fq_list=["tags:"])

    def test_unparseable_fq_quotes_only_the_callers_text(
        self, app: Any, dataset: dict[str, Any]
    ) -> None:
        message = _error(app.get(SEARCH, query_string={"fq": "tags:(energy"}))["message"]
        assert "tags:(energy" in message
        assert "capacity" not in message and "site_id" not in message

    @pytest.mark.parametrize(
        "sort, reason",
        [
            ("nosuchfield desc", 'no dataset has a field "nosuchfield"'),
            ("title sideways", "expected"),
            ("tags asc", "holds several values"),
            ("name asc, nosuchfield desc", '"nosuchfield desc"'),
        ],
    )
    def test_invalid_sort(self, app: Any, dataset: dict[str, Any], sort: str, reason: str) -> None:
        message = _error(app.get(SEARCH, query_string={"sort": sort}))["message"]
        assert "sort" in message and reason in message

    def test_known_fields_sort_even_when_no_dataset_has_them(self, dataset: dict[str, Any]) -> None:
        # CKAN's schema fields, and the fields of the scheming dataset types
        for sort in ("title_string asc", "view_recent desc", "extras_x asc", "period desc"):
            found = helpers.call_action("package_search", sort=sort)
            assert [r["name"] for r in found["results"]] == ["feeder-loads"]

    def test_dataset_page_error_keeps_the_search_box_and_a_way_back(
        self, app: Any, dataset: dict[str, Any]
    ) -> None:
        response = app.get("/dataset/", query_string={"q": "title:(unclosed"})
        assert response.status_code == 400
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert "Invalid search query" in page.get_text(" ")
        form = page.select_one("#search-error-recovery form")
        assert form is not None and form["action"] == "/dataset/"
        assert form.select_one("input[name=q]")["value"] == "title:(unclosed"
        back = page.select_one("#search-error-recovery a.ssen-search-back")
        assert back["href"] == "/dataset/"

    def test_dataset_page_bad_sort(self, app: Any, dataset: dict[str, Any]) -> None:
        response = app.get("/dataset/", query_string={"q": "feeder", "sort": "title sideways"})
        assert response.status_code == 400
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert "sort" in page.get_text(" ")
        assert page.select_one("#search-error-recovery input[name=q]")["value"] == "feeder"

    def test_custom_type_search_page_error_links_back_to_its_own_list(
        self, app: Any, dataset: dict[str, Any]
    ) -> None:
        response = app.get("/smart-meter/", query_string={"q": "title:(unclosed"})
        assert response.status_code == 400
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert page.select_one("#search-error-recovery form")["action"] == "/smart-meter/"
        assert page.select_one("#search-error-recovery a.ssen-search-back")["href"] == (
            "/smart-meter/"
        )
