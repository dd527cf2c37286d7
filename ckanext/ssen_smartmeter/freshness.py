"""Freshness of a dataset: when its data last changed and whether that is
within its update frequency.

Pure logic: imports nothing from CKAN. A dataset is *up to date* while
``now <= last_data_update + expiry(frequency) + grace``; the boundary itself
still counts as up to date. Frequencies without a schedule (``as_needed``,
``not_planned``) never expire. A dataset without any resource has no
``last_data_update`` and is not up to date.

Coverage of a period (a month of smart meter data, one file a day): a day is
covered when a resource's ``period_start``..``period_end`` (``period_end``
defaults to ``period_start``) includes it. A dataset is *complete* when every
day of its period is covered, with no gap: nothing more is due, so it is up
to date for good. :func:`missing_days` lists the days not covered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

EXPIRY: dict[str, dt.timedelta | None] = {
    "as_needed": None,
    "not_planned": None,
    "annually": dt.timedelta(days=365),
    "biannually": dt.timedelta(days=365 / 2),
    "quarterly": dt.timedelta(days=365 / 4),
    "monthly": dt.timedelta(days=31),
    "weekly": dt.timedelta(days=7),
    "daily": dt.timedelta(days=1),
    "hourly": dt.timedelta(hours=1),
}
FREQUENCIES = tuple(EXPIRY)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# resource keys that say when a resource's data changed, best first
RESOURCE_TIME_KEYS = ("last_modified", "created", "metadata_modified")


@dataclass(frozen=True)
class Freshness:
    last_data_update: dt.datetime | None
    is_up_to_date: bool
    next_update_due: dt.datetime | None
    is_complete: bool = False

    def as_fields(self) -> dict[str, Any]:
        """The computed dataset fields (ISO strings, UTC, no offset as CKAN shows)."""
        return {
            "last_data_update": _iso(self.last_data_update),
            "is_up_to_date": self.is_up_to_date,
            "next_update_due": _iso(self.next_update_due),
            "is_complete": self.is_complete,
        }


def parse_time(value: Any) -> dt.datetime | None:
    """A naive UTC datetime from a datetime or an ISO string (else ``None``)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def resource_time(resource: Mapping[str, Any]) -> dt.datetime | None:
    """When a resource's data last changed (first key of RESOURCE_TIME_KEYS set)."""
    for key in RESOURCE_TIME_KEYS:
        moment = parse_time(resource.get(key))
        if moment is not None:
            return moment
    return None


def last_data_update(resources: Iterable[Mapping[str, Any]]) -> dt.datetime | None:
    """The newest :func:`resource_time` of ``resources``."""
    times = [t for t in (resource_time(r) for r in resources) if t is not None]
    return max(times) if times else None


def period_bounds(period: Any) -> tuple[dt.date, dt.date] | None:
    """First and last day of the month ``period`` (``YYYY-MM``); ``None`` for
    anything else."""
    try:
        year, month = (int(part) for part in str(period).split("-"))
        first = dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None
    next_month = (first + dt.timedelta(days=31)).replace(day=1)
    return first, next_month - dt.timedelta(days=1)


def parse_date(value: Any) -> dt.date | None:
    """The day of a date, a datetime or an ISO string (else ``None``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except (TypeError, ValueError):
        return None


def covered_days(
    resources: Iterable[Mapping[str, Any]], start: dt.date, end: dt.date
) -> list[dt.date]:
    """The days from ``start`` to ``end`` (both included) that a resource
    covers, in order. A resource covers ``period_start`` to ``period_end``
    (``period_start`` alone without an end); one without a readable
    ``period_start`` covers nothing."""
    days: set[dt.date] = set()
    for resource in resources:
        first = parse_date(resource.get("period_start"))
        if first is None:
            continue
        last = parse_date(resource.get("period_end")) or first
        day = max(first, start)
        while day <= min(last, end):
            days.add(day)
            day += dt.timedelta(days=1)
    return sorted(days)


def missing_days(
    resources: Iterable[Mapping[str, Any]], start: dt.date, end: dt.date
) -> list[dt.date]:
    """The days from ``start`` to ``end`` (both included) that no resource
    covers (:func:`covered_days`), in order; empty when ``end`` is before
    ``start``."""
    covered = set(covered_days(resources, start, end))
    count = (end - start).days + 1
    days = (start + dt.timedelta(days=n) for n in range(max(count, 0)))
    return [day for day in days if day not in covered]


def period_gaps(
    period: Any, resources: Iterable[Mapping[str, Any]], today: dt.date
) -> list[dt.date] | None:
    """The days of the month ``period`` that are due and not covered:
    every uncovered day once the month is over (``today`` after its last
    day), else the uncovered days up to the newest covered one (later days
    are not due yet). ``None`` when ``period`` is not a month."""
    bounds = period_bounds(period)
    if bounds is None:
        return None
    first, last = bounds
    resources = list(resources)
    if today <= last:
        covered = covered_days(resources, first, last)
        if not covered:
            return []
        last = covered[-1]
    return missing_days(resources, first, last)


def period_complete(period: Any, resources: Iterable[Mapping[str, Any]]) -> bool:
    """True when every day of the month ``period`` (``YYYY-MM``) is covered
    by ``resources``, with no gap; False for anything else."""
    bounds = period_bounds(period)
    return bounds is not None and not missing_days(resources, *bounds)


def day_ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive ``days`` collapsed into (first, last) ranges, in order."""
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if ranges and day - ranges[-1][1] == dt.timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def format_day_ranges(days: Iterable[dt.date]) -> str:
    """Days as short ranges: ``3–5 Nov, 9 Nov`` (``30 Nov–2 Dec`` across
    months; no year: the period says it). English month names, whatever the
    locale."""
    parts = []
    for first, last in day_ranges(days):
        if first == last:
            parts.append(f"{first.day} {MONTHS[first.month - 1]}")
        elif (first.year, first.month) == (last.year, last.month):
            parts.append(f"{first.day}–{last.day} {MONTHS[last.month - 1]}")
        else:
            parts.append(
                f"{first.day} {MONTHS[first.month - 1]}–{last.day} {MONTHS[last.month - 1]}"
            )
    return ", ".join(parts)


def compute(
    frequency: str | None,
    resources: Iterable[Mapping[str, Any]],
    now: dt.datetime,
    grace: dt.timedelta = dt.timedelta(0),
    complete: bool = False,
) -> Freshness:
    """Freshness of a dataset of ``frequency`` holding ``resources`` at ``now``.

    :param now: naive UTC (an aware time is converted)
    :param grace: tolerance added to every expiry
    :param complete: the dataset covers every day of its period (no
        :func:`missing_days`): up to date, nothing due
    """
    now = parse_time(now) or now
    last = last_data_update(resources)
    if last is None:
        return Freshness(None, False, None)
    if complete:
        return Freshness(last, True, None, is_complete=True)
    expiry = EXPIRY.get(frequency or "")
    if expiry is None:
        # no schedule (or an unknown frequency): nothing can be overdue
        return Freshness(last, frequency in EXPIRY, None)
    due = last + expiry + grace
    return Freshness(last, now <= due, due)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
