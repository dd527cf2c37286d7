"""Filters from a query string or an action's data dict, and item URLs/dicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import ckan.plugins.toolkit as tk
import flask

from ckanext.ssen_roadmap import choices
from ckanext.ssen_roadmap.timeline import STATUSES, Filters, RoadmapItem, split_values

FILTER_FIELDS = {
    "status": "roadmap_status",
    "audience": "target_audience",
    "category": "roadmap_category",
}


def one_of(values: Iterable[str]) -> str:
    """``"one of: a, b, c"``, the way every roadmap error lists what is allowed."""
    return "one of: " + ", ".join(values)


def _values(source: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(source, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = source.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _known(key: str) -> list[str]:
    """The codes a filter accepts, in the order people see them."""
    return list(STATUSES) if key == "status" else list(choices.labels(FILTER_FIELDS[key]))


@dataclass(frozen=True)
class FilterQuery:
    """Filters read from a request, with what could not be understood.

    ``errors`` maps each unknown parameter, or each filter with unknown
    values, to one sentence naming what is allowed.
    """

    filters: Filters
    errors: dict[str, str]


def read_filters(source: Mapping[str, Any], *, other_params: Iterable[str] = ()) -> FilterQuery:
    """``status``, ``audience`` and ``category`` from ``source`` (each repeated
    or comma-separated; codes or labels). Unknown values are left out of the
    filters and reported, as is any parameter that is neither a filter nor one
    of ``other_params``."""
    found: dict[str, frozenset[str]] = {}
    errors: dict[str, str] = {}
    allowed_params = [*FILTER_FIELDS, *other_params]
    for key in source:
        if key not in allowed_params:
            errors[key] = f'Unknown parameter "{key}": use {one_of(allowed_params)}'
    for key, field in FILTER_FIELDS.items():
        known = _known(key)
        codes = {choices.resolve(field, v) for v in split_values(_values(source, key))}
        unknown = sorted(codes.difference(known))
        if unknown:
            quoted = ", ".join(f'"{value}"' for value in unknown)
            errors[key] = f"Unknown {key} {quoted}: use {one_of(known)}"
        found[key] = frozenset(codes.intersection(known))
    return FilterQuery(Filters(found["status"], found["audience"], found["category"]), errors)


def parse_filters(
    source: Mapping[str, Any], *, strict: bool, other_params: Iterable[str] = ()
) -> Filters:
    """The filters of :func:`read_filters`; anything not understood raises
    ``ValidationError`` (one message per parameter) when ``strict``, and is
    left out otherwise."""
    query = read_filters(source, other_params=other_params)
    if query.errors and strict:
        raise tk.ValidationError({key: [message] for key, message in query.errors.items()})
    return query.filters


def filter_params(filters: Filters) -> list[tuple[str, str]]:
    """The query-string pairs that ask for ``filters`` (codes, in the order
    the filter menus list them): what export and feed links carry."""
    chosen = {"status": filters.statuses, "audience": filters.audiences,
              "category": filters.categories}  # fmt: skip
    return [(key, code) for key in FILTER_FIELDS for code in _known(key) if code in chosen[key]]


_MARK = "__ssen_roadmap_name__"


def _url_pattern(dataset_type: str, external: bool) -> str:
    try:
        return tk.url_for(f"{dataset_type}.read", id=_MARK, _external=external)
    except Exception:  # a type without its own blueprint (e.g. no scheming)
        return tk.url_for("dataset.read", id=_MARK, _external=external)


def dataset_url(item: RoadmapItem, *, external: bool = False) -> str:
    """The dataset's page. ``url_for`` is slow (a fraction of a millisecond):
    it runs once per dataset type and request, then names are substituted."""
    patterns = getattr(flask.g, "_ssen_roadmap_urls", None) if flask.has_app_context() else None
    if patterns is None:
        patterns = {}
        if flask.has_app_context():
            flask.g._ssen_roadmap_urls = patterns
    key = (item.dataset_type, external)
    if key not in patterns:
        patterns[key] = _url_pattern(item.dataset_type, external)
    return patterns[key].replace(_MARK, quote(item.name, safe=""))


def item_dict(item: RoadmapItem) -> dict[str, Any]:
    """The JSON shape of an item in ``ssen_roadmap_list``."""
    quarter = item.quarter
    return {
        "id": item.id,
        "name": item.name,
        "title": item.title,
        "type": item.dataset_type,
        "url": dataset_url(item, external=True),
        "status": item.status,
        "planned_release": item.planned_release or None,
        "actual_release": item.actual_release or None,
        "calendar_quarter": quarter.key if quarter else None,
        "financial_year": quarter.financial_year.label if quarter else None,
        "financial_quarter": quarter.financial_label if quarter else None,
        "quarter_label": quarter.label if quarter else None,
        "category": item.category or None,
        "target_audience": list(item.audience),
        "use_cases": list(item.use_cases),
        "note": item.note or None,
        "organization": item.organization or None,
        "private": item.private,
        "num_resources": item.num_resources,
        "metadata_modified": item.modified or None,
    }
