"""Compile the Lucene/Solr query syntax CKAN sends into PostgreSQL.

Pure module: no CKAN imports. ``q`` and each ``fq`` are parsed with luqum (a
real Lucene grammar) and the tree is compiled into a SQL boolean expression
over the index table aliased ``d`` (``d.doc`` JSONB, ``d.search_vector``).
Values never enter the SQL text: they are bound parameters collected in
:attr:`SqlCompiler.params`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from collections.abc import Callable
from typing import Any

from luqum.exceptions import ParseError
from luqum.parser import parser
from luqum.tree import (
    AndOperation,
    Boost,
    FieldGroup,
    From,
    Fuzzy,
    Group,
    Item,
    Not,
    OrOperation,
    Phrase,
    Plus,
    Prohibit,
    Proximity,
    Range,
    Regex,
    SearchField,
    To,
    UnknownOperation,
    Word,
)

from ckanext.ssen_search.fields import (
    COLUMN_FIELDS,
    is_multi_valued,
    is_schema_field,
    is_text_field,
    is_textual_sort_field,
    split_hyphens,
)

DOC = "d.doc"
VECTOR = "d.search_vector"
CATCH_ALL = "text"
NGRAM_SUFFIX = "_ngram"

_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_NUMBER_SQL_RE = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DATE_MATH_RE = re.compile(r"([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?)")
_ROUND_RE = re.compile(r"/(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?")
_SORT_RE = re.compile(r"^([A-Za-z0-9_.\-]+)\s+(asc|desc)$", re.IGNORECASE)
_CONFIG_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD_SPLIT_RE = re.compile(r"[^\w]+", re.UNICODE)
_EMPTY_FIELD_RE = re.compile(r"(?<![\\\w])([A-Za-z0-9_.\-]+):\s*(?=$|\))")

# what a clause without any searchable term (only stop words or punctuation)
# compiles to: dropped from the query around it, as Solr drops it; a query
# made only of such clauses matches nothing, as in Solr
NO_TERM = "FALSE /* no searchable term */"

# what may follow ``field:`` (anything else, e.g. ``tags: +state:x``, means
# the field was given no value)
_FIELD_VALUES = (Word, Phrase, Group, FieldGroup, Range, From, To, Regex, Fuzzy, Proximity, Boost)


class SearchSyntaxError(ValueError):
    """The query uses syntax the PostgreSQL backend cannot answer."""


def quote(text: str) -> str:
    """``text`` in double quotes, as messages quote what the caller wrote
    (CKAN shows messages with ``repr``, which would escape single quotes)."""
    return json.dumps(text, ensure_ascii=False)


def parse(query: str) -> Item:
    """Parse ``query`` with luqum, as a :class:`SearchSyntaxError` on failure."""
    try:
        return parser.parse(query)
    except (ParseError, TypeError, ValueError) as error:
        empty = _EMPTY_FIELD_RE.search(query)
        if empty:
            field = empty.group(1) + ":"
            raise SearchSyntaxError(f"{quote(field)} has no value in {quote(query)}") from error
        raise SearchSyntaxError(f"Cannot parse query {quote(query)}: {error}") from error


def _combine(parts: list[str], operator: str) -> str:
    """``parts`` joined by ``operator``, without clauses that had no term."""
    kept = [part for part in parts if part != NO_TERM]
    if not kept:
        return NO_TERM
    return "(" + f" {operator} ".join(kept) + ")"


def unescape(value: str) -> str:
    r"""Drop Lucene's backslash escapes (``b\:c`` -> ``b:c``)."""
    out = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            out.append(next(chars, ""))
        else:
            out.append(char)
    return "".join(out)


def _wildcard_parts(value: str) -> list[tuple[str, bool]]:
    """Split a raw (escaped) word into (chunk, is_wildcard) pieces."""
    parts: list[tuple[str, bool]] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            parts.append((next(chars, ""), False))
        elif char in "*?":
            parts.append((char, True))
        else:
            parts.append((char, False))
    return parts


