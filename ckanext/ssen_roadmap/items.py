"""Roadmap items from the catalogue, as the viewer may see them.

Items come from ``package_search`` run with the viewer's own context and
``include_private``, so the search backend's permission labels decide what a
viewer sees: private datasets only reach members of their organisation (and
sysadmins). Results are cached in-process per *set of permission labels*
(everyone with the same labels sees the same datasets) and per *catalogue
stamp* (latest ``metadata_modified`` and number of datasets in each state), so
any dataset change invalidates them at once; a TTL bounds what the stamp
cannot see (an organisation renamed without touching its datasets).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context
from sqlalchemy import text

from ckanext.ssen_roadmap.timeline import RoadmapItem

PAGE_SIZE = 1000


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, list):
                return [str(v) for v in decoded if str(v).strip()]
        return [part.strip() for part in text.split(",") if part.strip()]
    return [str(v) for v in value if str(v).strip()]


def item_from_dataset(pkg: dict[str, Any]) -> RoadmapItem | None:
    """The roadmap view of a dataset dict (None when it is not on the roadmap)."""
    extras = {e.get("key"): e.get("value") for e in pkg.get("extras") or []}

    def field(name: str) -> Any:
        value = pkg.get(name)
        return extras.get(name) if value in (None, "") else value

    status = field("roadmap_status")
    if not status:
        return None
    organization = pkg.get("organization") or {}
    use_cases = str(field("use_cases") or "")
    return RoadmapItem(
        id=pkg.get("id", ""),
        name=pkg.get("name", ""),
        title=pkg.get("title") or pkg.get("name", ""),
        status=str(status),
        planned_release=str(field("roadmap_planned_release") or ""),
        actual_release=str(field("roadmap_actual_release") or "")[:10],
        category=str(field("roadmap_category") or ""),
        audience=tuple(_as_list(field("target_audience"))),
        use_cases=tuple(line.strip() for line in use_cases.splitlines() if line.strip()),
        note=str(field("roadmap_note") or ""),
        organization=(organization.get("title") or organization.get("name") or "")
        if isinstance(organization, dict)
        else "",
        private=bool(pkg.get("private")),
        modified=str(pkg.get("metadata_modified") or ""),
        dataset_type=pkg.get("type") or "dataset",
        num_resources=int(pkg.get("num_resources") or len(pkg.get("resources") or [])),
    )


def search_items(context: Context) -> tuple[RoadmapItem, ...]:
    """Every roadmap item the context's user may see, straight from the search."""
    items: list[RoadmapItem] = []
    start = 0
    while True:
        result = tk.get_action("package_search")(
            Context(context),
            {
                "q": "*:*",
                "rows": PAGE_SIZE,
                "start": start,
                "sort": "metadata_modified desc",
                "include_private": True,
            },
        )
        for pkg in result["results"]:
            item = item_from_dataset(pkg)
            if item is not None:
                items.append(item)
        # ckan.search.rows_max may clamp rows below PAGE_SIZE: step by what came.
        start += len(result["results"])
        if start >= result["count"] or not result["results"]:
            return tuple(items)


_STAMP_SQL = text(
    "SELECT max(metadata_modified), count(*), "
    "count(*) FILTER (WHERE state = 'active'), "
    "count(*) FILTER (WHERE private) FROM package"
)


def catalogue_stamp() -> tuple[Any, ...]:
    """Changes whenever any dataset is created, edited, deleted or purged."""
    return tuple(model.Session.execute(_STAMP_SQL).one())


def _viewer_key(context: Context) -> tuple[str, ...]:
    """The permission labels ``package_search`` will apply for this context."""
    user_name = context.get("user") or ""
    if context.get("ignore_auth") or (user_name and authz.is_sysadmin(user_name)):
        return ("*everything*",)
    user_obj = context.get("auth_user_obj") or (model.User.get(user_name) if user_name else None)
    labels = get_permission_labels().get_user_dataset_labels(user_obj)
    return tuple(sorted(labels))


def caching() -> bool:
    return tk.asbool(tk.config.get("ckanext.ssen_roadmap.cache"))


def cache_key(context: Context) -> tuple[Any, ...]:
    """Who sees what (permission labels) and the catalogue's state, for caches
    of anything built from :func:`search_items`."""
    return (_viewer_key(context), catalogue_stamp())


class LruCache:
    """A small thread-safe LRU with a TTL, sized by a config option."""

    def __init__(self, size_option: str) -> None:
        self._size_option = size_option
        self._lock = threading.Lock()
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any) -> Any:
        ttl = tk.asint(tk.config.get("ckanext.ssen_roadmap.cache_ttl"))
        with self._lock:
            hit = self._data.get(key)
            if hit is None or time.monotonic() - hit[0] >= ttl:
                return None
            self._data.move_to_end(key)
            return hit[1]

    def put(self, key: Any, value: Any) -> None:
        size = tk.asint(tk.config.get(self._size_option))
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_items_cache = LruCache("ckanext.ssen_roadmap.cache_size")


def visible_items(context: Context, key: tuple[Any, ...] | None = None) -> tuple[RoadmapItem, ...]:
    """:func:`search_items`, cached per permission labels and catalogue stamp."""
    if not caching():
        return search_items(context)
    key = key or cache_key(context)
    items = _items_cache.get(key)
    if items is None:
        items = search_items(context)
        _items_cache.put(key, items)
    return items


def clear_cache() -> None:
    _items_cache.clear()
    for hook in _clear_hooks:
        hook()


_clear_hooks: list[Any] = []
