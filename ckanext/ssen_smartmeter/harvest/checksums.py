"""SHA-256 of files and comparison of checksum sets. Pure logic (no CKAN)."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

_CHUNK = 4 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 4 MiB chunks (bounded memory)."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        while True:
            n = handle.readinto(buffer)
            if not n:
                break
            digest.update(view[:n])
    return digest.hexdigest()


def same_inputs(published: Mapping[str, str] | None, current: Mapping[str, str]) -> bool:
    """Whether the reads now are exactly those published (names and contents)."""
    return published is not None and dict(published) == dict(current)


def changed_files(published: Mapping[str, str] | None, current: Mapping[str, str]
                  ) -> dict[str, list[str]]:
    """Which files were added, removed or changed since publication."""
    before = dict(published or {})
    return {
        "added": sorted(set(current) - set(before)),
        "removed": sorted(set(before) - set(current)),
        "changed": sorted(k for k in set(before) & set(current) if before[k] != current[k]),
    }
