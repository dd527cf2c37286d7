"""The per-day report of a harvest job (job page, action, ``report`` command).

Everything in it is a count or a file name. Sysadmins (and the command line)
get the exact totals; anyone else the public view of each day's quality
report, like the resources (``pipeline.public_view``).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError

from ckanext.ssen_smartmeter.harvest import state
from ckanext.ssen_smartmeter.harvest.quality import day_counts

TOTAL_KEYS = (
    "rows_read",
    "rows_other_licence_area",
    "rows_accepted",
    "rows_rejected",
    "cells_suppressed_p1",
    "cells_suppressed_p2",
)


def day_status(obj: HarvestObject) -> str:
    """What happened to a day object, in the report's words (``published``,
    ``unchanged``, ``late``, ``restated``, ``error``; else its state, lowered)."""
    outcome = state.get_extra(obj, state.OUTCOME) or {}
    return outcome.get("status") or ("error" if obj.state == "ERROR" else obj.state.lower())


def _total(values: list[int | None]) -> int | None:
    """The sum, or None when any day's figure is withheld."""
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def job_report(job: HarvestJob, exact: bool = True) -> dict[str, Any]:
    """Per-day rows of ``job`` plus totals, as plain JSON-able data.

    :param exact: exact totals (for sysadmins and the command line); others
        get each day's public view, which withholds the totals that would
        count the meters behind suppressed half-hours
    """
    days = []
    for obj in state.job_objects(job.id):
        order = state.content(obj)
        outcome = state.get_extra(obj, state.OUTCOME) or {}
        errors = [
            e.message
            for e in model.Session.query(HarvestObjectError)
            .filter(HarvestObjectError.harvest_object_id == obj.id)
            .order_by(HarvestObjectError.created)
        ]
        status = day_status(obj)
        quality = state.get_extra(obj, state.QUALITY)
        row: dict[str, Any] = {
            "day": order.get("day", obj.guid),
            "kind": order.get("kind"),
            "object_id": obj.id,
            "state": obj.state,
            "status": status,
            "files_published": outcome.get("files", [])
            if status in ("published", "restated")
            else [],
            "errors": errors,
            # whether the day was aggregated in this job (else its counts do not apply)
            "aggregated": bool(quality) and status not in ("unchanged", "late"),
        }
        row.update(day_counts(quality, exact=exact))
        if status == "late":
            row["late"] = {k: v for k, v in outcome.items() if k != "status"}
        if status == "restated":
            row["restatement"] = outcome.get("restatement")
            row["restatement_blocks_held"] = outcome.get("restatement_blocks_held")
        days.append(row)
    totals: dict[str, int | None] = {key: _total([d[key] for d in days]) for key in TOTAL_KEYS}
    totals["files_published"] = sum(len(d["files_published"]) for d in days)
    statuses: dict[str, int] = {}
    for d in days:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    source = job.source
    return {
        "job_id": job.id,
        "source_id": source.id if source else job.source_id,
        "source_title": source.title if source else None,
        "status": job.status,
        "created": job.created.isoformat() if job.created else None,
        "finished": job.finished.isoformat() if job.finished else None,
        "days": days,
        "statuses": statuses,
        "totals": totals,
    }
