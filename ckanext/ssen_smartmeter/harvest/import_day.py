"""Import: publish a fetched day into its two monthly datasets.

Nothing is published twice: if the day is already published from the same
reads (an earlier object of a re-run got there first), the object ends
``unchanged``. A publication writes both levels, then flags the object as the
day's current state; a process killed before that flag leaves the day
unpublished for the next run, which rewrites the same resources (same ids,
same bytes: the publication time is pinned) rather than adding new ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckanext.harvest.model import HarvestObject

from ckanext.ssen_smartmeter.harvest import overlap, publish, restatement, state, workarea
from ckanext.ssen_smartmeter.harvest.aggregate import LEVELS
from ckanext.ssen_smartmeter.harvest.checksums import same_inputs
from ckanext.ssen_smartmeter.harvest.datasets import dataset_name, file_name
from ckanext.ssen_smartmeter.harvest.day_plan import Kind
from ckanext.ssen_smartmeter.harvest.source_config import SourceConfig


def import_day(
    obj: HarvestObject, config: SourceConfig, source_owner_org: str | None, user: str
) -> bool | str:
    """Import stage of one day: ``True`` (published) or ``"unchanged"``."""
    order = state.content(obj)
    day = dt.date.fromisoformat(order["day"])
    kind = Kind(order["kind"])
    inputs = state.get_extra(obj, state.INPUTS)
    current = state.current_object(obj.harvest_source_id, day)
    if current is not None and current.id != obj.id and kind is not Kind.RESTATE:
        status = (
            "unchanged" if same_inputs(state.get_extra(current, state.INPUTS), inputs) else "late"
        )
        state.set_extra(obj, state.OUTCOME, {"status": status})
        workarea.remove(state.get_extra(obj, state.WORK_DIR))
        return "unchanged"

    for level in LEVELS:
        name = dataset_name(config, level, day)
        other = overlap.other_publisher(obj.harvest_source_id, day, name)
        if other is not None:
            raise publish.PublishError(
                f"{day}: dataset {name} is published by harvest source {other!r}; "
                "not overwritten (two sources must not write the same datasets)"
            )
    quality: dict[str, Any] = state.get_extra(obj, state.QUALITY) or {}
    outputs: dict[str, dict[str, Any]] = state.get_extra(obj, state.OUTPUTS) or {}
    published_at = dt.datetime.fromisoformat(state.get_extra(obj, state.PUBLISHED_AT))
    owner = publish.owner_org_id(config, source_owner_org, user)
    datasets: dict[str, str] = {}
    names: dict[str, str] = {}
    resources: dict[str, dict[str, str]] = {}
    files: list[str] = []
    for level in LEVELS:
        saved = publish.publish_level(
            config,
            level,
            day,
            owner,
            outputs[level],
            quality,
            quality.get("meters_published"),
            published_at,
            user,
        )
        datasets[level] = saved["id"]
        names[level] = saved["name"]
        resources[level] = {
            fmt: next(
                r["id"]
                for r in saved["resources"]
                if r.get("period_start") == day.isoformat() and r.get("format", "").lower() == fmt
            )
            for fmt in outputs[level]
        }
        files += [file_name(level, day, fmt) for fmt in outputs[level]]
    outcome: dict[str, Any] = {
        "status": "restated" if kind is Kind.RESTATE else "published",
        "datasets": datasets,
        "resources": resources,
        "files": files,
    }
    if kind is Kind.RESTATE and current is not None:
        restatement.record(outcome, obj, current, quality)
    state.set_extra(obj, state.OUTCOME, outcome)
    linked = [
        dataset_id
        for level, dataset_id in datasets.items()
        if state.link_dataset(obj, dataset_id, names[level])
    ]
    state.make_current(obj)
    obj.save()
    publish.reindex(linked)  # the index names the source of a dataset linked just now
    workarea.remove(state.get_extra(obj, state.WORK_DIR))
    return True
