"""Where an uploaded resource's file lives on this server's disk."""

from __future__ import annotations

import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import uploader


def local_resource_path(resource: dict[str, Any]) -> str | None:
    """The absolute path of an uploaded resource's file, or ``None`` when the
    resource is a link or its storage is not a local folder."""
    if resource.get("url_type") != "upload" or not resource.get("id"):
        return None
    upload = uploader.get_resource_uploader(resource)
    location = str(upload.get_path(resource["id"]))
    if os.path.isabs(location):
        return location
    storage = getattr(upload, "storage", None)
    settings = getattr(storage, "settings", None)
    root = getattr(settings, "path", None) or tk.config.get("ckan.storage_path")
    if not root:
        return None
    candidates = [os.path.join(root, location), os.path.join(root, "resources", location)]
    return next((c for c in candidates if os.path.exists(c)), candidates[0])
