"""Which days a harvest job works on, and why.

Pure logic (imports nothing from CKAN). Gather walks the candidate days in
batches (:func:`batched`), looks up what is published for each batch, and
asks :func:`decide` what each day needs:

* ``publish``: the day is ready (at least ``lag_days`` old) and not published;
* ``late``: the day is published but its reads changed since (rule P3: the
  change is reported, not applied);
* ``check``: an operator named the day explicitly; the run confirms it is
  ``unchanged`` (or reports late reads);
* ``restate``: an operator asked to republish the day with its current reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Kind(enum.StrEnum):
    PUBLISH = "publish"
    LATE = "late"
    CHECK = "check"
    RESTATE = "restate"


@dataclasses.dataclass(frozen=True)
class DayState:
    """What the catalogue knows about one day of one source."""

    published: bool
    fingerprint: str | None = None  # of the reads last seen (published or reported)


@dataclasses.dataclass(frozen=True)
class DayRange:
    """Days asked for explicitly (``--date`` / ``--from --to``) or a restatement."""

    start: dt.date
    end: dt.date
    restate: bool = False

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")


def last_ready_day(today: dt.date, lag_days: int) -> dt.date:
    """The most recent day that is ``lag_days`` old on ``today``."""
    return today - dt.timedelta(days=lag_days)


def candidate_days(
    first: dt.date,
    last: dt.date | None,
    today: dt.date,
    lag_days: int,
    asked: DayRange | None = None,
) -> Iterator[dt.date]:
    """Days of the source that may need work, oldest first.

    Without ``asked``: every ready day from ``first`` on (bounded by ``last``).
    With ``asked``: those of the asked days that lie in the source's range and
    are ready (a restatement never publishes a day early either).
    """
    end = last_ready_day(today, lag_days)
    if last is not None:
        end = min(end, last)
    start = first
    if asked is not None:
        start, end = max(start, asked.start), min(end, asked.end)
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def refusal(
    first: dt.date, last: dt.date | None, today: dt.date, lag_days: int, asked: DayRange
) -> str | None:
    """Why none of the ``asked`` days can be worked on (None: some can).

    A range that overlaps the source's ready days is accepted (its other days
    are left alone); one that does not is refused rather than run as an
    empty job.
    """
    days = str(asked.start) if asked.start == asked.end else f"{asked.start} to {asked.end}"
    refused = f"cannot {'restate' if asked.restate else 'harvest'} {days}"
    ready = last_ready_day(today, lag_days)
    if asked.end < first:
        return f"{refused}: before the source's first day ({first})"
    if last is not None and asked.start > last:
        return f"{refused}: after the source's last day ({last})"
    if asked.start > ready:
        return (
            f"{refused}: not ready yet (a day is published once it is {lag_days} "
            f"day(s) old; the last ready day is {ready})"
        )
    return None


def in_late_window(day: dt.date, today: dt.date, late_window_days: int) -> bool:
    """Whether a regular run still looks for late reads of published ``day``."""
    return day >= today - dt.timedelta(days=late_window_days)


def decide(
    state: DayState | None, fingerprint: str | None, asked: DayRange | None = None
) -> Kind | None:
    """What ``day`` needs, given its published state and current reads.

    :param state: what is published for the day (None: nothing ever)
    :param fingerprint: of the reads available now (None: no reads yet)
    :param asked: the explicit range the day belongs to, if any
    """
    if fingerprint is None:
        return None
    published = state is not None and state.published
    if asked is not None and asked.restate:
        return Kind.RESTATE if published else Kind.PUBLISH
    if not published:
        return Kind.PUBLISH
    if state is not None and fingerprint != state.fingerprint:
        return Kind.LATE
    return Kind.CHECK if asked is not None else None


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (memory stays bounded)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def month_of(day: dt.date) -> str:
    """``YYYY-MM``: the dataset period a day belongs to."""
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month of ``day``."""
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)
