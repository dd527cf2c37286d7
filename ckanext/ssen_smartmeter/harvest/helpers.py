"""Template helpers of the smart meter harvester (``tk.blanket.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest.model import HarvestSource

__all__ = [
    "ssen_smartmeter_harvest_is_ours",
    "ssen_smartmeter_harvest_job_report",
]


def ssen_smartmeter_harvest_is_ours(source: dict[str, Any] | None) -> bool:
    """Whether a harvest source dict is a smart meter source."""
    if not source:
        return False
    if source.get("source_type"):
        return source["source_type"] == "ssen_smartmeter"
    # a source shown from the search index may lack source_type: ask the table
    found = HarvestSource.get(source.get("id"))
    return found is not None and found.type == "ssen_smartmeter"


def ssen_smartmeter_harvest_job_report(job_id: str) -> dict[str, Any] | None:
    """The per-day job report for the current user, None if not allowed."""
    try:
        return tk.get_action("ssen_smartmeter_job_report")({}, {"id": job_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
