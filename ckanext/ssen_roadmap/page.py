"""The roadmap page's model: the document, and one timeline per placeholder."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from markupsafe import Markup

from ckanext.ssen_roadmap import choices
from ckanext.ssen_roadmap import items as roadmap_items
from ckanext.ssen_roadmap.document import Document, Segment, parse_document
from ckanext.ssen_roadmap.timeline import (
    STATUSES,
    Chart,
    Filters,
    RoadmapItem,
    Timeline,
    build_chart,
    build_timeline,
    split_values,
)

_doc_lock = threading.Lock()
_doc_cache: dict[str, tuple[float, Document]] = {}


def document_path(spec: str | None = None) -> str:
    """``module:relative/path`` or a file path -> an absolute file path."""
    spec = spec or tk.config.get("ckanext.ssen_roadmap.document")
    if ":" in spec and not os.path.isabs(spec):
        module_name, relative = spec.split(":", 1)
        module = import_module(module_name)
        base = os.path.dirname(module.__file__ or "")
        return os.path.join(base, relative)
    return spec


def load_document(spec: str | None = None) -> Document:
    """The parsed document, re-read only when the file changes."""
    path = document_path(spec)
    mtime = os.stat(path).st_mtime
    with _doc_lock:
        hit = _doc_cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
    # Undecodable bytes are kept as cp1252 guesses for ftfy to repair.
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        raw = handle.read()
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        with open(path, encoding="cp1252", errors="replace") as handle:
            raw = handle.read()
    document = parse_document(raw)
    with _doc_lock:
        _doc_cache[path] = (mtime, document)
    return document


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class TimelineView:
    """Everything one ``<Timeline />`` needs to render."""

    index: int
    timeline: Timeline
    chart: Chart | None
    show_filters: bool
    fixed: Filters
    filters: Filters
    options: dict[str, list[FilterOption]]
    heading: str

    @property
    def dom_id(self) -> str:
        return f"roadmap-timeline-{self.index}"


def placeholder_filters(attrs: dict[str, str]) -> Filters:
    return Filters(
        statuses=frozenset(
            choices.resolve("roadmap_status", v) for v in split_values(attrs.get("status"))
        ),
        audiences=frozenset(
            choices.resolve("target_audience", v) for v in split_values(attrs.get("audience"))
        ),
        categories=frozenset(
            choices.resolve("roadmap_category", v) for v in split_values(attrs.get("category"))
        ),
    )


def _flag(attrs: dict[str, str], name: str, default: bool = True) -> bool:
    if name not in attrs:
        return default
    return attrs[name].strip().lower() not in {"false", "no", "0", "off"}


def timeline_view(segment: Segment, items: tuple[RoadmapItem, ...], query: Filters) -> TimelineView:
    fixed = placeholder_filters(segment.attrs)
    effective = fixed.narrowed_by(query)
    timeline = build_timeline(items, effective)
    status_labels = choices.labels("roadmap_status")

    def options(values: list[str], labels: dict[str, str], chosen: frozenset[str]) -> list[Any]:
        return [FilterOption(v, labels.get(v, v), v in chosen) for v in values]

    allowed_status = [s for s in STATUSES if not fixed.statuses or s in fixed.statuses]
    audience_labels = choices.labels("target_audience")
    allowed_audience = [a for a in audience_labels if not fixed.audiences or a in fixed.audiences]
    category_labels = choices.short_category_labels()
    allowed_category = [c for c in category_labels if not fixed.categories or c in fixed.categories]
    return TimelineView(
        index=segment.index,
        timeline=timeline,
        chart=build_chart(timeline.quarters) if _flag(segment.attrs, "chart") else None,
        show_filters=_flag(segment.attrs, "filters"),
        fixed=fixed,
        filters=query,
        options={
            "status": options(allowed_status, status_labels, query.statuses),
            "audience": options(allowed_audience, audience_labels, query.audiences),
            "category": options(allowed_category, category_labels, query.categories),
        },
        heading=segment.attrs.get("title", "") or tk._("Roadmap timeline"),
    )


_html_cache = roadmap_items.LruCache("ckanext.ssen_roadmap.cache_size")
roadmap_items._clear_hooks.append(_html_cache.clear)


def render_timeline(
    segment: Segment, context: Context, query: Filters, key: tuple[Any, ...] | None = None
) -> Markup:
    """One timeline's HTML, cached like the items (per permission labels and
    catalogue stamp: ``key``, computed once per request) and per placeholder,
    filters, language and URL root."""
    if not roadmap_items.caching():
        items = roadmap_items.visible_items(context)
        return _render(timeline_view(segment, items, query))
    key = key or roadmap_items.cache_key(context)
    html_key = (
        key,
        segment.index,
        tuple(sorted(segment.attrs.items())),
        query,
        tk.h.lang(),
        tk.request.script_root,
        tk.request.host_url,
    )
    html = _html_cache.get(html_key)
    if html is None:
        items = roadmap_items.visible_items(context, key)
        html = _render(timeline_view(segment, items, query))
        _html_cache.put(html_key, html)
    return html


def _render(view: TimelineView) -> Markup:
    return Markup(tk.render_snippet("ssen_roadmap/snippets/timeline.html", {"tl": view}))