def has_wildcard(value: str) -> bool:
    return any(is_wild for _, is_wild in _wildcard_parts(value))


def like_pattern(value: str) -> str:
    """A Lucene wildcard word as a SQL LIKE pattern (``\\`` escapes)."""
    out = []
    for chunk, is_wild in _wildcard_parts(value):
        if is_wild:
            out.append("%" if chunk == "*" else "_")
        else:
            out.append(chunk.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
    return "".join(out)


def solr_date(value: str, now: dt.datetime | None = None) -> str:
    """A Solr date or date-math expression as ``YYYY-MM-DDTHH:MM:SS``."""
    value = value.strip()
    if value.upper().startswith("NOW"):
        moment = now or dt.datetime.now(dt.UTC)
        rest = value[3:].upper()
        for unit in _ROUND_RE.findall(rest):
            moment = _round(moment, unit)
        for sign, amount, unit in _DATE_MATH_RE.findall(rest):
            moment = _shift(moment, int(amount) * (1 if sign == "+" else -1), unit.rstrip("S"))
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    if not _DATE_RE.match(value):
        raise SearchSyntaxError(f"Not a date: {value!r}")
    head = value.rstrip("Z")
    if len(head) == 10:
        head += "T00:00:00"
    return head[:19]


def _round(moment: dt.datetime, unit: str) -> dt.datetime:
    fields = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]
    keep = fields.index(unit) + 1
    values = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]
    defaults = [1, 1, 1, 0, 0, 0]
    parts = values[:keep] + defaults[keep:]
    return dt.datetime(*parts, tzinfo=moment.tzinfo)  # type: ignore[misc]


