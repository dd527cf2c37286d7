"""Free text as Solr's analysers treat it: hyphenated words are split into
their words (in the index and in queries), and a query without any
searchable term (only stop words or punctuation) finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers


def _names(**kwargs: Any) -> list[str]:
    return sorted(r["name"] for r in helpers.call_action("package_search", **kwargs)["results"])


@pytest.fixture
def catalogue() -> None:
    factories.Dataset(name="hyphenated", title="Smart-meter consumption", notes="Feeder totals.")
    factories.Dataset(name="spaced", title="Smart meter readings", notes="Per substation.")
    factories.Dataset(name="charging", title="EV charger points", notes="Where cars charge.")
    factories.Dataset(name="unrelated", title="Data roadmap", notes="Planned releases.")


@pytest.mark.usefixtures("with_plugins", "clean_db", "catalogue")
class TestHyphens:
    @pytest.mark.parametrize("q", ["smart meter", "smart-meter", "Smart-Meter", "smart"])
    def test_hyphenated_and_spaced_titles_are_found_either_way(self, q: str) -> None:
        assert _names(q=q) == ["hyphenated", "spaced"]

    def test_hyphenated_query_finds_the_spaced_words(self) -> None:
        assert _names(q="ev-charger") == ["charging"]
        assert _names(q="ev-charger-points") == ["charging"]

    def test_phrases_across_the_hyphen(self) -> None:
        assert _names(q='"smart meter consumption"') == ["hyphenated"]
        assert _names(q='"smart-meter consumption"') == ["hyphenated"]
        assert _names(q='"meter smart"') == []

    def test_the_joined_word_finds_the_hyphenated_title_as_solr_does(self) -> None:
        assert _names(q="smartmeter") == ["hyphenated"]

    def test_fielded_and_wildcard_queries(self) -> None:
        assert _names(q="title:smart-meter") == ["hyphenated", "spaced"]
        assert _names(q='title:"ev-charger"') == ["charging"]
        assert _names(q="smart-met*") == ["hyphenated", "spaced"]

    def test_dataset_page(self, app: Any) -> None:
        response = app.get("/dataset/", query_string={"q": "smart-meter"})
        assert response.status_code == 200
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        links = {a["href"] for a in page.select(".dataset-heading a")}
        assert links == {"/dataset/hyphenated", "/dataset/spaced"}


@pytest.mark.usefixtures("with_plugins", "clean_db", "catalogue")
class TestQueriesWithoutTerms:
    @pytest.mark.parametrize("q", ["the", "%", "'", '"', "the of", "-the", "x" * 2048, "x" * 5000])
    def test_find_nothing(self, q: str) -> None:
        result = helpers.call_action("package_search", q=q)
        assert (result["count"], result["results"]) == (0, [])

    @pytest.mark.parametrize("q", ["title:the", "title:the OR notes:%"])
    def test_fielded_find_nothing(self, q: str) -> None:
        assert helpers.call_action("package_search", q=q)["count"] == 0

    @pytest.mark.parametrize("q", ["*:*", "", '""'])
    def test_match_all_still_finds_everything(self, q: str) -> None:
        assert helpers.call_action("package_search", q=q)["count"] == 4

    def test_stop_words_beside_a_real_term_are_dropped(self) -> None:
        assert _names(q="the roadmap") == ["unrelated"]
        assert _names(q="roadmap of the") == ["unrelated"]

    def test_a_filter_without_terms_is_ignored_as_solr_ignores_it(self) -> None:
        assert helpers.call_action("package_search", fq="title:the")["count"] == 4
        assert helpers.call_action("package_search", fq_list=["title:the"])["count"] == 4

    def test_dataset_page_shows_no_datasets(self, app: Any) -> None:
        response = app.get("/dataset/", query_string={"q": "the"})
        assert response.status_code == 200
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert page.select(".dataset-heading a") == []
        assert "No datasets found" in page.get_text(" ")
