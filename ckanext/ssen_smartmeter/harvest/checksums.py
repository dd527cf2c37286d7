"""Comparison of checksum sets (the files' SHA-256: ``pipeline.inputs.sha256_file``).
Pure logic (no CKAN)."""

from __future__ import annotations

from collections.abc import Mapping


def same_inputs(published: Mapping[str, str] | None, current: Mapping[str, str]) -> bool:
    """Whether the reads now are exactly those published (names and contents)."""
    return published is not None and dict(published) == dict(current)


def changed_files(
    published: Mapping[str, str] | None, current: Mapping[str, str]
) -> dict[str, list[str]]:
    """Which files were added, removed or changed since publication."""
    before = dict(published or {})
    return {
        "added": sorted(set(current) - set(before)),
        "removed": sorted(set(before) - set(current)),
        "changed": sorted(k for k in set(before) & set(current) if before[k] != current[k]),
    }
