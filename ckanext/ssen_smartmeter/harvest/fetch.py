"""Fetch: get a day's inputs and aggregate them in the work area.

Results go on the harvest object (extras): reads and topology checksums, the
quality report, the publication time the files carry, and the files written.
A day whose reads are exactly those already published is ``unchanged``; a
published day whose reads changed is reported as late (rule P3: counted, not
applied, see :mod:`.restatement`) and ends ``unchanged`` too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest.model import HarvestObject

from ckanext.ssen_smartmeter.harvest import aggregate, restatement, state, workarea
from ckanext.ssen_smartmeter.harvest.checksums import same_inputs
from ckanext.ssen_smartmeter.harvest.day_plan import Kind
from ckanext.ssen_smartmeter.harvest.errors import FetchError
from ckanext.ssen_smartmeter.harvest.inputs import (
    DayInputs,
    InputUnavailable,
    digest_of,
    with_checksums,
)
from ckanext.ssen_smartmeter.harvest.quality import public_report
from ckanext.ssen_smartmeter.harvest.scrub import with_source_names
from ckanext.ssen_smartmeter.harvest.source_config import SourceConfig

__all__ = ["FetchError", "fetch", "now_utc", "parse_time", "worker_resources"]


def worker_resources() -> aggregate.WorkerResources:
    """The site's memory limit and threads for one day's aggregation."""
    threads = int(tk.config.get("ckanext.ssen_smartmeter.harvest_threads") or 0)
    return aggregate.WorkerResources(
        memory_limit=str(
            tk.config.get("ckanext.ssen_smartmeter.harvest_memory_limit")
            or aggregate.WorkerResources.memory_limit
        ),
        threads=threads if threads > 0 else None,
    )


def now_utc() -> dt.datetime:
    """Naive UTC, whole seconds: the precision of the published timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0)


def fetch(
    obj: HarvestObject, config: SourceConfig, progress: Callable[..., Any] | None = None
) -> bool | str:
    """Fetch stage of one day: ``True`` (ready to import) or ``"unchanged"``."""
    order = state.content(obj)
    day = dt.date.fromisoformat(order["day"])
    kind = Kind(order["kind"])
    work = workarea.object_dir(obj.harvest_source_id, day, obj.id)
    workarea.remove(work)
    work.mkdir(parents=True)
    state.set_extra(obj, state.DAY, day.isoformat())
    state.set_extra(obj, state.KIND, kind.value)
    state.set_extra(obj, state.FINGERPRINT, order.get("fingerprint") or "")
    state.set_extra(obj, state.WORK_DIR, str(work))
    inputs = DayInputs(config)
    try:
        reads = inputs.reads(day, work)
    except InputUnavailable as exc:
        raise FetchError(f"{day}: reads unavailable: {exc}") from None

    current = state.current_object(obj.harvest_source_id, day)
    if current is not None and current.id == obj.id:
        # the queue delivered an object that already completed: keep its record
        workarea.remove(work)
        return "unchanged"
    if current is not None and kind is not Kind.RESTATE:
        reads = with_checksums(reads)
        state.set_extra(obj, state.INPUTS, digest_of(reads))
        if same_inputs(state.get_extra(current, state.INPUTS), digest_of(reads)):
            state.set_extra(obj, state.OUTCOME, {"status": "unchanged"})
        else:
            restatement.report_late(obj, day, reads, current)
        workarea.remove(work)
        return "unchanged"

    try:
        topology_dir, topology_files = inputs.topology(work)
    except InputUnavailable as exc:
        raise FetchError(f"{day}: topology unavailable: {exc}") from None
    previous = None
    if kind is Kind.RESTATE:
        assert current is not None
        published_at = now_utc()
        previous = restatement.previous_publication(current, day, work / "previous")
    else:
        pinned = (
            state.get_extra(obj, state.PUBLISHED_AT) if obj.import_started else None
        ) or state.pinned_published_at(obj.harvest_source_id, day, obj.id)
        published_at = parse_time(pinned) if pinned else now_utc()
    state.set_extra(obj, state.PUBLISHED_AT, published_at.isoformat())
    names = {str(f.path): f.name for f in (*reads, *topology_files)}
    try:
        output = aggregate.run(
            [f.path for f in reads],
            topology_dir,
            day,
            work / "out",
            config,
            published_at,
            previous=previous,
            progress=progress,
            resources=worker_resources(),
            checksums={str(f.path): f.sha256 for f in (*reads, *topology_files) if f.sha256},
        )
    except aggregate.NoAcceptedReads as exc:
        # an empty day would replace published data with nothing: the object fails
        raise FetchError(str(exc)) from None
    except aggregate.InputError as exc:
        # named as the source names the file (not its place in the work area), once
        raise FetchError(
            f"{day}: input unusable: {with_source_names(str(exc), names, str(work))}"
        ) from None
    quality = public_report(output.quality, names)
    state.set_extra(obj, state.QUALITY, quality)
    state.set_extra(obj, state.INPUTS, _digest(quality, "reads"))
    state.set_extra(obj, state.TOPOLOGY, _digest(quality, "topology"))
    state.set_extra(obj, state.OUTPUTS, output.files)
    return True


def _digest(quality: dict[str, Any], kind: str) -> dict[str, str]:
    """``{name: sha256}`` of the inputs of ``kind`` listed in the quality report."""
    return {i["path"]: i["sha256"] for i in quality.get("inputs", []) if i.get("kind") == kind}
