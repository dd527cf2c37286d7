"""Keep values out of unexpected error messages. Pure logic (no CKAN).

Messages of :class:`InputError` are written to be safe. Anything else (an
engine's conversion error, say) may quote a cell of the input, which could
be one meter's reading or its MPAN: quoted literals and bare numbers are
replaced before such a message reaches a log, an object error or a page.
Dates and times survive, as they say which day failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?Z?")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_MAX = 500


def scrub(message: str) -> str:
    """``message`` without quoted literals or numbers (dates and times kept)."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return chr(0xE000 + len(kept) - 1)

    text = _DATE_OR_TIME.sub(keep, message)
    text = _QUOTED.sub("'…'", text)
    text = _NUMBER.sub("#", text)
    text = re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group(0)) - 0xE000], text)
    return text if len(text) <= _MAX else text[:_MAX] + "…"


_IDENTIFIER = re.compile(r"\d{6,}")


def public_message(message: str) -> str:
    """An expected error's message as it may be shown: its first line only
    (engines append the offending input line below it) with any run of six
    or more digits (an MPAN, a feeder id, a reading) masked."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    text = _IDENTIFIER.sub("#", first)
    return text if len(text) <= _MAX else text[:_MAX] + "…"


def with_source_names(message: str, names: Mapping[str, str], work_dir: str | None = None) -> str:
    """``message`` naming each input as its source does (``names``: local path ->
    name under the source), once: engines repeat the file, quoted, after the
    reason; that repeat is dropped when the file is already named. Any other
    path under ``work_dir`` (the harvester's work area) loses that prefix."""
    for path in sorted(names, key=len, reverse=True):
        if message.count(path) > 1:
            message = re.sub(r"\s*(['\"])" + re.escape(path) + r"\1", "", message)
        message = message.replace(path, names[path])
    if work_dir:
        message = message.replace(work_dir.rstrip("/") + "/", "")
    return message
