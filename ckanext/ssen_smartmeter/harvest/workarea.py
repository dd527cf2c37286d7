"""The harvester's work area: one folder per harvest object, under CKAN's storage.

``<ckan.storage_path>/ssen_smartmeter/work/<source id>/<day>/<object id>/``
holds a day's downloaded inputs and aggregated files until they are placed
in the resource storage (same file system, so placing is a hard link). A
folder is removed when its object finishes; folders left by a killed process
are swept at the next gather of the source.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Container
from pathlib import Path

import ckan.plugins.toolkit as tk


def root() -> Path:
    storage = tk.config.get("ckan.storage_path")
    if not storage:
        raise RuntimeError("ckan.storage_path is not set: the harvester needs a work area")
    return Path(storage) / "ssen_smartmeter" / "work"


def object_dir(source_id: str, day: dt.date, object_id: str) -> Path:
    return root() / source_id / day.isoformat() / object_id


def remove(path: Path | str | None) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)


def sweep(source_id: str, in_flight: Container[str]) -> int:
    """Remove the source's object folders whose object is not in flight; count them."""
    base = root() / source_id
    removed = 0
    if not base.is_dir():
        return 0
    for day_dir in base.iterdir():
        for obj_dir in day_dir.iterdir() if day_dir.is_dir() else ():
            if obj_dir.name not in in_flight:
                shutil.rmtree(obj_dir, ignore_errors=True)
                removed += 1
        if day_dir.is_dir() and not any(day_dir.iterdir()):
            day_dir.rmdir()
    return removed
