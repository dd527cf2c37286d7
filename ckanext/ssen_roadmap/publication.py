"""Pure rule: a roadmap dataset that gets its first resource is published.

Imports nothing from CKAN. The plugin's chained ``package_create`` and
``package_update`` call :func:`mark_first_publication` on the incoming data
dict before it is validated and saved, so the change lands in the same
revision (and activity) as the resource itself, whichever action or publisher
(web form, API, harvester) added it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckanext.ssen_roadmap.timeline import OPEN_STATUSES

# A dataset created without a status gets the preset's default: planned.
DEFAULT_STATUS = "planned"


def has_resources(data: dict[str, Any]) -> bool:
    return any(
        isinstance(res, dict) and res.get("state", "active") != "deleted"
        for res in data.get("resources") or []
    )


def mark_first_publication(
    data: dict[str, Any], *, had_resources: bool, today: dt.date, on_roadmap: bool = True
) -> bool:
    """Set ``roadmap_status=published`` and ``roadmap_actual_release=today`` in
    ``data`` when it brings the dataset's first resource while the dataset is
    planned or in development. Returns whether it changed ``data``.

    An actual release date already given is kept. ``on_roadmap`` is False for
    dataset types without roadmap fields (harvest sources, for instance).
    """
    if not on_roadmap or had_resources or not has_resources(data):
        return False
    status = data.get("roadmap_status") or DEFAULT_STATUS
    if status not in OPEN_STATUSES:
        return False
    data["roadmap_status"] = "published"
    if not data.get("roadmap_actual_release"):
        data["roadmap_actual_release"] = today.isoformat()
    return True
