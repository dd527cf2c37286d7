"""Configuration, constants and the input error of the aggregation pipeline."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_THRESHOLD = 5
#: the most scans the first pass may be split into (``AggregateConfig.slices``)
MAX_SLICES = 16
PERIODS_PER_DAY = 48

#: Rejection reasons, in the order they are tested; a row gets the first that
#: fails. ``bad_value`` (a value in a text file that is not a number) is found
#: by the CSV reader, before any other test: it is last here only because the
#: first seven are 3-bit codes in the SQL (``sql.classify``).
REASONS: tuple[str, ...] = (
    "bad_mpan",
    "bad_timestamp",
    "ambiguous_local_time",
    "outside_day",
    "negative_value",
    "implausible_value",
    "unmapped_meter",
    "duplicate",
    "bad_value",
)

#: The largest implausible-value ceiling (1 GWh a half-hour, far above any
#: meter's reading): a cell's sum in mWh then fits a BIGINT for substations of
#: up to ~4.6M meters (a larger sum raises, it never wraps).
MAX_CEILING_WH = 1e9

#: Values that meters report when they have no real reading (2^24-1, 2^32-1).
SENTINELS: tuple[int, ...] = (16_777_215, 4_294_967_295)


class InputError(Exception):
    """The input cannot be used: which file, which column, why.

    The message never contains a meter's reading (it may be shown to operators
    and is kept free of anything below the privacy threshold).
    """

    def __init__(self, file: str, column: str | None, reason: str) -> None:
        self.file = str(file)
        self.column = column
        self.reason = reason
        where = f"{self.file}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason}")


class NoAcceptedReads(InputError):
    """Not one row of the day was accepted: there is nothing to publish.

    An empty day would replace published data with nothing (e.g. a feed whose
    every timestamp is malformed), so the run stops before writing anything.
    The message names the day and the rejections, most frequent first.
    """

    def __init__(self, day: dt.date, rejected: dict[str, int]) -> None:
        counts = sorted(((n, r) for r, n in rejected.items() if n), key=lambda nr: -nr[0])
        reasons = ", ".join(f"{r}: {n:,}" for n, r in counts)
        total = sum(n for n, _ in counts)
        super().__init__(
            "--reads",
            None,
            f"no accepted reads for {day}: {total:,} rows rejected"
            + (f" ({reasons})" if reasons else ""),
        )

    def __str__(self) -> str:
        return self.reason


@dataclasses.dataclass(frozen=True)
class AggregateConfig:
    """How a day is aggregated and published.

    :param threshold: P1 minimum of distinct meters behind a published value (>= 5).
    :param timezone: zone in which *naive* input timestamps are read.
    :param dno_name: value of the ``dno_name`` column.
    :param dno_alias: value of the ``dno_alias`` column.
    :param published_at: pins ``insert_time``/``last_modified_time`` (UTC; default now).
    :param implausible_ceiling_wh: a value above this (per half-hour) is implausible
        (at most ``MAX_CEILING_WH``, 1 GWh).
    :param threads: DuckDB threads (``None``: all cores).
    :param memory_limit: DuckDB memory limit, it spills to ``temp_directory`` beyond it.
    :param temp_directory: where DuckDB spills (default: a folder under ``out_dir``).
    :param slices: scans of the reads in the first pass, each aggregating a
        share of the feeders (``None``: as few as ``memory_limit`` allows,
        usually one; at most ``MAX_SLICES``). The output does not depend on it.
    :param licence_areas: publish only the LV feeders whose ``licence_area``
        (case and spaces aside) is one of these (``None``: every feeder).
        Reads of meters on the other feeders are not this day's rows: they are
        counted apart (``rows_other_licence_area``), neither read nor rejected.
    """

    threshold: int = MIN_THRESHOLD
    timezone: str = "UTC"
    dno_name: str = "Scottish and Southern Electricity Networks"
    dno_alias: str = "SSEN"
    published_at: dt.datetime | None = None
    implausible_ceiling_wh: float = 50_000
    threads: int | None = None
    memory_limit: str = "2GB"
    temp_directory: str | None = None
    slices: int | None = None
    licence_areas: tuple[str, ...] | None = None

    def validate(self) -> None:
        """Raise :class:`InputError` when the configuration is unusable."""
        if not isinstance(self.threshold, int) or self.threshold < MIN_THRESHOLD:
            raise InputError(
                "configuration",
                "threshold",
                f"threshold {self.threshold} refused: it must be an integer >= {MIN_THRESHOLD}",
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(
                "configuration", "timezone", f"unknown time zone {self.timezone!r}"
            ) from exc
        if not 0 < self.implausible_ceiling_wh <= MAX_CEILING_WH:
            raise InputError(
                "configuration",
                "implausible_ceiling_wh",
                f"must be positive and at most {MAX_CEILING_WH:,.0f} Wh per half-hour",
            )
        if self.threads is not None and self.threads < 1:
            raise InputError("configuration", "threads", "must be >= 1")
        if self.slices is not None and not 1 <= self.slices <= MAX_SLICES:
            raise InputError("configuration", "slices", f"must be between 1 and {MAX_SLICES}")
        if self.licence_areas is not None and not self.areas():
            raise InputError("configuration", "licence_areas", "no licence area given")

    def areas(self) -> tuple[str, ...]:
        """The licence areas, upper case, sorted, each once (empty: no selection)."""
        return tuple(sorted({a.strip().upper() for a in self.licence_areas or () if a.strip()}))

    def published_at_utc(self) -> dt.datetime:
        """The publication time as a naive UTC datetime, whole seconds."""
        when = self.published_at or dt.datetime.now(dt.UTC)
        if when.tzinfo is not None:
            when = when.astimezone(dt.UTC).replace(tzinfo=None)
        return when.replace(microsecond=0)
