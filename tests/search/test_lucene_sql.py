"""The Lucene-to-SQL compiler alone (pure: no database, no CKAN)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.ssen_search import fields
from ckanext.ssen_search.lucene_sql import (
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


def test_stop_word_clauses_are_dropped_when_the_analyser_says_so() -> None:
    compiler = SqlCompiler(is_empty_query=lambda text, phrase: text == "the")
    sql = compiler.dismax("the feeder")
    assert "TRUE" in sql and "numnode" not in sql
    assert list(compiler.params.values()) == ["feeder"]


def test_ngram_fields_match_substrings() -> None:
    compiler = SqlCompiler()
    sql = compiler.lucene('name_ngram:"sub sta"')
    assert sql.count("ILIKE") == 2
    assert "%sub%" in compiler.params.values()
