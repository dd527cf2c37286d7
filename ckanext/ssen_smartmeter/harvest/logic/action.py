"""Actions of the smart meter harvester (registered by ``tk.blanket.actions``)."""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict
from ckanext.harvest.model import HarvestJob

from ckanext.ssen_smartmeter.harvest import overlap
from ckanext.ssen_smartmeter.harvest.logic.auth import can_edit_source, user_context
from ckanext.ssen_smartmeter.harvest.report import job_report
from ckanext.ssen_smartmeter.harvest.source_privacy import hide_config

__all__ = ["harvest_source_list", "package_create", "package_update", "ssen_smartmeter_job_report"]


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


def _can_see_source(context: Context, source_id: str) -> bool:
    try:
        tk.check_access("harvest_source_show", user_context(context), {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(
    next_action: Action, context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """ckanext-harvest's list of harvest sources, as the caller may see them.

    Every source the caller may see (``harvest_source_show``): public
    sources, and private ones of the caller's organisations. The ``config``
    of a source (folders on this machine, URLs) is given only to those who
    may update the source (its organisation's editors and admins,
    sysadmins), ``null`` for anyone else (as is the ``url`` of a smart meter
    source: its reads location).

    :param organization_id: only the sources of this organisation
    :type organization_id: string
    :param only_active: only active sources (default false)
    :type only_active: bool
    :param return_last_job_status: add each source's last job (default false)
    :type return_last_job_status: bool
    :rtype: list of dictionaries
    """
    tk.check_access("harvest_source_list", context, data_dict)
    if context.get("ignore_auth"):
        return next_action(context, data_dict)
    # ckanext-harvest gives a signed-in user who is no sysadmin only the
    # sources of their "publisher" groups (none: CKAN has organisations), and
    # anyone else every source: take every source, keep what the caller may see
    sources = next_action({**context, "user": ""}, data_dict)
    visible = []
    for source in sources:
        if not _can_see_source(context, source["id"]):
            continue
        if not can_edit_source(context, source["id"]):
            source = dict(source)
            hide_config(source, source.get("type"))
        visible.append(source)
    return visible


def _refuse_overlap(data_dict: DataDict) -> None:
    """A smart meter source whose datasets another source writes is invalid."""
    from ckanext.ssen_smartmeter.harvest.harvester import load_config
    from ckanext.ssen_smartmeter.harvest.source_config import SourceConfigError

    if data_dict.get("type") != "harvest" or data_dict.get("source_type") != overlap.HARVESTER_NAME:
        return
    if not data_dict.get("config"):
        return
    try:
        config = load_config(data_dict["config"])
    except SourceConfigError:
        return  # the schema's validator reports it, key by key
    itself = {str(data_dict[k]) for k in ("id", "name") if data_dict.get(k)}
    reason = overlap.conflict(config, itself)
    if reason is not None:
        raise tk.ValidationError({"config": [reason]})


@tk.chained_action
def package_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_create``; a smart meter harvest source is refused
    (``config``) when another source writes the same datasets."""
    _refuse_overlap(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_update``; a smart meter harvest source is refused
    (``config``) when another source writes the same datasets."""
    _refuse_overlap(data_dict)
    return next_action(context, data_dict)
