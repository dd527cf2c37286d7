"""Validators of the ``ssen_roadmap`` plugin (used by schemas/roadmap_presets.yaml)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.ssen_roadmap.timeline import ReleaseError, parse_release

__all__ = ["ssen_roadmap_release"]


def ssen_roadmap_release(value: Any, context: Context) -> Any:
    """A planned release: ``YYYY-MM-DD`` or a quarter, normalised to ``YYYY-Qn``.

    Empty values pass through (combine with ``ignore_missing``).
    """
    if value is None or value == "" or value is tk.missing:
        return value
    try:
        return parse_release(str(value)).text
    except ReleaseError as exc:
        raise tk.Invalid(str(exc)) from exc
