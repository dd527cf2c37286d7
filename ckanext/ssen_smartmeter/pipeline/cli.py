"""``ssen-smartmeter``: generate synthetic days and aggregate days of reads.

Exit codes: 0 the day was produced (rejected rows are normal and reported);
2 unusable input or arguments (one line: file, column, reason), or no read of
the day accepted (nothing written); 1 anything else.
No error line quotes a value from the input files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

import duckdb

from .aggregate import PreviousPublication, aggregate_day
from .config import REASONS, AggregateConfig, InputError
from .engine import ProgressLines
from .generate import generate_day

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ssen-smartmeter", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a synthetic day of reads and its topology")
    gen.add_argument("--meters", type=int, required=True)
    gen.add_argument("--date", type=_date, required=True)
    gen.add_argument("--out", required=True)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    gen.add_argument("--timezone", choices=("UTC", "Europe/London"), default="UTC")
    gen.add_argument("--anomalies", action="store_true", help="inject every rejection reason")
    gen.add_argument("--threads", type=int, default=None)
    agg = sub.add_parser("aggregate", help="aggregate a day of reads into the published files")
    agg.add_argument(
        "--reads", nargs="+", required=True, help="files or globs (Parquet/CSV/CSV.gz)"
    )
    agg.add_argument("--topology", required=True)
    agg.add_argument(
        "--licence-areas",
        nargs="+",
        metavar="AREA",
        default=None,
        help="publish only the LV feeders whose licence_area is one of these "
        "(e.g. SHEPD); reads of meters on other feeders are counted apart "
        "(rows_other_licence_area), neither read nor rejected",
    )
    agg.add_argument("--date", type=_date, required=True)
    agg.add_argument("--out", required=True)
    agg.add_argument("--timezone", default="UTC", help="zone of naive timestamps (default UTC)")
    agg.add_argument("--threshold", type=int, default=5)
    agg.add_argument("--dno-name", default=AggregateConfig.dno_name)
    agg.add_argument("--dno-alias", default=AggregateConfig.dno_alias)
    agg.add_argument("--published-at", type=_instant, default=None)
    agg.add_argument(
        "--previous",
        metavar="DIR",
        default=None,
        help="restate the day (rule P3): DIR (it may be --out) holds its earlier "
        "publication; rows keep their insert_time and last_modified_time moves "
        "only where a value changed",
    )
    agg.add_argument(
        "--implausible-ceiling-wh",
        type=float,
        default=50_000,
        help="a value above this (Wh per half-hour) is implausible; at most 1e9",
    )
    agg.add_argument("--threads", type=int, default=None)
    agg.add_argument("--memory-limit", default=AggregateConfig.memory_limit)
    agg.add_argument("--temp-directory", default=None)
    agg.add_argument(
        "--slices",
        type=int,
        default=None,
        help="scans of the reads in the first pass, each for a share of the feeders "
        "(default: as few as --memory-limit allows, usually 1; the output is the same)",
    )
    return top


def _aggregate(args: argparse.Namespace) -> int:
    config = AggregateConfig(
        threshold=args.threshold,
        timezone=args.timezone,
        dno_name=args.dno_name,
        dno_alias=args.dno_alias,
        published_at=args.published_at,
        implausible_ceiling_wh=args.implausible_ceiling_wh,
        threads=args.threads,
        memory_limit=args.memory_limit,
        temp_directory=args.temp_directory,
        slices=args.slices,
        licence_areas=tuple(args.licence_areas) if args.licence_areas else None,
    )
    previous = PreviousPublication.from_dir(args.previous, args.date) if args.previous else None
    progress = ProgressLines(lambda line: print(line, file=sys.stderr, flush=True))
    report = aggregate_day(
        args.reads, args.topology, args.date, args.out, config, progress, previous=previous
    )
    areas = report.licence_areas
    if areas and areas["feeders_excluded"]:
        print(
            f"licence areas {', '.join(areas['areas'])}: {areas['feeders']:,} "
            f"feeders kept, {areas['feeders_excluded']:,} left out "
            f"({areas['meters_excluded']:,} meters)",
            file=sys.stderr,
        )
    rejected = ", ".join(f"{r} {report.rejected[r]:,}" for r in REASONS if report.rejected[r])
    # rows of meters of other areas are neither read nor rejected: said apart
    other = (
        f"; {report.rows_other_licence_area:,} rows of other licence areas (not counted)"
        if areas
        else ""
    )
    elapsed = progress.last[1]
    print(
        f"{report.date}: {report.rows_read:,} rows read, {report.rows_accepted:,} accepted, "
        f"{sum(report.rejected.values()):,} rejected ({rejected or 'none'}){other}; "
        f"{report.meters:,} meters; {report.feeders_published:,} feeders and "
        f"{report.substations_published:,} substations published; cells suppressed: "
        f"P1 {report.cells_suppressed_p1:,}, P2 {report.cells_suppressed_p2:,}; "
        f"{elapsed:.1f}s; output in {args.out}",
        file=sys.stderr,
    )
    for level, counts in (report.restatement or {}).items():
        print(
            f"restated {level}: {counts['new_rows']:,} rows new, "
            f"{counts['changed_rows']:,} changed, {counts['removed_rows']:,} removed, "
            f"{counts['held_rows']:,} held as published",
            file=sys.stderr,
        )
    if report.restatement_blocks_held is not None:
        print(
            f"restatement guard (P3): {report.restatement_blocks_held:,} substation "
            "half-hours held as published",
            file=sys.stderr,
        )
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    day = generate_day(
        args.meters,
        args.date,
        args.out,
        seed=args.seed,
        fmt=args.format,
        timezone=args.timezone,
        anomalies=args.anomalies,
        threads=args.threads,
    )
    print(
        f"generated {args.meters:,} meters for {args.date}: "
        f"reads {', '.join(map(str, day.reads))}; "
        f"topology {day.topology_dir}",
        file=sys.stderr,
    )
    return EXIT_OK


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _aggregate(args) if args.command == "aggregate" else _generate(args)
    except InputError as exc:
        # one line (an engine may append the offending input line below its message)
        print(f"ssen-smartmeter: error: {_first_line(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except duckdb.Error as exc:
        # not expected: say what kind of failure, never the engine's text (it may quote data)
        kind = str(exc).split(":", 1)[0] if ":" in str(exc) else type(exc).__name__
        print(f"ssen-smartmeter: error: engine failure ({kind})", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
