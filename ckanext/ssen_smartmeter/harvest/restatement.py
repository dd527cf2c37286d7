"""Rule P3: late reads are counted and reported; a restatement applies them.

A published day whose reads changed is not republished by a harvest: the
change is measured (rows in new or changed files, by checksum) and recorded
on the job. ``ckan ssen-smartmeter restate SOURCE --date D`` republishes the
day from its current reads with the published files as the previous
publication: rows keep their ``insert_time`` and ``last_modified_time`` moves
only where values changed; the restatement is recorded on the object (the
previous publication, its inputs and the pipeline's counts of new, changed
and removed rows) and logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from ckanext.harvest.model import HarvestObject

from ckanext.ssen_smartmeter.harvest import aggregate, publish, state
from ckanext.ssen_smartmeter.harvest.checksums import changed_files
from ckanext.ssen_smartmeter.harvest.errors import FetchError
from ckanext.ssen_smartmeter.harvest.inputs import InputFile, digest_of

log = logging.getLogger(__name__)


def report_late(
    obj: HarvestObject, day: dt.date, reads: list[InputFile], current: HarvestObject
) -> None:
    """Rule P3: count the reads that arrived since publication; publish nothing."""
    published = (state.get_extra(current, state.QUALITY) or {}).get("inputs", [])
    here = {f.name: str(f.path) for f in reads}
    # the published report names files relative to the source: map them to this machine
    published = [dict(i, path=here.get(i["path"], i["path"])) for i in published]
    try:
        late = aggregate.count_late_reads(published, [f.path for f in reads])
    except Exception as exc:  # an unreadable new file: say so, apply nothing
        raise FetchError(
            f"{day}: reads changed since publication and cannot be counted "
            f"({type(exc).__name__}); the published files are unchanged"
        ) from None
    by_path = {str(f.path): f.name for f in reads}
    outcome = {
        "status": "late",
        "late_rows": late.rows,
        "late_files": sorted(by_path.get(p, Path(p).name) for p in late.files),
        "input_files": changed_files(state.get_extra(current, state.INPUTS), digest_of(reads)),
        "published_at": state.get_extra(current, state.PUBLISHED_AT),
    }
    state.set_extra(obj, state.OUTCOME, outcome)
    log.info(
        "source %s: %s has %d late read(s) in %d file(s); reported, not applied "
        "(ckan ssen-smartmeter restate applies them)",
        obj.harvest_source_id,
        day,
        late.rows,
        len(late.files),
    )


def previous_publication(
    current: HarvestObject, day: dt.date, folder: Path
) -> aggregate.PreviousPublication:
    """The published files of the day, Parquet preferred (they keep exact types)."""
    resources = (state.get_extra(current, state.OUTCOME) or {}).get("resources") or {}
    found: dict[str, Path] = {}
    for level in aggregate.LEVELS:
        for fmt in ("parquet", "csv"):
            resource_id = (resources.get(level) or {}).get(fmt)
            path = publish.published_file(resource_id) if resource_id else None
            if path is not None:
                # stored without a suffix; the pipeline reads by suffix
                folder.mkdir(parents=True, exist_ok=True)
                link = folder / f"{level}{aggregate.SUFFIXES[fmt]}"
                link.unlink(missing_ok=True)
                link.symlink_to(path)
                found[level] = link
                break
        else:
            raise FetchError(
                f"{day}: the published {level} file is missing from the storage; "
                "cannot restate without it"
            )
    return aggregate.PreviousPublication(found["lv_feeder"], found["secondary_substation"])


def record(
    outcome: dict[str, Any], obj: HarvestObject, current: HarvestObject, quality: dict[str, Any]
) -> None:
    """Add what a restatement replaced to ``outcome``, and log it."""
    outcome["previous_object"] = current.id
    outcome["previous_inputs"] = state.get_extra(current, state.INPUTS)
    outcome["restatement"] = quality.get("restatement")
    outcome["restatement_blocks_held"] = quality.get("restatement_blocks_held")
    log.info(
        "source %s: %s restated (previous publication %s): %s; %s substation half-hour(s) "
        "held by the P3 restatement guard",
        obj.harvest_source_id,
        obj.guid,
        state.get_extra(current, state.PUBLISHED_AT),
        describe(outcome["restatement"]),
        outcome["restatement_blocks_held"] or 0,
    )


def describe(restatement: dict[str, Any] | None) -> str:
    """``lv_feeder new 0, changed 12, removed 0, held 96; secondary_substation ...``."""
    parts = []
    for level, counts in sorted((restatement or {}).items()):
        numbers = ", ".join(
            f"{key.removesuffix('_rows')} {int(counts.get(key) or 0):,}"
            for key in ("new_rows", "changed_rows", "removed_rows", "held_rows")
        )
        parts.append(f"{level} rows {numbers}")
    return "; ".join(parts) or "no rows compared"
