"""Naive local times to UTC, with ambiguous and non-existent times flagged.

The zone's offsets are worked out here (``zoneinfo``) for the years around the
processed day and turned into plain SQL ``CASE`` expressions over a naive
``TIMESTAMP``, so the engine never has to guess and any SQL engine can run it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

_UTC = dt.UTC


@dataclasses.dataclass(frozen=True)
class Transition:
    """A change of UTC offset at ``at_utc`` (naive UTC) from ``before`` to ``after``."""

    at_utc: dt.datetime
    before: dt.timedelta
    after: dt.timedelta

    @property
    def gap(self) -> tuple[dt.datetime, dt.datetime] | None:
        """Naive local times that never happen (clocks go forward)."""
        if self.after > self.before:
            return self.at_utc + self.before, self.at_utc + self.after
        return None

    @property
    def fold(self) -> tuple[dt.datetime, dt.datetime] | None:
        """Naive local times that happen twice (clocks go back)."""
        if self.after < self.before:
            return self.at_utc + self.after, self.at_utc + self.before
        return None


def _offset(zone: ZoneInfo, at_utc: dt.datetime) -> dt.timedelta:
    offset = at_utc.replace(tzinfo=_UTC).astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def transitions(timezone: str, day: dt.date, years_around: int = 1) -> list[Transition]:
    """Offset changes of ``timezone`` from ``years_around`` years before ``day`` to after it."""
    zone = ZoneInfo(timezone)
    start = dt.datetime(day.year - years_around, 1, 1)
    end = dt.datetime(day.year + years_around + 1, 1, 1)
    found: list[Transition] = []
    step = dt.timedelta(hours=6)
    here = start
    before = _offset(zone, here)
    while here < end:
        nxt = here + step
        after = _offset(zone, nxt)
        if after != before:
            lo, hi = here, nxt  # bisect to the second
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + dt.timedelta(seconds=(hi - lo).total_seconds() // 2)
                if _offset(zone, mid) == before:
                    lo = mid
                else:
                    hi = mid
            found.append(Transition(hi, before, after))
            before = after
        here = nxt
    return found


_EPOCH = dt.datetime(1970, 1, 1)


def epoch_us(value: dt.datetime) -> int:
    """Microseconds since 1970-01-01 of a naive datetime (taken as is)."""
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def _ts(value: dt.datetime) -> str:
    return str(epoch_us(value))


def _interval(delta: dt.timedelta) -> str:
    return str(delta // dt.timedelta(microseconds=1))


def local_sql(column: str, timezone: str, day: dt.date) -> tuple[str, str]:
    """SQL for (UTC epoch microseconds, ``is_bad`` boolean) of a naive local ``column``.

    ``column`` holds the naive local time as epoch microseconds (wall clock
    read as if UTC). ``is_bad`` is true for local times that are ambiguous or
    do not exist. Pure integer comparisons, so any SQL engine runs it.
    """
    zone = ZoneInfo(timezone)
    moves = transitions(timezone, day)
    if not moves:
        offset = _offset(zone, dt.datetime(day.year, day.month, day.day))
        utc = f"({column} - {_interval(offset)})"
        return utc, "FALSE"
    bad: list[str] = []
    for move in moves:
        window = move.gap or move.fold
        if window:
            bad.append(f"({column} >= {_ts(window[0])} AND {column} < {_ts(window[1])})")
    # the offset in force at a (good) local time: compare with each change's
    # local instant, expressed in the offset in force after it
    branches = [
        f"WHEN {column} < {_ts(move.at_utc + max(move.before, move.after))} "
        f"THEN {column} - {_interval(move.before)}"
        for move in moves
    ]
    utc = f"(CASE {' '.join(branches)} ELSE {column} - {_interval(moves[-1].after)} END)"
    return utc, "(" + " OR ".join(bad) + ")"
