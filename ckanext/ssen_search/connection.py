"""A PostgreSQL stand-in for the pysolr connection CKAN talks to.

CKAN's search code (document building in ``PackageSearchIndex``, query
building in ``PackageSearchQuery``, ``clear_index``, ckanext-harvest's source
clearing) all end in a handful of ``pysolr.Solr`` calls: ``add``, ``delete``,
``commit`` and ``search``. :class:`PgSearchConnection` answers those calls from
the ``ssen_search_package`` table through the CKAN model session, so index
writes happen in the same transaction as the dataset change.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError

from ckanext.ssen_search import fields, tables
from ckanext.ssen_search.lucene_sql import NO_TERM, SearchSyntaxError, SqlCompiler, quote

log = logging.getLogger(__name__)

TABLE = tables.TABLE
BLOB_TABLE = tables.BLOB_TABLE
_FL_SPLIT_RE = re.compile(r"[\s,]+")
# what CKAN's package_search wraps around the caller's ``fq``
_CKAN_FQ_PREFIX = "+capacity:public "
_STATE = "(?:active|draft|deleted)"
_CKAN_FQ_SUFFIX_RE = re.compile(rf"\s*\+state:\({_STATE}(?: OR {_STATE})*\)$")


def text_search_config() -> str:
    return config.get("ckanext.ssen_search.text_search_config") or "english"


class _TableCheck:
    """When the table was last seen (a look-up per statement would cost a
    round trip; CKAN's ``clean_db`` resets this through the backend's hook)."""

    seen_at = float("-inf")
    ttl = 10.0


TABLE_CHECK = _TableCheck()


def forget_table() -> None:
    TABLE_CHECK.seen_at = float("-inf")


def ensure_table() -> None:
    """Create the index table when it is missing (CKAN's ``clean_db`` drops
    every table; ``ckan db upgrade -p ssen_search`` is the normal way)."""
    now = time.monotonic()
    if now - TABLE_CHECK.seen_at < TABLE_CHECK.ttl:
        return
    exists = model.Session.execute(
        sa.text("SELECT to_regclass(:t) IS NOT NULL AND to_regclass(:b) IS NOT NULL"),
        {"t": TABLE, "b": BLOB_TABLE},
    ).scalar()
    if exists:
        TABLE_CHECK.seen_at = now
        return
    log.info("Creating the missing search index tables %s, %s", TABLE, BLOB_TABLE)
    with model.ensure_engine().begin() as connection:
        for statement in tables.create_statements():
            connection.execute(sa.text(statement))


class Results:
    """The subset of ``pysolr.Results`` CKAN reads."""

    def __init__(
        self, docs: list[dict[str, Any]], hits: int, facet_fields: dict[str, list[Any]]
    ) -> None:
        self.docs = docs
        self.hits = hits
        self.facets = {"facet_fields": facet_fields}
        self.raw_response: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.docs)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _int(kwargs: dict[str, Any], key: str, default: int) -> int:
    value = kwargs.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise SearchQueryError(f'Invalid "{key}" parameter: {quote(str(value))}') from error


class PgSearchConnection:
    """pysolr-compatible connection backed by PostgreSQL."""

    url = "postgresql:ssen_search"

    def __init__(self, decode_dates: bool = True) -> None:
        # as CKAN's ``make_connection(decode_dates=True)``: Solr date strings
        # in results become ``datetime`` objects
        self.decode_dates = decode_dates

    # -- writing ------------------------------------------------------------
    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        """Index (insert or replace) documents, inside the current transaction.

        ``commit`` is ignored: the row becomes visible when the dataset change
        it belongs to commits, as one transaction."""
        ensure_table()
        cfg = text_search_config()
        statement = sa.text(f"""
            WITH indexed AS (
                INSERT INTO {TABLE} AS t (index_id, id, name, site_id, doc, search_vector,
                    indexed_at, metadata_modified, state, capacity, dataset_type)
                VALUES (:index_id, :id, :name, :site_id, CAST(:doc AS jsonb),
                    setweight(to_tsvector(CAST(:cfg AS regconfig), :a), 'A')
                    || setweight(to_tsvector(CAST(:cfg AS regconfig), :b), 'B')
                    || setweight(to_tsvector(CAST(:cfg AS regconfig), :c), 'C')
                    || setweight(to_tsvector(CAST(:cfg AS regconfig), :d), 'D'),
                    clock_timestamp(), :metadata_modified, :state, :capacity, :dataset_type)
                ON CONFLICT (index_id) DO UPDATE SET id = EXCLUDED.id, name = EXCLUDED.name,
                    site_id = EXCLUDED.site_id, doc = EXCLUDED.doc,
                    search_vector = EXCLUDED.search_vector, indexed_at = EXCLUDED.indexed_at,
                    metadata_modified = EXCLUDED.metadata_modified, state = EXCLUDED.state,
                    capacity = EXCLUDED.capacity, dataset_type = EXCLUDED.dataset_type
                RETURNING index_id
            )
            INSERT INTO {BLOB_TABLE} AS b (index_id, data_dict, validated_data_dict)
            SELECT index_id, :data_dict, :validated_data_dict FROM indexed
            ON CONFLICT (index_id) DO UPDATE SET data_dict = EXCLUDED.data_dict,
                validated_data_dict = EXCLUDED.validated_data_dict
        """)
        for solr_doc in docs:
            doc, blobs = fields.index_document(solr_doc)
            texts = fields.weighted_texts(doc)
            payload = json.dumps(doc, default=str).replace("\\u0000", "")
            model.Session.execute(
                statement,
                {
                    "index_id": str(doc.get("index_id") or doc["id"]),
                    "id": str(doc["id"]),
                    "name": _text_or_none(doc.get("name")),
                    "site_id": str(doc.get("site_id") or ""),
                    "metadata_modified": _text_or_none(doc.get("metadata_modified")),
                    "state": _text_or_none(doc.get("state")),
                    "capacity": _text_or_none(doc.get("capacity")),
                    "dataset_type": _text_or_none(doc.get("dataset_type")),
                    "doc": payload,
                    "data_dict": _strip_nul(blobs["data_dict"]),
                    "validated_data_dict": _strip_nul(blobs["validated_data_dict"]),
                    "cfg": cfg,
                    "a": _strip_nul(texts["A"]),
                    "b": _strip_nul(texts["B"]),
                    "c": _strip_nul(texts["C"]),
                    "d": _strip_nul(texts["D"]),
                },
            )

    def delete(self, id: Any = None, q: str | None = None, commit: bool = True, **_: Any) -> None:
        """Delete documents by ``index_id`` or by a Lucene query."""
        ensure_table()
        if id is not None:
            model.Session.execute(
                sa.text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids)"),
                {"ids": [str(i) for i in _as_list(id)]},
            )
        if q is not None:
            compiler = SqlCompiler(text_search_config())
            try:
                where = compiler.lucene(q)
            except SearchSyntaxError as error:
                raise SearchQueryError(str(error)) from error
            model.Session.execute(
                sa.text(f"DELETE FROM {TABLE} AS d WHERE {where}"), compiler.params
            )

    def commit(self, **_: Any) -> None:
        """Solr's explicit commit (``ckan search-index commit``, index clear):
        commit the model session."""
        model.Session.commit()

    def close(self) -> None:
        pass

    # -- searching ----------------------------------------------------------
    def search(self, q: str = "*:*", search_handler: str | None = None, **kwargs: Any) -> Results:
        reject_nul({"q": q, **kwargs})
        try:
            return self._search(q or "*:*", kwargs)
        except SearchSyntaxError as error:
            raise SearchQueryError(str(error)) from error

    def _search(self, q: str, kwargs: dict[str, Any]) -> Results:
        ensure_table()
        cfg = text_search_config()
        analysed: dict[tuple[str, bool], bool] = {}

        def field_exists(field: str) -> bool:
            return field in _schema_fields() or bool(
                model.Session.execute(
                    sa.text(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE doc ? :f)"), {"f": field}
                ).scalar()
            )

        def is_empty_query(value: str, phrase: bool) -> bool:
            key = (value, phrase)
            if key not in analysed:
                function = "phraseto_tsquery" if phrase else "plainto_tsquery"
                analysed[key] = model.Session.execute(
                    sa.text(f"SELECT numnode({function}(CAST(:cfg AS regconfig), :v)) = 0"),
                    {"cfg": cfg, "v": value},
                ).scalar()
            return analysed[key]

        def new_compiler() -> SqlCompiler:
            return SqlCompiler(
                cfg,
                default_operator=str(kwargs.get("q.op") or "AND"),
                is_empty_query=is_empty_query,
                field_exists=field_exists,
            )

        compiler = new_compiler()
        def_type = kwargs.get("defType")
        try:
            if def_type == "dismax" and not q.lstrip().startswith("{!"):
                conditions = [compiler.dismax(q, kwargs.get("mm"))]
            else:
                try:
                    conditions = [compiler.lucene(q)]
                except SearchSyntaxError:
                    if def_type != "edismax":
                        raise
                    conditions = [compiler.dismax(q, kwargs.get("mm"))]
        except SearchSyntaxError as error:
            raise SearchSyntaxError(f'Invalid "q" parameter: {error}') from error
        for fq in _as_list(kwargs.get("fq")):
            if not (isinstance(fq, str) and fq.strip()):
                continue
            try:
                condition = compiler.lucene(fq)
            except SearchSyntaxError as error:
                raise SearchSyntaxError(
                    f'Invalid "fq" parameter: {_filter_error(fq, new_compiler())}'
                ) from error
            if condition != NO_TERM:  # a filter without any term is ignored, as in Solr
                conditions.append(condition)
        where = " AND ".join(conditions)
        score = compiler.score()
        order = compiler.order_by(kwargs.get("sort"))

        rows = _int(kwargs, "rows", 10)
        start = _int(kwargs, "start", 0)
        if rows < 0 or start < 0:
            raise SearchQueryError("rows and start must not be negative")
        fl = [f for f in _FL_SPLIT_RE.split(str(kwargs.get("fl") or "*")) if f]

        facet_fields: list[str] = []
        if str(kwargs.get("facet", "false")).lower() in ("true", "on", "1"):
            facet_fields = [str(f) for f in _as_list(kwargs.get("facet.field")) if f]
        limit = _int(kwargs, "facet.limit", 50)
        mincount = _int(kwargs, "facet.mincount", 0)

        try:
            hits, facets = self._count_and_facets(compiler, where, facet_fields, limit, mincount)
            docs = self._page(compiler, where, score, order, rows, start, fl) if rows else []
        except sa.exc.DBAPIError as error:
            # leave the session usable for the rest of the request (a search
            # is a read: nothing of the request's own is normally pending);
            # the SQL goes to the log, never back to the caller
            model.Session.rollback()
            log.error("Search failed: %s", error)
            diag = getattr(error.orig, "diag", None)
            reason = getattr(diag, "message_primary", None) or type(error.orig).__name__
            raise SearchError(f"Search failed: {reason}") from error
        return Results(docs, hits, facets)

    def _count_and_facets(
        self, compiler: SqlCompiler, where: str, facet_fields: list[str], limit: int, mincount: int
    ) -> tuple[int, dict[str, list[Any]]]:
        columns = ["1 AS one"]
        parts = ["SELECT -1 AS i, NULL::text AS v, count(*) AS c FROM m"]
        params = dict(compiler.params)
        for i, field in enumerate(facet_fields):
            params[f"ff{i}"] = field
            columns.append(f"j.x -> :ff{i} AS f{i}")
            limit_sql = f"LIMIT {int(limit)}" if limit >= 0 else ""
            # a dataset counts once per value (two CSV resources: one CSV)
            parts.append(f"""(SELECT {i}, x.v, count(*) FROM m, LATERAL (
                    SELECT DISTINCT e #>> '{{}}' FROM jsonb_array_elements(
                        CASE jsonb_typeof(m.f{i}) WHEN 'array' THEN m.f{i}
                        ELSE jsonb_build_array(m.f{i}) END) AS e
                    WHERE jsonb_typeof(e) IN ('string', 'number', 'boolean')) AS x(v)
                GROUP BY x.v HAVING count(*) >= {max(int(mincount), 0)}
                ORDER BY count(*) DESC, x.v COLLATE "C" {limit_sql})""")
        # the document is decompressed once per row (``|| '{}'`` makes an
        # in-memory copy), not once per facet field
        lateral = (
            ", LATERAL (SELECT d.doc || '{}'::jsonb AS x OFFSET 0) AS j" if facet_fields else ""
        )
        sql = (
            f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {TABLE} AS d"
            f"{lateral} WHERE {where}) " + " UNION ALL ".join(parts)
        )
        hits = 0
        facets: dict[str, list[Any]] = {field: [] for field in facet_fields}
        for i, value, count in model.Session.execute(sa.text(sql), params):
            if i < 0:
                hits = int(count)
            else:
                facets[facet_fields[i]] += [value, int(count)]
        return hits, facets

    def _page(
        self,
        compiler: SqlCompiler,
        where: str,
        score: str,
        order: str,
        rows: int,
        start: int,
        fl: list[str],
    ) -> list[dict[str, Any]]:
        wanted_blobs = [
            b for b in fields.BLOB_FIELDS if any(fnmatch.fnmatchcase(b, pattern) for pattern in fl)
        ]
        sql = (
            f"SELECT d.index_id, d.doc, {score} AS score FROM {TABLE} AS d "
            f"WHERE {where} ORDER BY {order} LIMIT {int(rows)} OFFSET {int(start)}"
        )
        rows_found = model.Session.execute(sa.text(sql), compiler.params).all()
        blobs: dict[str, Any] = {}
        if wanted_blobs and rows_found:
            # the large JSON strings are read for the page's rows only
            columns = ", ".join(wanted_blobs)
            blobs = {
                r.index_id: r
                for r in model.Session.execute(
                    sa.text(
                        f"SELECT index_id, {columns} FROM {BLOB_TABLE} WHERE index_id = ANY(:ids)"
                    ),
                    {"ids": [r.index_id for r in rows_found]},
                )
            }
        docs = []
        for row in rows_found:
            stored = dict(row.doc)
            blob_row = blobs.get(row.index_id)
            for blob in wanted_blobs:
                stored[blob] = getattr(blob_row, blob) if blob_row is not None else None
            doc = _project(stored, fl, float(row.score))
            if self.decode_dates:
                doc = {k: _decode_date(v) for k, v in doc.items()}
            docs.append(doc)
        return docs


def reject_nul(params: dict[str, Any]) -> None:
    """PostgreSQL text cannot hold NUL (``\\x00``, ``%00`` in a URL): a
    parameter holding one is a bad query, named without echoing it."""
    # ``fq`` last: CKAN copies ``fq_list`` into it, the caller wrote ``fq_list``
    for name in sorted(params, key=lambda n: n == "fq"):
        value = params[name]
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise SearchQueryError(
                f'Invalid "{name}" parameter: it contains a NUL character (%00), '
                "which a search cannot hold"
            )


def user_filter(fq: str) -> str:
    """The caller's own part of a filter query CKAN's ``package_search`` has
    wrapped (``+capacity:public <fq> +state:(active)``)."""
    text = fq.removeprefix(_CKAN_FQ_PREFIX)
    return _CKAN_FQ_SUFFIX_RE.sub("", text).strip()


def _filter_error(fq: str, compiler: SqlCompiler) -> str:
    """Why a filter query is invalid, quoting only the caller's own text."""
    own = user_filter(fq)
    try:
        compiler.lucene(own)
    except SearchSyntaxError as error:
        return str(error)
    return f"{quote(own)} is not a valid filter query"


