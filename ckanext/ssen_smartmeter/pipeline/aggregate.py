"""``aggregate_day``: a day of raw reads to the published files and quality report."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from . import sql
from .config import PERIODS_PER_DAY, REASONS, AggregateConfig, InputError, NoAcceptedReads
from .engine import (
    Progress,
    Reporter,
    about,
    connect,
    memory_limit_bytes,
    plan_slices,
    spill_directory,
)
from .inputs import (
    ReadsFile,
    estimate_rows,
    expand,
    inspect_reads,
    normalised_select,
    scan_bytes,
    sha256_file,
    sql_str,
    staged,
)
from .outputs import LV_FEEDER, SUBSTATION, Written, file_paths, write_levels
from .report import InputFile, QualityReport
from .topology import Topology
from .topology import load as load_topology
from .unreadable import BadValues, bad_values, refuse_if_all_bad


@dataclasses.dataclass(frozen=True)
class PreviousPublication:
    """The files of an earlier publication of the same day (for restatements, rule P3).

    Rows keep that publication's ``insert_time``; ``last_modified_time`` moves
    to the new ``published_at`` only for rows whose values changed.
    """

    lv_feeder: Path
    secondary_substation: Path

    @classmethod
    def from_dir(cls, directory: Path, day: dt.date) -> PreviousPublication:
        """The files ``aggregate_day`` wrote to ``directory`` for ``day`` (Parquet preferred)."""

        def pick(level: str) -> Path:
            for suffix in (".parquet", ".csv"):
                path = Path(directory) / level / f"{day.isoformat()}{suffix}"
                if path.is_file():
                    return path
            raise InputError(str(Path(directory) / level), None, "no earlier publication found")

        return cls(pick("lv_feeder"), pick("secondary_substation"))


#: bytes of lines sampled, over all text files, to estimate their rows (at
#: least ``_MIN_SAMPLE`` a file): a day of many ``.csv.gz`` files must not
#: spend seconds decompressing samples for its progress lines
_SAMPLE = 16 << 20
_MIN_SAMPLE = 256 << 10


def _rows(con: duckdb.DuckDBPyConnection, file: ReadsFile, text_files: int) -> int:
    """A file's rows: exact for Parquet (its metadata), estimated for text."""
    if file.fmt != "parquet":
        return about(estimate_rows(file.path, max(_MIN_SAMPLE, _SAMPLE // text_files)))
    row = con.execute(
        f"SELECT sum(num_rows) FROM parquet_file_metadata({sql_str(str(file.path))})"
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


_COLUMN = re.compile(r'column "?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
_LINE = re.compile(r"Line:? ?(\d+)", re.IGNORECASE)


def _engine_error(exc: duckdb.Error, files: Sequence[ReadsFile]) -> InputError:
    """A one-line input error from an engine error, without echoing any data."""
    text = str(exc)
    file = next((str(f.path) for f in files if str(f.path) in text), None)
    if file is None:
        file = str(files[0].path) if len(files) == 1 else ", ".join(str(f.path) for f in files)
    column = _COLUMN.search(text)
    line = _LINE.search(text)
    if "convert" in text.lower() or "conversion" in text.lower():
        reason = "wrong type: expected a number"
    else:
        reason = "unreadable input: " + text.strip().splitlines()[0].split(":")[0]
    if line:
        reason += f" (line {line.group(1)})"
    return InputError(file, column.group(1) if column else None, reason)


def aggregate_day(
    reads: Sequence[str | os.PathLike[str]],
    topology_dir: str | os.PathLike[str],
    day: dt.date,
    out_dir: str | os.PathLike[str],
    config: AggregateConfig | None = None,
    progress: Progress | None = None,
    previous: PreviousPublication | None = None,
    checksums: Mapping[str, str] | None = None,
) -> QualityReport:
    """Aggregate one UTC day of reads; write the files; return the quality report.

    Writes ``out_dir/lv_feeder/DATE.{csv,parquet}``,
    ``out_dir/secondary_substation/DATE.{csv,parquet}`` and
    ``out_dir/quality/DATE.json``. Raises :class:`InputError` when the input
    is unusable; nothing is written then. ``checksums``: ``{path: sha256}``
    of input files already hashed (the harvester hashes what it downloads as
    it arrives); the others are hashed here, beside the first pass.
    """
    config = config or AggregateConfig()
    config.validate()
    out = Path(out_dir)
    topology = Path(topology_dir)
    reporter = Reporter(progress)
    reporter.phase("inputs")
    paths = expand(reads)
    made = _make_folder(out)
    try:
        report = _aggregate(paths, topology, day, out, config, reporter, previous, checksums)
    except BaseException:
        if made:  # a run that fails leaves no empty folder behind
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    reporter.phase("done", report.rows_read + report.rows_other_licence_area)
    return report


def _make_folder(out: Path) -> bool:
    """Create ``out`` (and its parents) if needed; True if this call made it."""
    if out.is_dir():
        return False
    try:
        out.mkdir(parents=True)
    except FileExistsError as exc:
        raise InputError(str(out), None, "not a folder") from exc
    except OSError as exc:
        raise InputError(str(out), None, f"cannot create the folder ({exc.strerror})") from exc
    return True


def _aggregate(
    paths: list[Path],
    topology: Path,
    day: dt.date,
    out: Path,
    config: AggregateConfig,
    reporter: Reporter,
    previous: PreviousPublication | None,
    checksums: Mapping[str, str] | None,
) -> QualityReport:
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        with (
            spill_directory(config, out) as spill,
            tempfile.TemporaryDirectory(prefix=".staged-", dir=spill) as staging,
        ):
            csv_input = any(p.name.lower().endswith((".csv", ".csv.gz")) for p in paths)
            con = connect(config, spill, csv_input)
            try:
                report = _run(
                    con,
                    paths,
                    topology,
                    day,
                    out,
                    config,
                    reporter,
                    previous,
                    pool,
                    Path(staging),
                    {str(Path(k)): v for k, v in (checksums or {}).items()},
                )
            finally:
                con.close()
    return report


def _run(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    topology_dir: Path,
    day: dt.date,
    out: Path,
    config: AggregateConfig,
    reporter: Reporter,
    previous: PreviousPublication | None,
    pool: concurrent.futures.Executor,
    staging: Path,
    checksums: dict[str, str],
) -> QualityReport:
    reporter.phase("topology")
    topo = load_topology(con, topology_dir, config.areas())
    files = inspect_reads(con, paths)
    if len(files) > sql.MAX_FILES:
        raise InputError("--reads", None, f"more than {sql.MAX_FILES} files for one day")
    hashed: dict[str, concurrent.futures.Future[str]] = {}
    for p in [*paths, topo.lv_feeders, topo.meter_feeders]:
        if str(p) in checksums:  # already known: not read again
            hashed[str(p)] = concurrent.futures.Future()
            hashed[str(p)].set_result(checksums[str(p)])
        else:
            hashed[str(p)] = pool.submit(sha256_file, p, on_read=reporter.count_own_read)
    text_files = sum(f.fmt != "parquet" for f in files)
    file_rows = [_rows(con, f, text_files) for f in files]
    reporter.rows_total = about(sum(file_rows)) if text_files else sum(file_rows)
    reporter.rows_estimated = text_files > 0
    con.execute(sql.ROUND_HALF_EVEN_MACRO)
    parts = config.slices or plan_slices(
        groups=_scalar(con, "SELECT count(*) FROM meter_groups") * PERIODS_PER_DAY,
        meters=topo.meters,
        threads=int(_scalar(con, "SELECT current_setting('threads')")),
        limit_bytes=memory_limit_bytes(con),
    )
    sources, source_bytes, bad = _first_pass(
        con, files, file_rows, day, config, parts, reporter, staging
    )

    # rows per file and reason; ``other``: rows of meters of other licence areas
    rows_by_file = con.execute(
        f"SELECT file_idx, reason, grp = {sql.OTHER_AREA_GROUP} AS other, sum(n) "
        "FROM agg GROUP BY ALL"
    ).fetchall()
    readable = [0] * len(files)  # each file's rows read (bad values aside)
    for file_idx, _, _, n in rows_by_file:
        readable[file_idx] += int(n)
    # counted now: later phases show the rows, not the estimate of a text file's
    reporter.rows_total = sum(readable) + sum(b.rows for b in bad.values())
    reporter.rows_estimated = False
    con.execute(sql.GROUP_CELLS_ONE_FILE if len(files) == 1 else sql.GROUP_CELLS)
    dup_groups = _scalar(con, f"SELECT count(*) FROM ({sql.DUP_GROUPS})")
    if dup_groups:
        with reporter.watch("duplicates", con, source_bytes=source_bytes):
            con.execute(
                sql.duplicates(sql.classify(sources, day, config, only_groups=sql.DUP_GROUPS))
            )
    else:  # nothing to look at again: an empty table, no second scan
        con.execute(sql.NO_DUPLICATES)
    reporter.phase("privacy")
    for f in files:
        if f.index in bad:
            refuse_if_all_bad(f.path, bad[f.index], readable[f.index])
    con.execute("DROP VIEW agg")
    con.execute("DROP TABLE agg_packed")  # free memory before the next stages
    con.execute(sql.FEEDER_CELLS)
    meters = _meter_counts(con)
    # what follows needs only the feeder cells and the dimensions: free the
    # rest as soon as possible (the wide sort of the LV rows spills to disk
    # when memory is short)
    for table in ("group_cells", "dup_cells", "meters", "meter_groups"):
        con.execute(f"DROP TABLE {table}")
    con.execute(sql.substation_cells(config.threshold))
    con.execute(sql.privacy(config.threshold))
    con.execute("DROP TABLE feeder_cells")  # its rows, with flags, are in feeder_flags
    counts = _counts(con, config.threshold, readable, rows_by_file, meters, bad)
    if not counts["rows_accepted"]:  # nothing written: earlier files stay as they were
        raise NoAcceptedReads(day, counts["rejected"])
    scanned = sum(counts["file_rows"])  # this source's rows and other areas'
    reporter.phase("write", scanned)
    quality = out / "quality" / f"{day.isoformat()}.json"
    quality_tmp = quality.parent / f".{quality.name}.tmp"
    # the folders this run creates: a first run that fails removes them again
    folders = [out / LV_FEEDER.name, out / SUBSTATION.name, quality.parent]
    created = [f for f in folders if not f.exists()]
    try:
        written, moves = write_levels(
            con,
            day,
            out,
            config,
            None
            if previous is None
            else {
                LV_FEEDER.name: previous.lv_feeder,
                SUBSTATION.name: previous.secondary_substation,
            },
            reporter.phase,
        )
        if previous is not None:
            # the P3 guard may keep earlier rows: the counts the file publishes
            # are those written, not the new cells'
            lv = written[LV_FEEDER.name]
            counts["rows_published"] = lv.rows_published
            counts["meters_published"] = lv.meters_published

        report = _report(day, config, counts, written, files, topo, hashed, previous)
        report.write(quality_tmp)
        # the files move in one by one: a failure here leaves the ones moved
        # so far new, the others as they were (a re-run publishes them all)
        for tmp, final in [*moves, (quality_tmp, quality)]:
            os.replace(tmp, final)
    except BaseException:
        # nothing half-written is left beside the published files
        left = [t for level in (LV_FEEDER, SUBSTATION) for t, _ in file_paths(out, level, day)]
        for tmp in [*left, quality_tmp]:  # (the CSV's run files remove themselves)
            with contextlib.suppress(OSError):  # not there, or its folder not a folder
                tmp.unlink()
        for folder in created:
            with contextlib.suppress(OSError):  # not empty (moved files), or never made
                folder.rmdir()
        raise
    return report


def _report(
    day: dt.date,
    config: AggregateConfig,
    counts: dict,
    written: dict[str, Written],
    files: Sequence[ReadsFile],
    topo: Topology,
    hashed: dict[str, concurrent.futures.Future[str]],
    previous: PreviousPublication | None,
) -> QualityReport:
    """The day's quality report from the counts and what was written."""
    inputs = [
        InputFile(str(f.path), hashed[str(f.path)].result(), "reads", counts["file_rows"][f.index])
        for f in files
    ] + [
        InputFile(str(p), hashed[str(p)].result(), "topology")
        for p in (topo.lv_feeders, topo.meter_feeders)
    ]
    return QualityReport(
        date=day.isoformat(),
        threshold=config.threshold,
        timezone=config.timezone,
        published_at=config.published_at_utc().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        rows_read=counts["rows_read"],
        rows_accepted=counts["rows_accepted"],
        rejected=counts["rejected"],
        meters=counts["meters"],
        rows_published=counts["rows_published"],
        meters_published=counts["meters_published"],
        feeders_published=written[LV_FEEDER.name].keys,
        substations_published=written[SUBSTATION.name].keys,
        cells_suppressed_p1=sum(
            v["p1"] for lv in counts["suppression"].values() for v in lv.values()
        ),
        cells_suppressed_p2=sum(
            v["p2"] for lv in counts["suppression"].values() for v in lv.values()
        ),
        suppression=counts["suppression"],
        rows_written={name: w.rows for name, w in written.items()},
        inputs=sorted(inputs, key=lambda i: (i.kind, i.path)),
        topology={
            "feeders": topo.feeders,
            "meters": topo.meters,
            "meters_on_unknown_feeders": topo.meters_on_unknown_feeders,
        },
        rows_other_licence_area=counts["rows_other_licence_area"],
        licence_areas=None if topo.areas is None else topo.areas.to_dict(),
        restatement=None
        if previous is None
        else {
            name: {
                "new_rows": w.new_rows or 0,
                "changed_rows": w.changed_rows or 0,
                "removed_rows": w.removed_rows or 0,
                "held_rows": w.held_rows or 0,
            }
            for name, w in written.items()
        },
        restatement_blocks_held=None
        if previous is None
        else written[SUBSTATION.name].held_blocks or 0,
    )


def _first_pass(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[ReadsFile],
    file_rows: Sequence[int],
    day: dt.date,
    config: AggregateConfig,
    parts: int,
    reporter: Reporter,
    staging: Path,
) -> tuple[list[str], int, dict[int, BadValues]]:
    """Scan the reads once, or once per slice, into the table ``agg_packed``.

    Text files are read strictly first. If one has a row the reader cannot
    read, every file is read again with such rows skipped and recorded, which
    are then counted (``bad_value``) or refuse the file (:mod:`.unreadable`);
    so clean files, the usual case, do not pay for the recording (a few
    percent of a CSV day). Returns the sources as read (a rescan must read
    them the same way), the bytes a scan of them reads (for progress) and
    each text file's bad values.
    """
    field_bits = sql.packed_field_bits(config)
    file_bytes = [scan_bytes(con, f) for f in files]

    def read(tolerant: bool) -> tuple[list[str], int]:
        sources = [normalised_select(f, config.timezone, day, tolerant) for f in files]
        sizes = list(file_bytes)  # a staged file's size replaces its own
        if parts > 1:  # each slice rescans the reads: parse text files once, not per slice
            for i, file in enumerate(files):
                if file.fmt != "parquet":
                    name = f"staging {file.path.name} as Parquet"
                    with reporter.watch(name, con, source_bytes=sizes[i], rows_total=file_rows[i]):
                        path = staging / f"reads-{file.index}.parquet"
                        sources[i] = staged(con, sources[i], path)
                    sizes[i] = path.stat().st_size
        # the packed sums accumulate in 128 bits: no number of copies of a
        # reading overflows them (see ``sql.first_pass``)
        for part in range(parts):
            classified = sql.classify(sources, day, config, part=(part, parts))
            name = "aggregate" if parts == 1 else f"aggregate (slice {part + 1} of {parts})"
            with reporter.watch(name, con, share=(part, parts), source_bytes=sum(sizes)):
                con.execute(sql.first_pass(classified, field_bits, append=part > 0))
        return sources, sum(sizes)

    try:
        try:
            return *read(tolerant=False), {}
        except (duckdb.ConversionException, duckdb.InvalidInputException):
            if all(f.fmt == "parquet" for f in files):
                raise
        reporter.phase("reading again, setting aside the rows that cannot be read")
        sources, source_bytes = read(tolerant=True)
    except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.IOException) as exc:
        raise _engine_error(exc, files) from exc
    bad = {f.index: bad_values(con, f.path, f.index) for f in files if f.fmt == "csv"}
    for f in files:
        b = bad.get(f.index)
        if b and b.rows:
            reporter.phase(
                f"{f.path.name}: {b.rows:,} row(s) with a value that is not a number "
                f"(bad_value; the first at line {b.first_line}, {b.column})"
            )
    return sources, source_bytes, bad


def _scalar(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _meter_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Duplicate rows rejected, and meters with at least one accepted row."""
    duplicate = _scalar(
        con, "SELECT sum(CASE WHEN identical THEN n - 1 ELSE n END) FROM dup_cells WHERE n > 1"
    )
    seen = _scalar(
        con,
        """
        SELECT sum(bit_count(mask)) FROM (
            SELECT grp, bit_or(mask) AS mask FROM group_cells GROUP BY grp)
    """,
    )
    lost = _scalar(
        con,
        """
        SELECT count(*) FROM (
            SELECT meter_idx FROM dup_cells GROUP BY meter_idx
            HAVING sum(CASE WHEN n = 1 OR identical THEN 1 ELSE 0 END) = 0)
    """,
    )
    return duplicate, seen - lost


def _counts(
    con: duckdb.DuckDBPyConnection,
    threshold: int,
    readable: list[int],
    rows_by_file: list[tuple],
    meter_counts: tuple[int, int],
    bad: dict[int, BadValues],
) -> dict:
    t = int(threshold)
    rejected = dict.fromkeys(REASONS, 0)
    file_rows = list(readable)
    accepted = other = 0
    for _, reason, other_area, n in rows_by_file:
        if other_area:  # not this source's row, whatever its reason
            other += int(n)
        elif reason is None:
            accepted += int(n)
        else:
            rejected[REASONS[reason]] += int(n)
    for file_idx, skipped in bad.items():
        file_rows[file_idx] += skipped.rows
        rejected["bad_value"] += skipped.rows
    duplicate, meters = meter_counts
    rejected["duplicate"] = duplicate
    row = con.execute(
        "SELECT count(*) FILTER (WHERE p1_a), count(*) FILTER (WHERE p2_a), "
        "count(*) FILTER (WHERE p1_r), count(*) FILTER (WHERE p2_r), "
        "count(*) FILTER (WHERE p1_s), count(*) FILTER (WHERE p2_s) FROM feeder_flags"
    ).fetchone()
    assert row is not None
    sub = con.execute(
        f"SELECT count(*) FILTER (WHERE n_a BETWEEN 1 AND {t - 1}), "
        f"count(*) FILTER (WHERE n_r BETWEEN 1 AND {t - 1}), "
        f"count(*) FILTER (WHERE n_a >= {t} AND n_s BETWEEN 1 AND {t - 1}) "
        "FROM substation_cells"
    ).fetchone()
    assert sub is not None
    # what the LV file shows: rows behind its published active values, and the
    # most meters behind them in one half-hour (both derivable from the file)
    published = con.execute(
        f"SELECT sum(s), max(s) FROM (SELECT idx, sum(n_a) FILTER (WHERE n_a >= {t} "
        "AND NOT p2_a) AS s FROM feeder_flags GROUP BY idx)"
    ).fetchone()
    assert published is not None
    suppression = {
        "lv_feeder": {
            "active": {"p1": int(row[0]), "p2": int(row[1])},
            "reactive": {"p1": int(row[2]), "p2": int(row[3])},
            "secondary_split": {"p1": int(row[4]), "p2": int(row[5])},
        },
        "secondary_substation": {
            "active": {"p1": int(sub[0]), "p2": 0},
            "reactive": {"p1": int(sub[1]), "p2": 0},
            "secondary_split": {"p1": int(sub[2]), "p2": 0},
        },
    }
    return {
        # each file's rows count them all; the day's only this source's
        "rows_read": sum(file_rows) - other,
        "rows_other_licence_area": other,
        "rows_accepted": accepted - duplicate,
        "rejected": rejected,
        "meters": meters,
        "rows_published": int(published[0] or 0),
        "meters_published": int(published[1] or 0),
        "file_rows": file_rows,
        "suppression": suppression,
    }
