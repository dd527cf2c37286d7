"""Quality reports as the harvester stores, compares and shows them.

Pure logic (no CKAN). The pipeline's report holds counts only (never a
meter's value). The harvester keeps it, with machine paths replaced by names
relative to the source, for the job report (the source's editors only);
resources carry its public view (``pipeline.public_view``: no total that
counts the meters behind suppressed half-hours).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ckanext.ssen_smartmeter.pipeline import REASONS, public_view


def public_report(quality: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``quality`` with each input ``path`` replaced by its public name.

    :param names: machine path -> name relative to the source (others keep
        their file name only)
    """
    report = dict(quality)
    inputs = []
    for item in quality.get("inputs") or []:
        item = dict(item)
        path = str(item.get("path", ""))
        item["path"] = names.get(path) or os.path.basename(path)
        inputs.append(item)
    if "inputs" in quality:
        report["inputs"] = inputs
    return report


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _count_or_none(value: Any) -> int | None:
    return None if value is None else _int(value)


def day_counts(quality: Mapping[str, Any] | None, exact: bool = True) -> dict[str, Any]:
    """The per-day figures of the job report (all counts).

    :param exact: the operator's exact totals (sysadmins); otherwise those of
        the public view (``withheld`` lists what is ``None``)
    """
    quality = quality or {}
    if not exact and quality:
        quality = public_view(quality)
    rejected = quality.get("rejected") or {}
    by_reason = {reason: _int(rejected.get(reason)) for reason in REASONS}
    by_reason.update({k: _int(v) for k, v in rejected.items() if k not in by_reason})
    written = quality.get("rows_written") or {}
    return {
        "rows_read": _count_or_none(quality.get("rows_read")) if quality else 0,
        # reads of meters of other licence areas: neither read nor rejected
        "rows_other_licence_area": _count_or_none(quality.get("rows_other_licence_area", 0))
        if quality
        else 0,
        "rows_accepted": _count_or_none(quality.get("rows_accepted")) if quality else 0,
        "rows_rejected": sum(by_reason.values()),
        "rejected": by_reason,
        "meters": _count_or_none(quality.get("meters")) if quality else 0,
        "withheld": list(quality.get("withheld") or []),
        "feeders_published": _int(quality.get("feeders_published")),
        "substations_published": _int(quality.get("substations_published")),
        "cells_suppressed_p1": _int(quality.get("cells_suppressed_p1")),
        "cells_suppressed_p2": _int(quality.get("cells_suppressed_p2")),
        "rows_written": {k: _int(v) for k, v in written.items()},
    }


def level_counts(quality: Mapping[str, Any], level: str) -> dict[str, int]:
    """The resource fields of one level: rows, units published, cells suppressed."""
    suppression = (quality.get("suppression") or {}).get(level) or {}

    def suppressed(rule: str) -> int:
        return sum(_int((measure or {}).get(rule)) for measure in suppression.values())

    units = "feeders_published" if level == "lv_feeder" else "substations_published"
    return {
        "row_count": _int((quality.get("rows_written") or {}).get(level)),
        "units_published": _int(quality.get(units)),
        "cells_suppressed_p1": suppressed("p1"),
        "cells_suppressed_p2": suppressed("p2"),
    }
