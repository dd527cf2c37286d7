"""What CKAN's Solr schema says about each field, and how a Solr document
becomes a row of the PostgreSQL index.

Pure module: no CKAN imports. The field kinds mirror CKAN 2.12's
``schema.xml`` so that queries written for Solr mean the same thing here:
``text`` fields are analysed (stemmed, case-insensitive), ``string`` fields
match exactly, and the catch-all ``text`` field is the weighted tsvector.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

# the multi-valued text fields of the dataset's links (``urls`` and the
# relationship fields): analysed, not stored, not sortable
LINK_FIELDS = frozenset(
    {
        "urls",
        "depends_on",
        "dependency_of",
        "derives_from",
        "has_derivation",
        "links_to",
        "linked_from",
        "child_of",
        "parent_of",
    }
)
TEXT_FIELDS = frozenset(
    {
        "title",
        "notes",
        "author",
        "author_email",
        "maintainer",
        "maintainer_email",
        "res_name",
        "res_description",
    }
    | LINK_FIELDS
)
TEXT_PREFIXES = ("extras_", "res_extras_")

# fields Solr indexes but does not return (stored="false")
NOT_STORED = frozenset(
    {
        "permission_labels",
        "text",
        "urls",
        "views_total",
        "views_recent",
        "resources_accessed_total",
        "resources_accessed_recent",
        "title_string",
    }
    | LINK_FIELDS
)
STORED = frozenset(
    {
        "index_id",
        "id",
        "site_id",
        "title",
        "title_ngram",
        "entity_type",
        "dataset_type",
        "state",
        "name",
        "name_ngram",
        "revision_id",
        "version",
        "url",
        "ckan_url",
        "download_url",
        "notes",
        "author",
        "author_email",
        "maintainer",
        "maintainer_email",
        "license",
        "license_id",
        "tags",
        "groups",
        "organization",
        "capacity",
        "res_name",
        "res_description",
        "res_format",
        "res_url",
        "res_type",
        "metadata_created",
        "metadata_modified",
        "indexed_ts",
        "data_dict",
        "validated_data_dict",
        # not stored by Solr (its ``*`` field), returned here so that ``fl=*``
        # gives the counts the default results hold (both set at indexing)
        "num_resources",
        "num_tags",
    }
)
STORED_PREFIXES = ("extras_", "res_extras_", "vocab_")

# fields Solr declares ``multiValued`` (it refuses to sort on them)
MULTI_VALUED = frozenset(
    {
        "tags",
        "groups",
        "permission_labels",
        "res_name",
        "res_description",
        "res_format",
        "res_url",
        "res_type",
        "text",
    }
    | LINK_FIELDS
)
MULTI_VALUED_PREFIXES = ("res_extras_", "vocab_")

# other fields CKAN puts in every document or sorts on (its home page sorts
# on ``view_recent``, a field no document has: Solr's ``*`` accepts it)
CORE_FIELDS = frozenset(
    {"score", "title_string", "num_resources", "num_tags", "private", "view_recent"}
)

# single-valued string fields that are also plain columns of the index table
COLUMN_FIELDS = ("id", "name", "site_id", "state", "capacity", "dataset_type")

# kept out of the JSONB document: large and only ever returned
BLOB_FIELDS = ("data_dict", "validated_data_dict")

# the weighted catch-all vector: Solr's copyField sources for ``text``
WEIGHT_A = ("name", "title")
WEIGHT_B = ("tags", "groups", "organization")
WEIGHT_B_PREFIXES = ("vocab_",)
WEIGHT_C = ("notes", "text", "license", "author", "maintainer", "url", "ckan_url", "download_url")
WEIGHT_C_PREFIXES = ("extras_",)
WEIGHT_D = ("res_name", "res_description", "res_url")
WEIGHT_D_PREFIXES = ("res_extras_",)


def is_multi_valued(field: str) -> bool:
    return field in MULTI_VALUED or field.startswith(MULTI_VALUED_PREFIXES)


def is_schema_field(field: str) -> bool:
    """True for the fields CKAN's Solr schema names (not only its catch-all
    ``*``): any other field is known only if some document holds it."""
    return (
        field in STORED
        or field in NOT_STORED
        or field in TEXT_FIELDS
        or field in CORE_FIELDS
        or field.startswith(STORED_PREFIXES)
        or field.endswith("_date")
    )


_HYPHEN_RE = re.compile(r"(?<=\w)-(?=\w)")
_HYPHENATED_RE = re.compile(r"\w+(?:-\w+)+")


def split_hyphens(text: str) -> str:
    """Hyphens between word characters as spaces, as Solr's tokenizer splits
    ``smart-meter`` into ``smart`` and ``meter`` (PostgreSQL's parser would
    also make the compound ``smart-meter`` a lexeme of its own)."""
    return _HYPHEN_RE.sub(" ", text)


def index_text(text: str) -> str:
    """Text as it goes into the search vector: hyphenated words split into
    their parts (in place, so phrases match across them), and each one also
    joined (``smartmeter``) at the end, as Solr's index analyser catenates."""
    joined = [m.group(0).replace("-", "") for m in _HYPHENATED_RE.finditer(text)]
    return " ".join([split_hyphens(text), *joined])


