"""The one place the harvester calls the aggregation pipeline.

No CKAN imports. The harvester publishes exactly what ``ssen-smartmeter
aggregate`` writes for the same day and options (see :func:`cli_arguments`):
this module maps a source configuration onto the pipeline's
:class:`AggregateConfig`, runs it, lists the files it wrote and hashes them
(two threads: hashlib releases the GIL).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ckanext.ssen_smartmeter.harvest.source_config import SourceConfig
from ckanext.ssen_smartmeter.pipeline import (
    AggregateConfig,
    InputError,
    NoAcceptedReads,
    PreviousPublication,
    aggregate_day,
    count_late_reads,
    sha256_file,
)

LEVELS = ("lv_feeder", "secondary_substation")
SUFFIXES = {"csv": ".csv", "parquet": ".parquet"}

__all__ = [
    "LEVELS",
    "SUFFIXES",
    "DayOutput",
    "InputError",
    "NoAcceptedReads",
    "PreviousPublication",
    "WorkerResources",
    "cli_arguments",
    "count_late_reads",
    "pipeline_config",
    "run",
]


@dataclasses.dataclass(frozen=True)
class DayOutput:
    quality: dict[str, Any]
    #: level -> format -> {"path", "sha256", "size"}
    files: dict[str, dict[str, dict[str, Any]]]


@dataclasses.dataclass(frozen=True)
class WorkerResources:
    """What a fetch worker gives one day's aggregation (the site's
    ``ckanext.ssen_smartmeter.harvest_memory_limit`` and ``harvest_threads``);
    they never change the output."""

    memory_limit: str = AggregateConfig.memory_limit
    threads: int | None = None  # None: every core the machine shows


def pipeline_config(
    config: SourceConfig, published_at: dt.datetime, resources: WorkerResources | None = None
) -> AggregateConfig:
    """The pipeline options a harvest of ``config`` uses."""
    resources = resources or WorkerResources()
    return AggregateConfig(
        threshold=config.threshold,
        timezone=config.timezone,
        dno_name=config.dno_name,
        dno_alias=config.dno_alias,
        published_at=published_at,
        memory_limit=resources.memory_limit,
        threads=resources.threads,
        licence_areas=tuple(config.licence_areas),
    )


def cli_arguments(config: SourceConfig, published_at: dt.datetime) -> list[str]:
    """The ``ssen-smartmeter aggregate`` options that give the same bytes."""
    return [
        "--threshold",
        str(config.threshold),
        "--timezone",
        config.timezone,
        "--dno-name",
        config.dno_name,
        "--dno-alias",
        config.dno_alias,
        "--published-at",
        published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--licence-areas",
        *config.licence_areas,
    ]


def run(
    reads: list[Path],
    topology_dir: Path,
    day: dt.date,
    out_dir: Path,
    config: SourceConfig,
    published_at: dt.datetime,
    previous: PreviousPublication | None = None,
    progress: Callable[..., Any] | None = None,
    resources: WorkerResources | None = None,
    checksums: Mapping[str, str] | None = None,
) -> DayOutput:
    """Aggregate one day into ``out_dir``; return its quality report and files.

    :param previous: the currently published files of the day (restatement):
        rows keep their ``insert_time``; ``last_modified_time`` moves only where
        values changed
    :param resources: the worker's memory limit and threads (:class:`WorkerResources`)
    :param checksums: ``{path: sha256}`` of inputs already hashed (while
        downloading), so the pipeline does not read them again for it
    :raises InputError: the day's input is unusable
    """
    # only the feeders of the source's licence areas: the reads of other
    # areas' meters are counted apart (``rows_other_licence_area``)
    report = aggregate_day(
        reads=list(reads),
        topology_dir=topology_dir,
        day=day,
        out_dir=out_dir,
        config=pipeline_config(config, published_at, resources),
        progress=progress,
        previous=previous,
        checksums=checksums,
    )
    paths = {
        (level, fmt): out_dir / level / f"{day.isoformat()}{SUFFIXES[fmt]}"
        for level in LEVELS
        for fmt in config.formats
    }
    for path in paths.values():
        if not path.is_file():
            raise InputError(str(path), None, "the pipeline wrote no such file")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        digests = {key: pool.submit(sha256_file, path) for key, path in paths.items()}
        files: dict[str, dict[str, dict[str, Any]]] = {}
        for (level, fmt), path in paths.items():
            files.setdefault(level, {})[fmt] = {
                "path": str(path),
                "sha256": digests[(level, fmt)].result(),
                "size": path.stat().st_size,
            }
    return DayOutput(report.to_dict(), files)
