"""What is published, read from (and written to) harvest objects.

One harvest object per source and day (``guid`` = the ISO date). The object
that holds a day's published state is ``current``; objects that only report
(late reads, unchanged checks, errors) never become current. Results are kept
as harvest object extras (JSON values), so the job report and the next gather
read them back without touching the published files.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import ckan.model as model
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.ssen_smartmeter.harvest.day_plan import DayState

# extras written on an object
DAY = "day"
KIND = "kind"
FINGERPRINT = "fingerprint"
INPUTS = "inputs"  # {reads file name: sha256}
TOPOLOGY = "topology"  # {topology file name: sha256}
PUBLISHED_AT = "published_at"  # ISO UTC, whole seconds: pins insert/last_modified times
QUALITY = "quality"  # the pipeline's quality report of the day
OUTPUTS = "outputs"  # {level: {format: {file, sha256, size}}}
OUTCOME = "outcome"  # {status, files, datasets, late?, restated?}
WORK_DIR = "work_dir"

_JSON_KEYS = {INPUTS, TOPOLOGY, QUALITY, OUTPUTS, OUTCOME}

#: guid prefix of the objects that link a published dataset to its source
LINK_PREFIX = "dataset:"


def get_extra(obj: HarvestObject, key: str, default: Any = None) -> Any:
    for extra in obj.extras:
        if extra.key == key:
            return json.loads(extra.value) if key in _JSON_KEYS else extra.value
    return default


def set_extra(obj: HarvestObject, key: str, value: Any) -> None:
    text = json.dumps(value, sort_keys=True) if key in _JSON_KEYS else str(value)
    for extra in obj.extras:
        if extra.key == key:
            extra.value = text
            return
    obj.extras.append(HarvestObjectExtra(key=key, value=text))


def content(obj: HarvestObject) -> dict[str, Any]:
    """The object's work order: ``{"day": ISO date, "kind": ..., "fingerprint": ...}``."""
    return json.loads(obj.content or "{}")


def day_states(source_id: str, days: Iterable[dt.date]) -> dict[dt.date, DayState]:
    """Published state and last seen reads fingerprint of ``days`` (one query)."""
    guids = [d.isoformat() for d in days]
    if not guids:
        return {}
    rows = (
        model.Session.query(HarvestObject.guid, HarvestObject.current, HarvestObjectExtra.value)
        .outerjoin(
            HarvestObjectExtra,
            (HarvestObjectExtra.harvest_object_id == HarvestObject.id)
            & (HarvestObjectExtra.key == FINGERPRINT),
        )
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.guid.in_(guids))
        .filter(HarvestObject.state == "COMPLETE")
        .order_by(HarvestObject.gathered)
        .all()
    )
    published: dict[str, bool] = {}
    fingerprints: dict[str, str | None] = {}
    for guid, current, fingerprint in rows:
        published[guid] = published.get(guid, False) or bool(current)
        if fingerprint:
            fingerprints[guid] = fingerprint
    return {
        dt.date.fromisoformat(guid): DayState(published[guid], fingerprints.get(guid))
        for guid in published
    }


def current_object(source_id: str, day: dt.date) -> HarvestObject | None:
    """The object holding the day's published state, if the day is published."""
    return (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.guid == day.isoformat())
        .filter(HarvestObject.current.is_(True))
        .order_by(HarvestObject.import_finished.desc().nulls_last())
        .first()
    )


def pinned_published_at(source_id: str, day: dt.date, exclude_id: str) -> str | None:
    """The publication time an earlier attempt at this day already started to use.

    An attempt that reached the import stage may have placed files: a retry
    must write the same bytes, so it reuses that attempt's publication time.
    """
    row = (
        model.Session.query(HarvestObjectExtra.value)
        .join(HarvestObject, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.guid == day.isoformat())
        .filter(HarvestObject.id != exclude_id)
        .filter(HarvestObject.import_started.isnot(None))
        .filter(HarvestObjectExtra.key == PUBLISHED_AT)
        .order_by(HarvestObject.import_started)
        .first()
    )
    return row[0] if row else None


def make_current(obj: HarvestObject) -> None:
    """Flag ``obj`` as the day's published state (and its predecessors as not)."""
    (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == obj.harvest_source_id)
        .filter(HarvestObject.guid == obj.guid)
        .filter(HarvestObject.id != obj.id)
        .update({"current": False}, synchronize_session=False)
    )
    obj.current = True


def job_objects(job_id: str) -> list[HarvestObject]:
    """The objects of a job, oldest day first."""
    return (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job_id)
        .filter(~HarvestObject.guid.startswith(LINK_PREFIX))
        .order_by(HarvestObject.guid, HarvestObject.gathered)
        .all()
    )


def link_dataset(obj: HarvestObject, dataset_id: str, name: str) -> bool:
    """Link a dataset ``obj`` published to its source; ``True`` if the link is new.

    ckanext-harvest counts, lists (``harvest_source_id`` in the search index)
    and clears (``ckan harvester source clear``) a source's datasets through the
    ``package_id`` of its *current* objects, one object per dataset. Day
    objects write into two monthly datasets each, so each dataset gets one
    link object of its own (``guid`` ``dataset:<name>``, created in the job
    that first published into it); day objects carry no ``package_id``.
    """
    linked = (
        model.Session.query(HarvestObject.id)
        .filter(HarvestObject.harvest_source_id == obj.harvest_source_id)
        .filter(HarvestObject.package_id == dataset_id)
        .filter(HarvestObject.current.is_(True))
        .filter(HarvestObject.guid.startswith(LINK_PREFIX))
        .first()
    )
    if linked is not None:
        return False
    now = dt.datetime.utcnow()
    model.Session.add(
        HarvestObject(
            id=str(uuid.uuid4()),
            guid=LINK_PREFIX + name,
            job=obj.job,
            harvest_source_id=obj.harvest_source_id,
            package_id=dataset_id,
            current=True,
            state="COMPLETE",
            report_status="added",
            content=json.dumps({"dataset": name}),
            gathered=now,
            fetch_started=now,
            fetch_finished=now,
            import_started=now,
            import_finished=now,
        )
    )
    return True


def link_earlier_datasets(source_id: str) -> list[str]:
    """Link the datasets of days published before link objects existed; their ids.

    Such day objects carry the LV-feeder dataset as ``package_id`` (the
    substation dataset was not linked); after this they carry none. Only
    those objects are read, so once done this is one empty query.
    """
    objects = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id == source_id)
        .filter(HarvestObject.package_id.isnot(None))
        .filter(~HarvestObject.guid.startswith(LINK_PREFIX))
        .all()
    )
    linked: list[str] = []
    for obj in objects:
        if obj.current:
            datasets = (get_extra(obj, OUTCOME) or {}).get("datasets") or {}
            for dataset_id in datasets.values():
                name = (
                    model.Session.query(model.Package.name)
                    .filter(model.Package.id == dataset_id)
                    .scalar()
                )
                if name is not None and link_dataset(obj, dataset_id, name):
                    model.Session.flush()
                    linked.append(dataset_id)
        obj.package_id = None
    return linked
