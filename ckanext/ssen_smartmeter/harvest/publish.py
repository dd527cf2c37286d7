"""Putting a day's files into the catalogue.

For each aggregation level: find (or create) the month's dataset, place the
day's files in the resource storage under their resource ids, then write the
dataset once with the day's resources in place of any earlier ones.

Files are placed before the dataset refers to them: a process killed in
between leaves an unreferenced file, never a resource pointing at a missing
or half-written one. On the local file storage a file is hard-linked (or
moved) from the work area, no copy; any other uploader gets it through its
own ``upload`` (no size limit applies to harvested files).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ckan.lib.uploader as uploader
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context
from werkzeug.datastructures import FileStorage

from ckanext.ssen_smartmeter.harvest import datasets
from ckanext.ssen_smartmeter.harvest.source_config import SourceConfig

log = logging.getLogger(__name__)


class PublishError(Exception):
    """A day could not be written to the catalogue (message for the object error)."""


def action_context(user: str) -> Context:
    """A fresh context for one action call by the harvest user."""
    return {"user": user, "ignore_auth": True, "model": model, "session": model.Session}


def owner_org_id(config: SourceConfig, source_owner_org: str | None, user: str) -> str:
    """The organisation that owns the datasets (the configured one, else the source's)."""
    name = config.organisation or source_owner_org
    if not name:
        raise PublishError(
            'no organisation: set "organisation" in the source configuration '
            "or give the harvest source an organisation"
        )
    try:
        return tk.get_action("organization_show")(
            action_context(user),
            {
                "id": name,
                "include_datasets": False,
                "include_users": False,
                "include_extras": False,
                "include_tags": False,
                "include_groups": False,
            },
        )["id"]
    except tk.ObjectNotFound:
        raise PublishError(f"organisation {name!r} does not exist") from None


def find_dataset(name: str, level: str, period: str, user: str) -> dict[str, Any] | None:
    """The month's dataset, None if absent; refuse a name taken by something else."""
    try:
        found = tk.get_action("package_show")(action_context(user), {"id": name})
    except tk.ObjectNotFound:
        return None
    if (
        found.get("type") != datasets.DATASET_TYPE
        or found.get("aggregation_level") != level
        or found.get("period") != period
    ):
        raise PublishError(
            f"dataset name {name!r} is taken by a dataset that is not the "
            f"{period} {level} smart meter dataset"
        )
    if found.get("state") == "deleted":
        return None
    return found


def local_storage_path(resource_id: str) -> Path | None:
    """Where the default local uploader keeps a resource's file (None: not local)."""
    upload = uploader.get_resource_uploader({"id": resource_id})
    if isinstance(upload, uploader.ResourceUpload) and upload.storage_path:
        return Path(upload.get_path(resource_id))
    storage = getattr(upload, "storage", None)
    root = getattr(getattr(storage, "settings", None), "path", None)
    if (
        isinstance(upload, uploader.FKResourceUpload)
        and root
        and type(storage).__name__.lower().startswith("fs")
    ):
        return Path(root) / str(upload.get_path(resource_id))
    return None


def place_file(resource_id: str, source: Path, filename: str) -> None:
    """Put ``source`` where the resource's upload lives."""
    target = local_storage_path(resource_id)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".ssen~")
        staged.unlink(missing_ok=True)
        try:
            os.link(source, staged)
        except OSError:  # another file system: copy
            shutil.copyfile(source, staged)
        os.replace(staged, target)
        return
    with source.open("rb") as stream:
        upload = uploader.get_resource_uploader(
            {
                "id": resource_id,
                "url": filename,
                "upload": FileStorage(stream=stream, filename=filename),
            }
        )
        upload.upload(resource_id, max_size=1 << 30)


def published_file(resource_id: str) -> Path | None:
    """The file of a published resource on the local storage, if there."""
    path = local_storage_path(resource_id)
    return path if path is not None and path.is_file() else None


def publish_level(
    config: SourceConfig,
    level: str,
    day: dt.date,
    owner_org: str,
    files: Mapping[str, Mapping[str, Any]],
    quality: Mapping[str, Any],
    meters: int | None,
    published_at: dt.datetime,
    user: str,
) -> dict[str, Any]:
    """Write one level of a day; returns the dataset as saved.

    :param files: format -> ``{"path": Path, "sha256": ..., "size": ...}``
    """
    name = datasets.dataset_name(config, level, day)
    existing = find_dataset(name, level, day.strftime("%Y-%m"), user)
    dataset = existing or datasets.new_dataset(config, level, day, owner_org)
    ids = datasets.day_resource_ids(dataset, day)
    ids = {fmt: ids.get(fmt) or str(uuid.uuid4()) for fmt in files}
    resources = datasets.day_resources(level, day, files, quality, config.threshold, ids)
    for resource in resources:
        resource["last_modified"] = published_at.isoformat()
    for fmt, meta in files.items():
        place_file(ids[fmt], Path(meta["path"]), datasets.file_name(level, day, fmt))
    dataset = datasets.merge_day(dataset, day, resources, meters)
    dataset.setdefault("roadmap_status", "published")
    if not dataset.get("roadmap_actual_release"):
        dataset["roadmap_actual_release"] = published_at.date().isoformat()
    try:
        if existing is None:
            return tk.get_action("package_create")(action_context(user), dataset)
        return tk.get_action("package_update")(action_context(user), dataset)
    except tk.ValidationError as exc:
        raise PublishError(f"dataset {name}: {_summary(exc)}") from None


def _summary(exc: tk.ValidationError) -> str:
    errors = exc.error_dict if isinstance(exc.error_dict, dict) else {}
    parts = []
    for field, messages in errors.items():
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            messages = [f"{k}: {v}" for m in messages for k, v in m.items()]
        parts.append(f"{field}: {messages}")
    return "; ".join(parts) or str(exc)


def reindex(dataset_ids: list[str]) -> None:
    """Index ``dataset_ids`` again (after a change the dataset write did not see)."""
    from ckan.lib import search

    for dataset_id in dataset_ids:
        search.rebuild(dataset_id)
