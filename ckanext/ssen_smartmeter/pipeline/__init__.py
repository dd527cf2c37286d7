"""Pure aggregation pipeline: raw half-hourly reads to privacy-safe files.

Imports nothing from CKAN; the harvester and the ``ssen-smartmeter`` command
line call the same code. The public API (stable; the harvester uses it)::

    from ckanext.ssen_smartmeter.pipeline import (
        AggregateConfig, InputError, PreviousPublication, QualityReport,
        aggregate_day, count_late_reads, generate_day, input_checksums, sha256_file,
    )

    report: QualityReport = aggregate_day(
        reads=[path_or_glob, ...],          # Parquet, .csv, .csv.gz, mixed
        topology_dir=Path,                  # lv_feeders.* and meter_feeders.*
        day=datetime.date,                  # the UTC day (periods ending 00:30..24:00)
        out_dir=Path,
        config=AggregateConfig(threshold=5, timezone="UTC", dno_name=..., dno_alias=...,
                               published_at=datetime | None, implausible_ceiling_wh=50000,
                               threads=None, memory_limit="2GB", temp_directory=None,
                               licence_areas=None),  # ("SHEPD",): only these areas' feeders
        progress=None,    # callable(phase: str, rows_done: int|None, rows_total: int|None,
                          #          elapsed_s: float)
        previous=None,    # PreviousPublication(lv_feeder=Path, secondary_substation=Path)
                          # or PreviousPublication.from_dir(old_out_dir, day): restatement (P3)
        checksums=None,   # {file path: sha256} of inputs already hashed: not read again
    )
    # writes out_dir/lv_feeder/DATE.{csv,parquet},
    #        out_dir/secondary_substation/DATE.{csv,parquet}, out_dir/quality/DATE.json
    # report.to_dict() is the JSON; raises InputError(file, column, reason) on unusable input,
    # NoAcceptedReads (an InputError) when no row was accepted: nothing written then

    input_checksums([paths or globs]) -> {path: sha256}
    sha256_file(path, on_read=None) -> hex sha256, streamed
    count_late_reads(previous_report.inputs, [paths or globs]) -> LateReads(rows, files)
    generate_day(meters, day, out_dir, seed=0, fmt="parquet"|"csv",
                 timezone="UTC"|"Europe/London", anomalies=False) -> GeneratedDay
"""

from __future__ import annotations

from .aggregate import PreviousPublication, aggregate_day
from .config import REASONS, AggregateConfig, InputError, NoAcceptedReads
from .generate import GeneratedDay, generate_day
from .inputs import input_checksums, sha256_file
from .late import LateReads, count_late_reads
from .report import InputFile, QualityReport, public_view

__all__ = [
    "REASONS",
    "AggregateConfig",
    "GeneratedDay",
    "InputError",
    "InputFile",
    "LateReads",
    "NoAcceptedReads",
    "PreviousPublication",
    "QualityReport",
    "aggregate_day",
    "count_late_reads",
    "generate_day",
    "input_checksums",
    "public_view",
    "sha256_file",
]