def _shift(moment: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == "YEAR":
        return moment.replace(year=moment.year + amount)
    if unit == "MONTH":
        month0 = moment.month - 1 + amount
        return moment.replace(year=moment.year + month0 // 12, month=month0 % 12 + 1, day=1)
    seconds = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}[unit]
    return moment + dt.timedelta(seconds=amount * seconds)


def parse_mm(spec: str | None, clauses: int) -> int:
    """How many of ``clauses`` optional clauses must match, per Solr's
    ``mm`` (minimum should match) syntax, e.g. ``2<-1 5<80%``."""
    if clauses <= 0:
        return 0
    if not spec:
        return clauses
    spec = spec.strip()

    def apply(expr: str) -> int:
        expr = expr.strip()
        if expr.endswith("%"):
            pct = int(expr[:-1])
            required = (
                clauses * pct // 100
                if pct >= 0
                else clauses + (clauses * pct // 100 + (1 if (clauses * pct) % 100 else 0))
            )
        else:
            num = int(expr)
            required = num if num >= 0 else clauses + num
        return max(0, min(clauses, required))

    try:
        if "<" not in spec:
            return apply(spec)
        required = clauses
        for cond in spec.split():
            limit, expr = cond.split("<", 1)
            if clauses > int(limit):
                required = apply(expr)
        return required
    except ValueError as error:
        raise SearchSyntaxError(f"Invalid mm parameter: {spec!r}") from error


class SqlCompiler:
    """Compiles queries into SQL fragments; one instance per search."""

    def __init__(
        self,
        ts_config: str = "english",
        now: dt.datetime | None = None,
        default_operator: str = "AND",
        is_empty_query: Callable[[str, bool], bool] | None = None,
        field_exists: Callable[[str], bool] | None = None,
    ) -> None:
        """``is_empty_query(text, phrase)`` tells whether the text analyses to
        no lexeme at all (only stop words, punctuation): such a clause is
        dropped, as Solr drops it, and the rest of the query keeps using the
        GIN index; a query of nothing else matches nothing. Without it the
        check is left to SQL (the clause matches everything; the index cannot
        be used). ``field_exists(name)`` tells whether a field outside CKAN's
        schema is known (sorting on an unknown field is an error); without it
        any field may be sorted on."""
        if not _CONFIG_RE.match(ts_config):
            raise ValueError(f"Invalid text search configuration name: {ts_config!r}")
        self.cfg = f"'{ts_config}'::regconfig"
        self.params: dict[str, Any] = {}
        self.rank_queries: list[str] = []
        self.now = now
        self.default_operator = "OR" if str(default_operator).upper() == "OR" else "AND"
        self.is_empty_query = is_empty_query
        self.field_exists = field_exists

    # -- parameters ---------------------------------------------------------
    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def bind_json(self, value: Any) -> str:
        return f"CAST({self.bind(json.dumps(value))} AS jsonb)"

    # -- entry points -------------------------------------------------------
    def lucene(self, query: str, default_field: str = CATCH_ALL) -> str:
        """A standard Lucene query (``q`` with a colon, each ``fq``)."""
        query = query.strip()
        if query.startswith("{!"):
            return self.local_params(query)
        if not query or query in ("*:*", "*"):
            return "TRUE"
        return self._node(parse(query), None, default_field)

    def local_params(self, query: str) -> str:
        """Solr local parameters (``{!type k=v}rest``) for the query parsers
        that have a meaning here: ``lucene`` (``q.op``, ``df``, ``v``),
        ``bool`` (``must``, ``filter``, ``must_not``, ``should``), ``dismax``
        and ``edismax``, ``field``/``term`` and ``prefix`` (``f``)."""
        end = query.find("}")
        if end < 0:
            raise SearchSyntaxError(f"Unterminated local parameters in {query!r}")
        try:
            tokens = shlex.split(query[2:end])
        except ValueError as error:
            raise SearchSyntaxError(f"Invalid local parameters in {query!r}") from error
        rest = query[end + 1 :].strip()
        kind = "lucene"
        params: dict[str, list[str]] = {}
        for i, token in enumerate(tokens):
            if "=" in token:
                key, value = token.split("=", 1)
                params.setdefault(key, []).append(value)
            elif i == 0:
                kind = token
            else:
                raise SearchSyntaxError(f"Invalid local parameter {token!r} in {query!r}")
        kind = params.pop("type", [kind])[0]
        value = params.get("v", [rest])[0]
        if kind == "lucene":
            saved = self.default_operator
            self.default_operator = params.get("q.op", [saved])[0].upper()
            try:
                return self.lucene(value, params.get("df", [CATCH_ALL])[0])
            finally:
                self.default_operator = saved
        if kind in ("dismax", "edismax"):
            return self.dismax(value, params.get("mm", [None])[0])
        if kind in ("field", "term", "prefix"):
            field = params.get("f", [""])[0]
            if not field:
                raise SearchSyntaxError(f"The {kind!r} query parser needs f=<field>")
            if kind == "prefix":
                return self._wildcard(field, value.replace("\\", "\\\\").replace("*", "\\*") + "*")
            return self._leaf(field, value, kind == "field")
        if kind == "bool":
            parts = [self.lucene(v) for key in ("must", "filter") for v in params.get(key, [])]
            parts += [self._not(self.lucene(v)) for v in params.get("must_not", [])]
            should = [self.lucene(v) for v in params.get("should", [])]
            if should:
                parts.append(_combine(should, "OR"))
            return _combine(parts, "AND") if parts else "TRUE"
        raise SearchSyntaxError(f"Local parameters query parser {kind!r} is not supported")

    def dismax(self, query: str, mm: str | None = None) -> str:
        """A free-text query (Solr's dismax): words, ``"phrases"``, ``+``/``-``,
        matched against the weighted catch-all vector and ranked."""
        query = query.strip()
        if query.startswith("{!"):
            return self.local_params(query)
        if not query or query in ("*:*", "*"):
            return "TRUE"
        try:
            tree = parser.parse(query)
        except (ParseError, TypeError, ValueError):
            words = [w for w in _WORD_SPLIT_RE.split(query) if w]
            tree = (
                UnknownOperation(*[Word(w) for w in words])
                if len(words) > 1
                else (Word(words[0]) if words else None)
            )
            if tree is None:
                return NO_TERM  # punctuation only: nothing to search for
        if isinstance(tree, UnknownOperation):
            required, optional = [], []
            for child in tree.children:
                sql = self._node(child, None, CATCH_ALL)
                if sql == NO_TERM:
                    continue  # a stop word does not count towards mm
                (optional if not isinstance(child, (Plus, Prohibit, Not)) else required).append(sql)
            need = parse_mm(mm, len(optional))
            if optional and need < len(optional):
                counted = " + ".join(f"(CASE WHEN {s} THEN 1 ELSE 0 END)" for s in optional)
                required.append(f"({counted}) >= {max(need, 1)}")
            else:
                required.extend(optional)
            return _combine(required, "AND")
        return self._node(tree, None, CATCH_ALL)

    def score(self) -> str:
        """The ranking expression for the free-text parts compiled so far."""
        if not self.rank_queries:
            return "1.0::float4"
        combined = " || ".join(self.rank_queries)
        return f"ts_rank({VECTOR}, {combined})"

    def order_by(self, sort: str | None) -> str:
        """``sort`` (``field asc|desc, ...``) as an ORDER BY list."""
        clauses: list[str] = []
        for raw in (sort or "score desc").split(","):
            raw = raw.strip()
            if not raw:
                continue
            match = _SORT_RE.match(raw)
            if not match:
                expected = '"<field> asc" or "<field> desc"'
                raise SearchSyntaxError(
                    f'Invalid "sort" parameter: {quote(raw)} (expected {expected})'
                )
            field, direction = match.group(1), match.group(2).upper()
            if is_multi_valued(field):
                raise SearchSyntaxError(
                    f'Invalid "sort" parameter: {quote(raw)} ({quote(field)} holds several values '
                    "per dataset; it cannot be sorted on)"
                )
            known = is_schema_field(field) or self.field_exists is None
            if not (known or self.field_exists(field)):
                raise SearchSyntaxError(
                    f'Invalid "sort" parameter: {quote(raw)} '
                    f"(no dataset has a field {quote(field)})"
                )
            if field == "score":
                if self.rank_queries:  # otherwise every score is the same
                    clauses.append(f"score {direction}")
                continue
            if field == "metadata_modified":
                clauses.append(f"d.metadata_modified {direction} NULLS LAST")
                continue
            key = self.bind(field)
            if not is_textual_sort_field(field):
                # numbers (also numbers kept in strings) first, in numeric order
                clauses.append(
                    f"(CASE WHEN {DOC} ->> {key} ~ '{_NUMBER_SQL_RE}' "
                    f"THEN ({DOC} ->> {key})::numeric END) {direction} NULLS LAST"
                )
            clauses.append(f'({DOC} ->> {key}) COLLATE "C" {direction} NULLS LAST')
        clauses.append("d.indexed_at ASC")
        return ", ".join(clauses)

    # -- tree walking -------------------------------------------------------
    def _node(self, node: Item, field: str | None, default_field: str) -> str:
        if isinstance(node, SearchField):
            name = unescape(node.name)
            if name == "*" and isinstance(node.expr, Word) and node.expr.value == "*":
                return "TRUE"
            if not isinstance(node.expr, _FIELD_VALUES):
                raise SearchSyntaxError(f"{quote(name + ':')} has no value")
            return self._node(node.expr, name, default_field)
        if isinstance(node, (Group, FieldGroup)):
            return self._node(node.expr, field, default_field)
        if isinstance(node, UnknownOperation) and self.default_operator == "OR":
            return self._implicit_or(node, field, default_field)
        if isinstance(node, (AndOperation, UnknownOperation)):
            return _combine([self._node(c, field, default_field) for c in node.children], "AND")
        if isinstance(node, OrOperation):
            return _combine([self._node(c, field, default_field) for c in node.children], "OR")
        if isinstance(node, Plus):
            return self._node(node.a, field, default_field)
        if isinstance(node, (Prohibit, Not)):
            rank_before = len(self.rank_queries)
            inner = self._node(node.a, field, default_field)
            del self.rank_queries[rank_before:]
            return self._not(inner)
        if isinstance(node, Boost):
            return self._node(node.expr, field, default_field)
        if isinstance(node, Proximity):
            return self._leaf(field or default_field, unescape(node.term.value[1:-1]), False)
        if isinstance(node, Fuzzy):
            raise SearchSyntaxError(f"Fuzzy queries are not supported: {node}")
        if isinstance(node, Regex):
            raise SearchSyntaxError(f"Regular expression queries are not supported: {node}")
        if isinstance(node, Range):
            return self._range(
                field or default_field,
                node.low.value,
                node.high.value,
                node.include_low,
                node.include_high,
            )
        if isinstance(node, From):
            return self._range(field or default_field, node.a.value, "*", node.include, True)
        if isinstance(node, To):
            return self._range(field or default_field, "*", node.a.value, True, node.include)
        if isinstance(node, Phrase):
            return self._leaf(field or default_field, unescape(node.value[1:-1]), True)
        if isinstance(node, Word):
            target = field or default_field
            if node.value == "*":
                return self._exists(target)
            if has_wildcard(node.value):
                return self._wildcard(target, node.value)
            return self._leaf(target, unescape(node.value), False)
        raise SearchSyntaxError(f"Unsupported query syntax: {node} ({type(node).__name__})")

    def _implicit_or(self, node: UnknownOperation, field: str | None, default_field: str) -> str:
        """``q.op=OR``: plain clauses are optional (one must match unless a
        ``+`` clause exists), ``+`` required, ``-`` prohibited."""
        required, optional = [], []
        for child in node.children:
            sql = self._node(child, field, default_field)
            if sql != NO_TERM:
                (required if isinstance(child, (Plus, Prohibit, Not)) else optional).append(sql)
        if optional and not required:
            required.append("(" + " OR ".join(optional) + ")")
        return _combine(required, "AND")

    @staticmethod
    def _not(inner: str) -> str:
        return NO_TERM if inner == NO_TERM else f"(NOT {inner})"

    # -- leaves -------------------------------------------------------------
    def _tsquery(self, text: str, phrase: bool) -> str:
        function = "phraseto_tsquery" if phrase else "plainto_tsquery"
        return f"{function}({self.cfg}, {self.bind(text)})"

    def _field_vector(self, field: str) -> str:
        return (
            f"jsonb_to_tsvector({self.cfg}, coalesce({DOC} -> {self.bind(field)}, "
            '\'""\'::jsonb), \'["string", "numeric"]\')'
        )

    def _leaf(self, field: str, value: str, phrase: bool) -> str:
        if field.endswith(NGRAM_SUFFIX):
            return self._substrings(field[: -len(NGRAM_SUFFIX)], value)
        if field == CATCH_ALL or is_text_field(field):
            value = split_hyphens(value)
            if self.is_empty_query is not None and self.is_empty_query(value, phrase):
                return NO_TERM  # stop words or punctuation only: Solr drops the clause
            tsq = self._tsquery(value, phrase)
            vector = VECTOR if field == CATCH_ALL else self._field_vector(field)
            if field == CATCH_ALL:
                self.rank_queries.append(tsq)
            if self.is_empty_query is not None:
                return f"({vector} @@ {tsq})"
            return f"(numnode({tsq}) = 0 OR {vector} @@ {tsq})"
        return self._equals(field, value)

    def _substrings(self, field: str, value: str) -> str:
        """Solr's ``*_ngram`` copies (autocomplete): every word of ``value``
        occurs inside the field, ignoring case."""
        words = [w for w in value.split() if w] or [""]
        tests = []
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            tests.append(
                f"EXISTS (SELECT 1 FROM {self._elements(field)} AS el(v) "
                f"WHERE el.v ILIKE {self.bind('%' + escaped + '%')})"
            )
        return "(" + " AND ".join(tests) + ")"

    def _equals(self, field: str, value: str) -> str:
        if field in COLUMN_FIELDS:
            return f"(d.{field} = {self.bind(value)})"
        candidates: list[Any] = [value]
        if value in ("true", "false"):
            candidates.append(value == "true")
        elif _NUMBER_RE.match(value):
            number = float(value)
            candidates.append(int(number) if number.is_integer() else number)
        tests = []
        for candidate in candidates:
            tests.append(f"{DOC} @> {self.bind_json({field: candidate})}")
            tests.append(f"{DOC} @> {self.bind_json({field: [candidate]})}")
        return "(" + " OR ".join(tests) + ")"

    def _elements(self, field: str) -> str:
        key = self.bind(field)
        return (
            f"jsonb_array_elements_text(CASE jsonb_typeof({DOC} -> {key}) WHEN 'array' "
            f"THEN {DOC} -> {key} ELSE jsonb_build_array({DOC} -> {key}) END)"
        )

    def _exists(self, field: str) -> str:
        if field == CATCH_ALL:
            return "TRUE"
        key = self.bind(field)
        return (
            f"({DOC} ? {key} AND jsonb_typeof({DOC} -> {key}) <> 'null' "
            f"AND {DOC} -> {key} <> '[]'::jsonb)"
        )

    def _wildcard(self, field: str, raw: str) -> str:
        parts = _wildcard_parts(raw)
        trailing_only = (
            len(parts) > 1 and parts[-1] == ("*", True) and not any(w for _, w in parts[:-1])
        )
        if field == CATCH_ALL or is_text_field(field):
            if trailing_only:
                stem = "".join(c for c, _ in parts[:-1])
                words = [w for w in _WORD_SPLIT_RE.split(stem) if w]
                if not words:
                    return self._exists(field)
                terms = [w.replace("'", "") for w in words]
                expression = " & ".join(f"'{t}'" for t in terms[:-1])
                expression += (" & " if expression else "") + f"'{terms[-1]}':*"
                tsq = f"to_tsquery({self.cfg}, {self.bind(expression)})"
                vector = VECTOR if field == CATCH_ALL else self._field_vector(field)
                if field == CATCH_ALL:
                    self.rank_queries.append(tsq)
                return f"({vector} @@ {tsq})"
            pattern = self.bind(like_pattern(raw).lower())
            vector = VECTOR if field == CATCH_ALL else self._field_vector(field)
            return (
                f"EXISTS (SELECT 1 FROM unnest(tsvector_to_array({vector})) AS lx(v) "
                f"WHERE lx.v LIKE {pattern})"
            )
        pattern = self.bind(like_pattern(raw))
        return f"EXISTS (SELECT 1 FROM {self._elements(field)} AS el(v) WHERE el.v LIKE {pattern})"

    def _range(self, field: str, low: str, high: str, inc_low: bool, inc_high: bool) -> str:
        low, high = unescape(low.strip('"')), unescape(high.strip('"'))
        bounds = [b for b in (low, high) if b != "*"]
        if not bounds:
            return self._exists(field)
        if field == CATCH_ALL:
            raise SearchSyntaxError(f"Range queries need a field: [{low} TO {high}]")
        conditions = []
        if all(_NUMBER_RE.match(b) for b in bounds):
            value = f"(CASE WHEN el.v ~ '{_NUMBER_SQL_RE}' THEN el.v::numeric END)"
            convert: Any = float
        elif all(b.upper().startswith("NOW") or _DATE_RE.match(b) for b in bounds):
            value = "left(el.v, 19)"
            convert = lambda b: solr_date(b, self.now)  # noqa: E731
        else:
            value = 'el.v COLLATE "C"'
            convert = str
        if low != "*":
            conditions.append(f"{value} {'>=' if inc_low else '>'} {self.bind(convert(low))}")
        if high != "*":
            conditions.append(f"{value} {'<=' if inc_high else '<'} {self.bind(convert(high))}")
        return (
            f"EXISTS (SELECT 1 FROM {self._elements(field)} AS el(v) "
            f"WHERE {' AND '.join(conditions)})"
        )
