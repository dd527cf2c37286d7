"""The harvest source configuration: parsing and validation.

Pure logic (imports nothing from CKAN). :func:`parse` turns the source's JSON
text into a :class:`SourceConfig` or raises :class:`SourceConfigError`
holding one specific message per invalid key, in key order, so the source form
can show every problem at once.

Keys (JSON object):

``reads`` (required)
    Folder of the raw reads: an absolute local path under one of the allowed
    roots (``ckanext.ssen_smartmeter.source_roots``) or an ``http(s)://`` base URL.
``reads_pattern`` (required)
    File name of one day's reads relative to ``reads``, with ``{date}``
    (``YYYY-MM-DD``) or ``{date:<strftime>}``; local sources may use glob
    wildcards for several files a day (``{date}/part-*.parquet``).
``topology`` (required)
    Folder (local, under a root) or base URL holding ``lv_feeders`` and
    ``meter_feeders`` as ``.parquet`` or ``.csv``.
``licence_areas`` (required)
    ``["SHEPD"]``, ``["SEPD"]`` or both.
``first_date`` (required), ``last_date`` (optional)
    ``YYYY-MM-DD``: the range of days this source publishes.
``lag_days`` (default 2)
    A day is published once it is this many days old (rule P3); at least 1.
``late_window_days`` (default 31)
    How many days back a regular run looks for late reads of published days,
    counted from the day the job runs (today, UTC): a published day is
    checked again while ``day >= today - late_window_days``. E.g. 31 and a
    run on 2024-03-20: published days from 2024-02-18 on are checked, earlier
    ones never again by regular runs (``--date``/``--from`` ignore the window).
``threshold`` (default: the site's ``ckanext.ssen_smartmeter.privacy_threshold``)
    Minimum meters behind a published value (rule P1); never below 5 nor the
    site's threshold.
``formats`` (default ``["csv", "parquet"]``)
    Published file formats.
``timezone`` (default ``UTC``)
    IANA time zone of naive timestamps in CSV reads.
``dno_name``, ``dno_alias``
    Written into every row (defaults: SSEN's).
``organisation`` (optional)
    Name of the organisation that owns the datasets (default: the source's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LICENCE_AREAS = ("SHEPD", "SEPD")
FORMATS = ("csv", "parquet")
DEFAULT_DNO_NAME = "Scottish and Southern Electricity Networks"
DEFAULT_DNO_ALIAS = "SSEN"
MIN_THRESHOLD = 5
DEFAULT_LAG_DAYS = 2
DEFAULT_LATE_WINDOW_DAYS = 31
_SAMPLE_DAY = dt.date(2024, 2, 12)
_GLOB_CHARS = re.compile(r"[*?\[\]]")
_READ_SUFFIXES = (".parquet", ".csv", ".csv.gz")


@dataclasses.dataclass(frozen=True)
class Location:
    """A folder: local (``path``) or remote (``url``, ending with ``/``)."""

    path: Path | None = None
    url: str | None = None

    @property
    def is_remote(self) -> bool:
        return self.url is not None

    def __str__(self) -> str:
        return self.url if self.url is not None else str(self.path)


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    reads: Location
    reads_pattern: str
    topology: Location
    licence_areas: tuple[str, ...]
    first_date: dt.date
    last_date: dt.date | None = None
    lag_days: int = DEFAULT_LAG_DAYS
    late_window_days: int = DEFAULT_LATE_WINDOW_DAYS
    threshold: int = MIN_THRESHOLD
    formats: tuple[str, ...] = FORMATS
    timezone: str = "UTC"
    dno_name: str = DEFAULT_DNO_NAME
    dno_alias: str = DEFAULT_DNO_ALIAS
    organisation: str | None = None

    def reads_name(self, day: dt.date) -> str:
        """The reads file name (or glob) of ``day``, relative to ``reads``."""
        return self.reads_pattern.format(date=day)

    @property
    def licence_area_value(self) -> str:
        """The dataset field value: one area, or ``both``."""
        return self.licence_areas[0] if len(self.licence_areas) == 1 else "both"


class SourceConfigError(ValueError):
    """Invalid source configuration; ``errors`` maps each key to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in self.errors.items()))


_KEYS = (
    "reads",
    "reads_pattern",
    "topology",
    "licence_areas",
    "first_date",
    "last_date",
    "lag_days",
    "late_window_days",
    "threshold",
    "formats",
    "timezone",
    "dno_name",
    "dno_alias",
    "organisation",
)


