"""Freshness of a dataset: when its data last changed and whether that is
within its update frequency.

Pure logic: imports nothing from CKAN. A dataset is *up to date* while
``now <= last_data_update + expiry(frequency) + grace``; the boundary itself
still counts as up to date. Frequencies without a schedule (``as_needed``,
``not_planned``) never expire. A dataset without any resource has no
``last_data_update`` and is not up to date. A dataset of a closed period (a
month of smart meter data) whose coverage has reached the period's last day
is *complete*: nothing more is due, so it is up to date for good.
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


def period_complete(period: Any, coverage_end: Any) -> bool:
    """True when ``coverage_end`` (ISO date) has reached the last day of the
    month ``period`` (``YYYY-MM``); False for anything else."""
    try:
        year, month = (int(part) for part in str(period).split("-"))
        first = dt.date(year, month, 1)
        end = dt.date.fromisoformat(str(coverage_end)[:10])
    except (TypeError, ValueError):
        return False
    next_month = (first + dt.timedelta(days=31)).replace(day=1)
    return end >= next_month - dt.timedelta(days=1)


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
    :param complete: the dataset covers a closed period and has its last
        day (:func:`period_complete`): up to date, nothing due
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
