"""What of a harvest source only its editors may see. Pure logic (no CKAN).

A source's ``config`` names folders on this machine and URLs of the raw
data. ckanext-harvest shows it in three shapes: ``config`` (JSON text), each
of its keys spread at the top level of ``package_show`` (its show schema
does that), or, in a cached copy, an ``extras`` item. A smart meter source's
``url`` is its reads location too. :func:`hide_config` removes all of them.
"""

from __future__ import annotations

import json
from typing import Any

#: fields of a source that a config key may never remove (the dataset's own)
_OWN_FIELDS = frozenset(
    {
        "id",
        "name",
        "title",
        "url",
        "notes",
        "type",
        "state",
        "private",
        "owner_org",
        "organization",
        "frequency",
        "source_type",
        "extras",
        "resources",
        "tags",
        "groups",
        "status",
        "active",
    }
)
#: harvest types whose ``url`` is a location of raw data, not a public page
PRIVATE_URL_TYPES = frozenset({"ssen_smartmeter"})


def has_config(source: dict[str, Any]) -> bool:
    """Whether ``source`` shows any part of its configuration."""
    extras = source.get("extras")
    return bool(source.get("config")) or (
        isinstance(extras, list) and any(_is_config(e) for e in extras)
    )


def hide_config(source: dict[str, Any], source_type: str | None = None) -> None:
    """Remove ``source``'s configuration in every shape (in place); ``config`` becomes None."""
    text = source.get("config")
    extras = source.get("extras")
    if isinstance(extras, list):
        text = text or next((e.get("value") for e in extras if _is_config(e)), None)
        source["extras"] = [e for e in extras if not _is_config(e)]
    try:
        keys = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        keys = {}
    for key in keys if isinstance(keys, dict) else ():
        if key not in _OWN_FIELDS:
            source.pop(key, None)
    source["config"] = None
    if (source_type or source.get("source_type") or source.get("type")) in PRIVATE_URL_TYPES:
        source["url"] = None


def _is_config(extra: Any) -> bool:
    return isinstance(extra, dict) and extra.get("key") == "config"
