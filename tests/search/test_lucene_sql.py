"""The Lucene-to-SQL compiler alone (pure: no database, no CKAN)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.ssen_search import fields
from ckanext.ssen_search.lucene_sql import (
    NO_TERM,
    SearchSyntaxError,
    SqlCompiler,
    like_pattern,
    parse_mm,
    solr_date,
    unescape,
)

NOW = dt.datetime(2026, 3, 15, 10, 30, 45, tzinfo=dt.UTC)


def test_match_all_compiles_to_true() -> None:
    assert SqlCompiler().lucene("*:*") == "TRUE"
    assert SqlCompiler().dismax("") == "TRUE"


def test_string_field_term_binds_containment_for_scalar_and_list() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene('+organization:"north"')
    assert sql.count("d.doc @>") == 2
    assert set(compiler.params.values()) == {
        '{"organization": "north"}',
        '{"organization": ["north"]}',
    }


def test_filters_ckan_always_adds_use_plain_columns() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene('+site_id:"default" +state:(active OR draft) +capacity:public')
    assert "d.site_id = " in sql and "d.state = " in sql and "d.capacity = " in sql
    assert "d.doc" not in sql


def test_boolean_and_number_values_also_match_typed_json() -> None:
    compiler = SqlCompiler()
    compiler.lucene("private:true num_resources:2")
    values = set(compiler.params.values())
    assert '{"private": true}' in values and '{"num_resources": 2}' in values


def test_negation_and_groups_keep_structure() -> None:
    sql = SqlCompiler().lucene("+state:(active OR draft) -name:foo")
    assert " OR " in sql and "(NOT " in sql and " AND " in sql


def test_free_text_terms_feed_the_rank() -> None:
    compiler = SqlCompiler()
    compiler.lucene("tags:energy feeder")
    assert "ts_rank" in compiler.score()
    assert "plainto_tsquery" in compiler.score()


def test_prohibited_terms_do_not_feed_the_rank() -> None:
    compiler = SqlCompiler()
    compiler.dismax("-feeder")
    assert compiler.score() == "1.0::float4"


def test_text_fields_are_analysed() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene("title:loads")
    assert "jsonb_to_tsvector" in sql


def test_wildcards() -> None:
    assert like_pattern("foo*b?r") == "foo%b_r"
    assert like_pattern("50%_\\*") == "50\\%\\_*"
    compiler = SqlCompiler()
    assert "LIKE" in compiler.lucene("name:feed*")
    compiler = SqlCompiler()
    assert "to_tsquery" in compiler.lucene("feed*")
    assert "feed':*" in "".join(str(v) for v in compiler.params.values()) + "':*"


def test_field_exists() -> None:
    sql = SqlCompiler().lucene("licence_id:*")
    assert "?" in sql and "'null'" in sql


def test_numeric_and_date_ranges() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene("num_resources:[1 TO *]")
    assert "::numeric END) >=" in sql
    assert 1.0 in compiler.params.values()
    compiler = SqlCompiler(now=NOW)
    compiler.lucene("metadata_modified:[NOW-1DAY TO NOW}")
    assert "2026-03-14T10:30:45" in compiler.params.values()
    assert "2026-03-15T10:30:45" in compiler.params.values()


def test_solr_dates() -> None:
    assert solr_date("2020-01-02T03:04:05Z") == "2020-01-02T03:04:05"
    assert solr_date("2020-01-02") == "2020-01-02T00:00:00"
    assert solr_date("NOW/DAY-7DAYS", NOW) == "2026-03-08T00:00:00"
    assert solr_date("NOW-1MONTH", NOW) == "2026-02-01T10:30:45"
    with pytest.raises(SearchSyntaxError):
        solr_date("yesterday")


@pytest.mark.parametrize(
    "query, part",
    [
        ("title:foo~2", "Fuzzy"),
        ("name:/fo+/", "Regular expression"),
    ],
)
def test_unsupported_syntax_names_the_part(query: str, part: str) -> None:
    with pytest.raises(SearchSyntaxError, match=part):
        SqlCompiler().lucene(query)


def test_unparseable_lucene_is_a_syntax_error() -> None:
    with pytest.raises(SearchSyntaxError, match="Cannot parse"):
        SqlCompiler().lucene("name:(foo")


def test_unparseable_free_text_falls_back_to_words() -> None:
    compiler = SqlCompiler()
    sql = compiler.dismax('feeder "loads (')
    assert "plainto_tsquery" in sql
    assert {"feeder", "loads"} <= set(compiler.params.values())


def test_minimum_should_match() -> None:
    assert parse_mm("2<-1 5<80%", 2) == 2
    assert parse_mm("2<-1 5<80%", 4) == 3
    assert parse_mm("2<-1 5<80%", 10) == 8
    assert parse_mm(None, 3) == 3
    compiler = SqlCompiler()
    assert ">= 2" in compiler.dismax("feeder loads perth", "2<-1 5<80%")


def test_sort_clauses() -> None:
    compiler = SqlCompiler()
    compiler.dismax("feeder")
    order = compiler.order_by("score desc, metadata_modified desc")
    assert order.startswith("score DESC")
    assert "d.metadata_modified DESC" in order
    assert not SqlCompiler().order_by("score desc").startswith("score")
    assert order.endswith("d.indexed_at ASC")
    with pytest.raises(SearchSyntaxError, match="sort"):
        SqlCompiler().order_by("name; drop table")


def test_unescape() -> None:
    assert unescape(r"b\:c") == "b:c"


def test_index_document_unpacks_scheming_multiple_choice() -> None:
    doc, blobs = fields.index_document(
        {
            "id": "1",
            "topics": '["grid", "meters"]',
            "extras_topics": '["grid", "meters"]',
            "notes": "[not json",
            "data_dict": "{}",
        }
    )
    assert doc["topics"] == ["grid", "meters"]
    assert doc["extras_topics"] == '["grid", "meters"]'
    assert doc["notes"] == "[not json"
    assert blobs["data_dict"] == "{}" and "data_dict" not in doc


def test_weighted_texts() -> None:
    texts = fields.weighted_texts(
        {
            "name": "n",
            "title": "t",
            "tags": ["x", "y"],
            "notes": "body",
            "extras_k": "v",
            "res_name": ["r1"],
            "res_extras_z": ["q"],
            "frequency": "daily",
        }
    )
    assert texts == {"A": "n t", "B": "x y", "C": "body v", "D": "r1 q"}


def test_solr_date_values_are_normalised_like_solr_stores_them() -> None:
    assert fields.solr_date_value("2014-06-10T08:24:12.782257Z") == "2014-06-10T08:24:12.782Z"
    assert fields.solr_date_value("2014-06-10T08:24:12.780000") == "2014-06-10T08:24:12.78Z"
    assert fields.solr_date_value("2014-06-10T08:24:12") == "2014-06-10T08:24:12Z"
    assert fields.solr_date_value("2014-06-10T09:24:12+01:00") == "2014-06-10T08:24:12Z"
    assert fields.solr_date_value("not a date") == "not a date"


def test_index_document_adds_indexed_ts() -> None:
    doc, _ = fields.index_document({"id": "1"}, now=NOW)
    assert doc["indexed_ts"] == "2026-03-15T10:30:45Z"


def test_local_params_bool_and_lucene() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene("{!bool must=bees must_not=wasps}")
    assert "(NOT " in sql and " AND " in sql
    compiler = SqlCompiler()
    sql = compiler.lucene("{!lucene q.op=OR}bees butterflies")
    assert " OR " in sql
    with pytest.raises(SearchSyntaxError, match="'knn' is not supported"):
        SqlCompiler().lucene("{!knn f=vector topK=3}[1, 2]")


def _stop_words(text: str, phrase: bool) -> bool:
    """The analyser's verdict, as PostgreSQL's english configuration gives it."""
    return not any(w.isalnum() and w not in ("the", "a", "of") for w in text.split())


def test_stop_word_clauses_are_dropped_when_the_analyser_says_so() -> None:
    compiler = SqlCompiler(is_empty_query=_stop_words)
    sql = compiler.dismax("the feeder")
    assert sql == "((d.search_vector @@ plainto_tsquery('english'::regconfig, :p0)))"
    assert list(compiler.params.values()) == ["feeder"]
    # a dropped clause does not count towards mm (one clause left: required)
    assert ">=" not in SqlCompiler(is_empty_query=_stop_words).dismax("the of feeder", "2<-1")


@pytest.mark.parametrize("query", ["the", "'", "%", '"', "-the", "the OR a", "(the) AND of"])
def test_a_free_text_query_without_any_term_matches_nothing(query: str) -> None:
    compiler = SqlCompiler(is_empty_query=_stop_words)
    assert compiler.dismax(query) == NO_TERM
    assert compiler.params == {} or set(compiler.params.values()) <= {"the", "'", "%", "a", "of"}


def test_a_fielded_query_without_any_term_matches_nothing_but_is_dropped_inside_others() -> None:
    compiler = SqlCompiler(is_empty_query=_stop_words)
    assert compiler.lucene("title:the") == NO_TERM
    sql = SqlCompiler(is_empty_query=_stop_words).lucene("+capacity:public title:the")
    assert sql == "((d.capacity = :p0))"
    sql = SqlCompiler(is_empty_query=_stop_words).lucene("{!bool must=the should=feeder}")
    assert "FALSE" not in sql and "plainto_tsquery" in sql


def test_hyphenated_words_are_searched_as_their_parts() -> None:
    compiler = SqlCompiler()
    compiler.dismax("smart-meter")
    assert list(compiler.params.values()) == ["smart meter"]
    compiler = SqlCompiler()
    assert "phraseto_tsquery" in compiler.lucene('title:"ev-charger points"')
    assert set(compiler.params.values()) == {"title", "ev charger points"}
    # string fields keep the value whole: a tag is matched exactly
    compiler = SqlCompiler()
    compiler.lucene("tags:smart-meter")
    assert '{"tags": "smart-meter"}' in compiler.params.values()
    # a leading minus is still a prohibition, a lone hyphen no word joint
    assert fields.split_hyphens("-x - y co-op") == "-x - y co op"


def test_index_text_splits_hyphenated_words_and_adds_them_joined() -> None:
    assert (
        fields.index_text("Smart-meter data, e-mail") == "Smart meter data, e mail Smartmeter email"
    )
    assert fields.weighted_texts({"title": "EV-charger"})["A"] == "EV charger EVcharger"


@pytest.mark.parametrize(
    "query", ["tags:", "tags: ", "(tags:)", "+capacity:public tags: +state:(active)"]
)
def test_a_field_without_a_value_is_a_syntax_error(query: str) -> None:
    with pytest.raises(SearchSyntaxError, match='"tags:" has no value'):
        SqlCompiler().lucene(query)


def test_sort_on_an_unknown_or_multi_valued_field_is_an_error() -> None:
    known = {"period"}
    compiler = SqlCompiler(field_exists=known.__contains__)
    assert "d.indexed_at" in compiler.order_by("period desc, title_string asc, extras_x asc")
    with pytest.raises(SearchSyntaxError, match='no dataset has a field "nosuchfield"'):
        compiler.order_by("nosuchfield desc")
    with pytest.raises(SearchSyntaxError, match='"tags" holds several values'):
        compiler.order_by("tags asc")
    with pytest.raises(SearchSyntaxError, match="expected"):
        compiler.order_by("title sideways")


def test_ngram_fields_match_substrings() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene('name_ngram:"sub sta"')
    assert sql.count("ILIKE") == 2
    assert "%sub%" in compiler.params.values()