def _schema_fields() -> frozenset[str]:
    """The fields of the ckanext-scheming dataset types (empty without
    scheming): known even while no indexed dataset has them."""
    try:
        from ckanext.scheming.helpers import scheming_dataset_schemas
    except ImportError:
        return frozenset()
    schemas = scheming_dataset_schemas()
    if not isinstance(schemas, dict):  # the plugin not loaded
        return frozenset()
    return frozenset(
        f["field_name"]
        for schema in schemas.values()
        for f in schema.get("dataset_fields", [])
        if "field_name" in f
    )


def _project(doc: dict[str, Any], fl: list[str], score: float) -> dict[str, Any]:
    """Keep the fields ``fl`` asks for, as Solr returns them."""
    out: dict[str, Any] = {}
    for pattern in fl:
        if pattern == "score":
            out["score"] = score
        elif pattern == "*":
            out.update({k: v for k, v in doc.items() if fields.is_stored_field(k)})
        elif any(c in pattern for c in "*?"):
            out.update(
                {
                    k: v
                    for k, v in doc.items()
                    if fnmatch.fnmatchcase(k, pattern) and k not in fields.NOT_STORED
                }
            )
        elif pattern in doc and pattern not in fields.NOT_STORED:
            out[pattern] = doc[pattern]
    return out


_SOLR_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$")


def _decode_date(value: Any) -> Any:
    if isinstance(value, str):
        match = _SOLR_DATE_RE.match(value)
        if match:
            return dt.datetime(*(int(part) for part in match.groups()[:6]))
    return value


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strip_nul(value: str | None) -> str | None:
    return value.replace("\x00", "") if isinstance(value, str) else value
