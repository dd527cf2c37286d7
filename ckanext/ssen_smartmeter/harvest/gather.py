"""Gather: one harvest object per day that needs work.

Days are walked in batches of :data:`BATCH`: one query reads the published
state of a batch, the objects of the batch are committed together, so memory
stays bounded however long the history. Published days older than the
source's ``late_window_days`` are not looked at again by regular runs (an
operator can name them with ``--date``/``--from``/``--to``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import ckan.model as model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

from ckanext.ssen_smartmeter.harvest import publish, state, workarea
from ckanext.ssen_smartmeter.harvest.day_plan import (
    DayRange,
    batched,
    candidate_days,
    decide,
    in_late_window,
)
from ckanext.ssen_smartmeter.harvest.inputs import DayInputs, InputUnavailable
from ckanext.ssen_smartmeter.harvest.source_config import SourceConfig

log = logging.getLogger(__name__)

BATCH = 200


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def gather(
    job: HarvestJob,
    config: SourceConfig,
    asked: DayRange | None = None,
    today: dt.date | None = None,
) -> list[str]:
    """Create the job's objects; return their ids, oldest day first."""
    today = today or today_utc()
    source_id = job.source_id
    _sweep_work_area(source_id)
    linked = state.link_earlier_datasets(source_id)
    if linked:
        model.Session.commit()
        publish.reindex(linked)
        log.info("source %s: linked %d dataset(s) published earlier", source_id, len(linked))
    inputs = DayInputs(config)
    ids: list[str] = []
    missing: list[dt.date] = []
    days = candidate_days(config.first_date, config.last_date, today, config.lag_days, asked)
    for batch in batched(days, BATCH):
        states = state.day_states(source_id, batch)
        for day in batch:
            day_state = states.get(day)
            if (
                asked is None
                and day_state is not None
                and day_state.published
                and not in_late_window(day, today, config.late_window_days)
            ):
                continue
            try:
                fingerprint = inputs.fingerprint(day)
            except InputUnavailable as exc:
                HarvestGatherError.create(f"{day}: reads unavailable: {exc}", job)
                continue
            if fingerprint is None:
                missing.append(day)
                continue
            kind = decide(day_state, fingerprint, asked)
            if kind is None:
                continue
            obj = HarvestObject(
                id=str(uuid.uuid4()),
                guid=day.isoformat(),
                job=job,
                harvest_source_id=source_id,
                content=json.dumps(
                    {"day": day.isoformat(), "kind": kind.value, "fingerprint": fingerprint}
                ),
            )
            model.Session.add(obj)
            ids.append(obj.id)
        model.Session.commit()
    if missing and asked is not None:
        HarvestGatherError.create(_missing_message(missing, config), job)
    elif missing:
        log.info(
            "source %s: no reads yet for %d ready day(s), first %s, last %s",
            source_id,
            len(missing),
            missing[0],
            missing[-1],
        )
    if asked is not None and not ids and not missing:
        log.info("source %s: nothing to do for %s to %s", source_id, asked.start, asked.end)
    return ids


def _missing_message(missing: list[dt.date], config: SourceConfig) -> str:
    days = ", ".join(d.isoformat() for d in missing[:5]) + (" ..." if len(missing) > 5 else "")
    return (
        f"no reads found for {len(missing)} day(s) ({days}): expected "
        f"{config.reads_pattern} under {config.reads}"
    )


def _sweep_work_area(source_id: str) -> None:
    in_flight = {
        row[0]
        for row in model.Session.query(HarvestObject.id)
        .join(HarvestJob, HarvestObject.harvest_job_id == HarvestJob.id)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.state.in_(("WAITING", "FETCH", "IMPORT")))
        .filter(HarvestJob.status != "Finished")
    }
    removed = workarea.sweep(source_id, in_flight)
    if removed:
        log.info("source %s: removed %d stale work folder(s)", source_id, removed)