def parse(
    text: str | None, roots: Iterable[Path], site_threshold: int = MIN_THRESHOLD
) -> SourceConfig:
    """Parse and validate the source configuration ``text`` (JSON).

    :param roots: local folders under which ``reads`` and ``topology`` may lie
    :param site_threshold: the site's privacy threshold; the source may only raise it
    :raises SourceConfigError: listing a message for every invalid key
    """
    if not text or not text.strip():
        raise SourceConfigError(
            {
                "config": "is empty: a JSON object with at least "
                "reads, reads_pattern, topology, licence_areas and "
                "first_date is required"
            }
        )
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceConfigError(
            {"config": f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"}
        ) from None
    if not isinstance(raw, dict):
        raise SourceConfigError({"config": "must be a JSON object"})
    return _Validator(raw, [Path(r) for r in roots], site_threshold).run()


class _Validator:
    def __init__(self, raw: dict[str, Any], roots: list[Path], site_threshold: int) -> None:
        self.raw = raw
        self.roots = roots
        self.site_threshold = max(MIN_THRESHOLD, site_threshold)
        self.errors: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def run(self) -> SourceConfig:
        for key in sorted(set(self.raw) - set(_KEYS)):
            self.fail(key, f"unknown key (allowed: {', '.join(_KEYS)})")
        for key in ("reads", "reads_pattern", "topology", "licence_areas", "first_date"):
            if self.raw.get(key) in (None, "", []):
                self.fail(key, "is required")
        self.values["reads"] = self._location("reads")
        self.values["topology"] = self._location("topology")
        self._reads_pattern()
        self._licence_areas()
        self._dates()
        self.values["lag_days"] = self._int(
            "lag_days", DEFAULT_LAG_DAYS, 1, "a day must be complete before it is published"
        )
        self.values["late_window_days"] = self._int(
            "late_window_days", DEFAULT_LATE_WINDOW_DAYS, 0, ""
        )
        self.values["threshold"] = self._int(
            "threshold",
            self.site_threshold,
            self.site_threshold,
            "rule P1: values from fewer meters are never published",
        )
        self._formats()
        self._timezone()
        for key, default in (("dno_name", DEFAULT_DNO_NAME), ("dno_alias", DEFAULT_DNO_ALIAS)):
            self.values[key] = self._text(key, default)
        organisation = self.raw.get("organisation")
        if organisation is not None:
            if not isinstance(organisation, str) or not re.fullmatch(
                r"[a-z0-9_-]{2,100}", organisation
            ):
                self.fail(
                    "organisation",
                    "must be an organisation name (2-100 characters: "
                    "lowercase letters, digits, - and _)",
                )
            self.values["organisation"] = organisation
        if self.errors:
            raise SourceConfigError({k: self.errors[k] for k in _ordered(self.errors)})
        return SourceConfig(**{k: v for k, v in self.values.items() if v is not None})

    # ---- one method per kind of key
    def _location(self, key: str) -> Location | None:
        value = self.raw.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self.fail(key, "must be a string: a local folder or an http(s) URL")
            return None
        parsed = urlparse(value)
        if parsed.scheme in ("http", "https"):
            if not parsed.netloc:
                self.fail(key, f"{value!r} is not a valid URL (no host)")
                return None
            return Location(url=value if value.endswith("/") else value + "/")
        if parsed.scheme and len(parsed.scheme) > 1:
            self.fail(
                key,
                f"URL scheme {parsed.scheme!r} is not allowed: use a local "
                "folder or an http(s) URL",
            )
            return None
        path = Path(value)
        if not path.is_absolute():
            self.fail(key, f"{value!r} must be an absolute path")
            return None
        resolved = path.resolve()
        allowed = [root.resolve() for root in self.roots]
        if not allowed:
            self.fail(
                key,
                "local folders are not allowed on this site (no "
                "ckanext.ssen_smartmeter.source_roots configured); use an http(s) URL",
            )
            return None
        if not any(resolved == root or resolved.is_relative_to(root) for root in allowed):
            self.fail(
                key,
                f"{value!r} is outside the allowed source roots "
                f"({', '.join(str(r) for r in allowed)})",
            )
            return None
        if not resolved.is_dir():
            self.fail(key, f"{value!r} is not an existing folder")
            return None
        return Location(path=resolved)

    def _reads_pattern(self) -> None:
        pattern = self.raw.get("reads_pattern")
        if pattern in (None, ""):
            return
        key = "reads_pattern"
        if not isinstance(pattern, str):
            self.fail(key, 'must be a string such as "reads_{date}.parquet"')
            return
        if "{date" not in pattern:
            self.fail(key, "must contain {date} (or {date:%Y%m%d}-style formats)")
            return
        try:
            sample = pattern.format(date=_SAMPLE_DAY)
        except (KeyError, IndexError, ValueError) as exc:
            self.fail(key, f"only {{date}} placeholders are allowed ({exc})")
            return
        parts = Path(sample).parts
        if sample.startswith("/") or ".." in parts:
            self.fail(key, "must be relative to reads, without '..'")
            return
        if not sample.lower().endswith(_READ_SUFFIXES):
            self.fail(key, f"must end with one of {', '.join(_READ_SUFFIXES)}")
            return
        reads = self.values.get("reads")
        if reads is not None and reads.is_remote and _GLOB_CHARS.search(sample):
            self.fail(key, "wildcards are only allowed for local folders")
            return
        self.values["reads_pattern"] = pattern

    def _licence_areas(self) -> None:
        value = self.raw.get("licence_areas")
        if value in (None, "", []):
            return
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("licence_areas", "must be a list of licence areas")
            return
        bad = [v for v in value if v not in LICENCE_AREAS]
        if bad:
            self.fail(
                "licence_areas",
                f"unknown licence area {bad[0]!r} (allowed: {', '.join(LICENCE_AREAS)})",
            )
            return
        if len(set(value)) != len(value):
            self.fail("licence_areas", "lists a licence area twice")
            return
        self.values["licence_areas"] = tuple(a for a in LICENCE_AREAS if a in value)

    def _date(self, key: str) -> dt.date | None:
        value = self.raw.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(key, f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def _dates(self) -> None:
        first, last = self._date("first_date"), self._date("last_date")
        if first and last and last < first:
            self.fail("last_date", f"{last} is before first_date {first}")
        self.values["first_date"], self.values["last_date"] = first, last

    def _int(self, key: str, default: int, minimum: int, why: str) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be a whole number, got {value!r}")
            return default
        if value < minimum:
            reason = f" ({why})" if why else ""
            self.fail(key, f"must be at least {minimum}, got {value}{reason}")
        return value

    def _formats(self) -> None:
        value = self.raw.get("formats", list(FORMATS))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.fail("formats", f"must be a non-empty list drawn from {', '.join(FORMATS)}")
            return
        lowered = [v.lower() if isinstance(v, str) else v for v in value]
        bad = [v for v in lowered if v not in FORMATS]
        if bad:
            self.fail("formats", f"unknown format {bad[0]!r} (allowed: {', '.join(FORMATS)})")
            return
        self.values["formats"] = tuple(f for f in FORMATS if f in lowered)

    def _timezone(self) -> None:
        value = self.raw.get("timezone", "UTC")
        try:
            if not isinstance(value, str) or not value:
                raise ValueError
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("timezone", f"{value!r} is not an IANA time zone (e.g. Europe/London)")
            return
        self.values["timezone"] = value

    def _text(self, key: str, default: str) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
            return default
        if any(c in value for c in "\r\n"):
            self.fail(key, "must be a single line")
        return value


def shared_months(a: SourceConfig, b: SourceConfig) -> tuple[str, str | None] | None:
    """The months (first, last; None: open-ended) whose datasets both sources write.

    Dataset names depend on the licence areas (one area adds its suffix),
    the level and the month only: two sources with the same set of areas
    write the same datasets in every month both cover. None if they share none.
    """
    if set(a.licence_areas) != set(b.licence_areas):
        return None
    first = max(a.first_date, b.first_date).replace(day=1)
    ends = [d for d in (a.last_date, b.last_date) if d is not None]
    last = min(ends) if ends else None
    if last is not None and first > last:
        return None
    return f"{first:%Y-%m}", None if last is None else f"{last:%Y-%m}"


def _ordered(errors: Mapping[str, str]) -> list[str]:
    known = [k for k in ("config", *_KEYS) if k in errors]
    return known + sorted(k for k in errors if k not in known)
