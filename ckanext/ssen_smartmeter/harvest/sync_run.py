"""Running a smart meter harvest job synchronously (CLI, demo, benchmarks).

The same stages as the queued mode, in this process: a job is created,
gathered (optionally for the days an operator names), each object fetched
and imported through ckanext-harvest's own ``fetch_and_import_stages``, and
the job closed by ``harvest_jobs_run``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.ssen_smartmeter.harvest import day_plan
from ckanext.ssen_smartmeter.harvest.day_plan import DayRange
from ckanext.ssen_smartmeter.harvest.gather import today_utc
from ckanext.ssen_smartmeter.harvest.report import job_report


class RunError(Exception):
    """The job could not run (message for the operator)."""


def site_context() -> dict[str, Any]:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True, "model": model, "session": model.Session}


def harvester() -> Any:
    plugin = p.get_plugin("ssen_smartmeter_harvester")
    if plugin is None:
        raise RunError("the ssen_smartmeter_harvester plugin is not loaded")
    return plugin


def find_source(source: str) -> dict[str, Any]:
    try:
        # use_cache=False: after harvest_jobs_run reindexes a source, the indexed
        # copy lacks the show schema's fields (source_type among them)
        found = tk.get_action("harvest_source_show")(
            {**site_context(), "use_cache": False}, {"id": source}
        )
    except tk.ObjectNotFound:
        raise RunError(f"harvest source {source!r} not found") from None
    if found.get("source_type") != "ssen_smartmeter":
        raise RunError(
            f"harvest source {source!r} is not a smart meter source "
            f"(type {found.get('source_type')!r})"
        )
    return found


def _check_asked(source_dict: dict[str, Any], asked: DayRange) -> None:
    """Refuse days the source can never work on now (no empty job is created)."""
    from ckanext.ssen_smartmeter.harvest.harvester import load_config
    from ckanext.ssen_smartmeter.harvest.source_config import SourceConfigError

    try:
        config = load_config(source_dict.get("config"))
    except SourceConfigError:
        return  # the job's gather records the invalid configuration
    refused = day_plan.refusal(
        config.first_date, config.last_date, today_utc(), config.lag_days, asked
    )
    if refused is not None:
        raise RunError(f"source {source_dict['name']!r}: {refused}")


def run_job(
    source: str,
    asked: DayRange | None = None,
    on_start: Callable[[list[str]], None] | None = None,
    on_object: Callable[[HarvestObject], None] | None = None,
) -> dict[str, Any]:
    """Run one job of ``source`` to the end; return its per-day report."""
    source_dict = find_source(source)
    if asked is not None:
        _check_asked(source_dict, asked)
    try:
        job_dict = tk.get_action("harvest_job_create")(
            site_context(), {"source_id": source_dict["id"], "run": False}
        )
    except HarvestJobExists:
        raise RunError(
            f"source {source_dict['name']!r} already has a job waiting or running; wait "
            f"for it, or abort it with: ckan harvester job-abort {source_dict['name']}"
        ) from None
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.gather_started = dt.datetime.utcnow()
    job.save()
    plugin = harvester()
    try:
        ids = plugin.gather_days(job, asked)
    finally:
        job.gather_finished = dt.datetime.utcnow()
        job.save()
    if on_start is not None:
        on_start(ids)
    try:
        for object_id in ids:
            obj = HarvestObject.get(object_id)
            queue.fetch_and_import_stages(plugin, obj)
            if on_object is not None:
                on_object(obj)
    except KeyboardInterrupt:
        # an operator's Ctrl-C: close the job so that the source can run again;
        # published days stay, the interrupted day is redone by the next job
        model.Session.rollback()
        tk.get_action("harvest_job_abort")(site_context(), {"id": job.id})
        raise
    tk.get_action("harvest_jobs_run")(site_context(), {"source_id": source_dict["id"]})
    model.Session.expire_all()
    return job_report(HarvestJob.get(job.id))
