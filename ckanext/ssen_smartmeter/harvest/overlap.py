"""Two smart meter sources must never write the same datasets.

Dataset names come from the licence areas and the month only, so two
sources with the same set of areas and a month in common would replace each
other's days. A source is refused at create and update (a validation error
on ``config`` naming the other source), and a day whose dataset another
source publishes into fails at import instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
from ckanext.harvest.model import HarvestObject, HarvestSource

from ckanext.ssen_smartmeter.harvest import state
from ckanext.ssen_smartmeter.harvest.datasets import dataset_name
from ckanext.ssen_smartmeter.harvest.source_config import (
    SourceConfig,
    SourceConfigError,
    shared_months,
)

HARVESTER_NAME = "ssen_smartmeter"


def _sources(exclude: set[str]) -> list[tuple[str, str | None]]:
    """(name, config) of the other active smart meter sources."""
    return [
        (name, config)
        for source_id, name, config in model.Session.query(
            HarvestSource.id, model.Package.name, HarvestSource.config
        )
        .join(model.Package, model.Package.id == HarvestSource.id)
        .filter(HarvestSource.type == HARVESTER_NAME)
        .filter(model.Package.state == "active")
        .all()
        if source_id not in exclude and name not in exclude
    ]


def conflict(config: SourceConfig, exclude: set[str]) -> str | None:
    """Why ``config`` may not be used: another source writes the same datasets."""
    from ckanext.ssen_smartmeter.harvest.harvester import load_config

    for name, text in sorted(_sources(exclude)):
        try:
            other = load_config(text)
        except SourceConfigError:
            continue  # an invalid source publishes nothing
        months = shared_months(config, other)
        if months is None:
            continue
        first, last = months
        example = dataset_name(config, "lv_feeder", dt.date.fromisoformat(first + "-01"))
        span = (
            f"from {first} on"
            if last is None
            else (first if first == last else f"{first} to {last}")
        )
        return (
            f"harvest source {name!r} already publishes the datasets of licence areas "
            f"{' and '.join(config.licence_areas)} for {span} (e.g. {example}): two "
            "sources must not write the same datasets; change licence_areas, "
            "first_date or last_date, or change that source"
        )
    return None


def other_publisher(source_id: str, day: dt.date, name: str) -> str | None:
    """The name of another source that publishes into dataset ``name`` (its
    link object) or published ``day`` into it; None if none does."""
    dataset_id = (
        model.Session.query(model.Package.id)
        .filter(model.Package.name == name)
        .filter(model.Package.state == "active")
        .scalar()
    )
    if dataset_id is None:
        return None
    others = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_source_id != source_id)
        .filter(HarvestObject.current.is_(True))
        .filter((HarvestObject.package_id == dataset_id) | (HarvestObject.guid == day.isoformat()))
        .all()
    )
    for obj in others:
        datasets: dict[str, Any] = (state.get_extra(obj, state.OUTCOME) or {}).get("datasets") or {}
        if obj.package_id == dataset_id or dataset_id in datasets.values():
            return (
                model.Session.query(model.Package.name)
                .filter(model.Package.id == obj.harvest_source_id)
                .scalar()
            ) or obj.harvest_source_id
    return None
