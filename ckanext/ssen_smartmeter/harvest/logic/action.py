"""Actions of the smart meter harvester (registered by ``tk.blanket.actions``)."""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from ckanext.harvest.model import HarvestJob

from ckanext.ssen_smartmeter.harvest.report import job_report

__all__ = ["ssen_smartmeter_job_report"]


@tk.side_effect_free
def ssen_smartmeter_job_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Per-day report of a smart meter harvest job.

    For every day the job worked on: its status (``published``,
    ``unchanged``, ``late``, ``restated`` or ``error``), rows read, accepted
    and rejected by reason, meters seen, feeders and substations published,
    half-hour cells suppressed by rule P1 and by rule P2, the files
    published, late reads reported (rule P3) and the day's error messages;
    then totals. Only counts and file names. Sysadmins get exact totals;
    other users (the source's editors) the public view: on a day with
    suppressed values ``rows_read``, ``rows_accepted`` and ``meters`` are
    ``null`` and listed in the day's ``withheld`` (they would count the
    meters behind suppressed half-hours), and totals over such days too.

    :param id: the harvest job id
    :type id: string
    :returns: ``{"job_id", "source_id", "source_title", "status", "created",
        "finished", "days": [...], "statuses": {...}, "totals": {...}}``
    :rtype: dictionary
    """
    job_id = str(tk.get_or_bust(data_dict, "id")).strip()
    if not job_id:
        raise tk.ValidationError({"id": ["Missing value"]})
    tk.check_access("ssen_smartmeter_job_report", context, {"id": job_id})
    job = HarvestJob.get(job_id)
    if job is None:
        raise tk.ObjectNotFound(f"harvest job {job_id} not found")
    user = context.get("user")
    exact = bool(context.get("ignore_auth")) or authz.is_sysadmin(user)
    return job_report(job, exact=exact)