def is_text_field(field: str) -> bool:
    """True for fields Solr analyses (matching by words, not whole values)."""
    return field in TEXT_FIELDS or field.startswith(TEXT_PREFIXES)


# fields whose values are never numbers: sorted as text only (ISO dates
# sort chronologically as text)
TEXTUAL_SORT_FIELDS = frozenset(
    {
        "name",
        "title",
        "title_string",
        "id",
        "state",
        "organization",
        "license_id",
        "dataset_type",
        "metadata_created",
        "metadata_modified",
        "indexed_ts",
        "capacity",
    }
)


def is_textual_sort_field(field: str) -> bool:
    return field in TEXTUAL_SORT_FIELDS or is_date_field(field)


def is_stored_field(field: str) -> bool:
    """True for fields Solr returns in ``fl``."""
    if field in NOT_STORED:
        return False
    return field in STORED or field.startswith(STORED_PREFIXES) or field.endswith("_date")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_as_text(v) for v in value.values())
    return str(value)


def weighted_texts(doc: dict[str, Any]) -> dict[str, str]:
    """The text of each weight class (A > B > C > D) of the search vector."""

    def collect(names: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> str:
        parts = [_as_text(doc.get(n)) for n in names]
        if prefixes:
            parts += [_as_text(v) for k, v in sorted(doc.items()) if k.startswith(prefixes)]
        return index_text(" ".join(p for p in parts if p))

    return {
        "A": collect(WEIGHT_A),
        "B": collect(WEIGHT_B, WEIGHT_B_PREFIXES),
        "C": collect(WEIGHT_C, WEIGHT_C_PREFIXES),
        "D": collect(WEIGHT_D, WEIGHT_D_PREFIXES),
    }


def _json_list_in_string(value: Any) -> list[Any] | None:
    """ckanext-scheming stores multiple-choice values as a JSON list inside a
    string (``'["a", "b"]'``): return the list when ``value`` is one."""
    if not isinstance(value, str) or not value.startswith("[") or not value.endswith("]"):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(v, (str, int, float, bool)) for v in parsed):
        return parsed
    return None


DATE_FIELDS = frozenset({"metadata_created", "metadata_modified", "indexed_ts"})
_ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$")


def is_date_field(field: str) -> bool:
    return field in DATE_FIELDS or field.endswith("_date")


def solr_date_value(value: str) -> str:
    """A date as Solr stores and returns it: UTC, millisecond precision,
    trailing zeros of the fraction dropped (``2014-06-10T08:24:12.78Z``)."""
    match = _ISO_RE.match(value)
    if not match:
        return value
    base, fraction, zone = match.groups()
    if zone and zone != "Z":
        moment = dt.datetime.fromisoformat(base + zone).astimezone(dt.UTC)
        base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = (fraction or "")[:3].rstrip("0")
    return f"{base}.{millis}Z" if millis else f"{base}Z"


def index_document(
    solr_doc: dict[str, Any],
    now: dt.datetime | None = None,
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Split a document built by CKAN for Solr into the JSONB document and
    the blob columns, as Solr would store it: dates normalised, an
    ``indexed_ts``, and JSON lists stored in strings turned into real lists
    (so facets count each choice) except in the analysed ``extras_*``."""
    doc: dict[str, Any] = {}
    blobs: dict[str, str | None] = {name: None for name in BLOB_FIELDS}
    for key, value in solr_doc.items():
        if key in BLOB_FIELDS:
            blobs[key] = value
            continue
        if isinstance(value, str) and is_date_field(key):
            value = solr_date_value(value)
        elif not is_text_field(key):
            as_list = _json_list_in_string(value)
            if as_list is not None:
                value = as_list
        doc[key] = value
    if "indexed_ts" not in doc:
        moment = now or dt.datetime.now(dt.UTC)
        doc["indexed_ts"] = solr_date_value(moment.strftime("%Y-%m-%dT%H:%M:%S.%f"))
    return doc, blobs
