"""Pure timeline building: releases, quarters, financial years, grouping, filters.

Imports nothing from CKAN, so every rule here is unit-tested alone. The CKAN
side turns dataset dicts into :class:`RoadmapItem` (see ``items.py``) and hands
them to :func:`build_timeline`.

Conventions:

- a planned release is a date (``YYYY-MM-DD``) or a calendar quarter
  (``YYYY-Qn``; ``Q2 2025`` and ``2025 q2`` are accepted and normalised);
- the UK financial year runs April to March, so calendar Q2-Q4 of year Y are
  quarters 1-3 of FY Y/Y+1 and calendar Q1 of Y+1 is its quarter 4;
- what people read is the financial year: headings and labels name the
  months and the financial quarter (``Jan–Mar 2027 (Q4 FY2026/27)``), never
  a bare ``Qn`` of the calendar year; machine-readable outputs carry both,
  named unambiguously (``calendar_quarter`` ``2027-Q1``, ``financial_quarter``
  ``Q4 FY2026/27``);
- a published item sits in the quarter of its actual release (or of its
  planned one when no actual date is known); any other item sits in the
  quarter of its planned release; items with neither are "unscheduled".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

STATUSES: tuple[str, ...] = ("planned", "in_development", "published", "retired")
OPEN_STATUSES: frozenset[str] = frozenset({"planned", "in_development"})

_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_QUARTER_FORMS = (
    re.compile(r"^\s*(?P<y>\d{4})\s*[-/ ]?\s*Q(?P<q>[1-4])\s*$", re.IGNORECASE),
    re.compile(r"^\s*Q(?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})\s*$", re.IGNORECASE),
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ReleaseError(ValueError):
    """A planned release that is neither ``YYYY-MM-DD`` nor ``YYYY-Qn``."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: ``Quarter(2025, 2)`` is April-June 2025."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year if self.number >= 2 else self.year - 1)

    @property
    def fy_quarter(self) -> int:
        """1-4 within the April-March financial year."""
        return self.number - 1 if self.number >= 2 else 4

    @property
    def months(self) -> str:
        first = 3 * self.number - 3
        return f"{_MONTHS[first]}–{_MONTHS[first + 2]} {self.year}"

    @property
    def financial_label(self) -> str:
        """``Q1 FY2025/26`` (the quarter of the April-March financial year)."""
        return f"Q{self.fy_quarter} {self.financial_year.label}"

    @property
    def label(self) -> str:
        """``Apr–Jun 2025 (Q1 FY2025/26)``."""
        return f"{self.months} ({self.financial_label})"


@dataclass(frozen=True, order=True)
class FinancialYear:
    """The UK financial year starting in April of ``start_year``."""

    start_year: int

    @property
    def key(self) -> str:
        return f"FY{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return f"FY{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def quarters(self) -> tuple[Quarter, ...]:
        first = Quarter(self.start_year, 2)
        return (first, first.next(), first.next().next(), Quarter(self.start_year + 1, 1))


@dataclass(frozen=True)
class Release:
    """A parsed planned release: an exact day or a whole quarter."""

    quarter: Quarter
    day: dt.date | None = None

    @property
    def text(self) -> str:
        return self.day.isoformat() if self.day else self.quarter.key

    @property
    def label(self) -> str:
        """For people: the day (``2026-08-14``) or the quarter's months and
        financial quarter (``Jan–Mar 2027 (Q4 FY2026/27)``), never ``2027-Q1``."""
        return self.day.isoformat() if self.day else self.quarter.label

    @property
    def start(self) -> dt.date:
        return self.day or self.quarter.first_day

    @property
    def end(self) -> dt.date:
        """The last day the release may fall on (inclusive)."""
        return self.day or self.quarter.last_day


def parse_release(value: str) -> Release:
    """Parse ``YYYY-MM-DD`` or a quarter (``YYYY-Qn``, ``Qn YYYY``)."""
    text = str(value).strip()
    match = _DATE.match(text)
    if match:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise ReleaseError(f'"{text}" is not a real date ({exc})') from exc
        return Release(Quarter.of(day), day)
    for form in _QUARTER_FORMS:
        match = form.match(text)
        if match:
            return Release(Quarter(int(match["y"]), int(match["q"])))
    raise ReleaseError(f'"{text}" is neither a date (YYYY-MM-DD) nor a quarter (YYYY-Qn)')


def parse_release_or_none(value: object) -> Release | None:
    if not value:
        return None
    try:
        return parse_release(str(value))
    except ReleaseError:
        return None


def parse_day(value: object) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` (a longer ISO timestamp is cut to its day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class RoadmapItem:
    """One dataset as the roadmap sees it."""

    id: str
    name: str
    title: str
    status: str
    planned_release: str = ""
    actual_release: str = ""
    category: str = ""
    audience: tuple[str, ...] = ()
    use_cases: tuple[str, ...] = ()
    note: str = ""
    organization: str = ""
    private: bool = False
    modified: str = ""
    num_resources: int = 0
    dataset_type: str = "dataset"

    @property
    def release(self) -> Release | None:
        return parse_release_or_none(self.planned_release)

    @property
    def planned_label(self) -> str:
        """The planned release for people (see :attr:`Release.label`); a value
        that does not parse is shown as stored."""
        release = self.release
        return release.label if release else self.planned_release

    @property
    def actual_day(self) -> dt.date | None:
        return parse_day(self.actual_release)

    @property
    def quarter(self) -> Quarter | None:
        """Where the item sits on the timeline (see the module docstring)."""
        if self.status == "published" and self.actual_day:
            return Quarter.of(self.actual_day)
        release = self.release
        return release.quarter if release else None

    @property
    def sort_day(self) -> dt.date:
        if self.status == "published" and self.actual_day:
            return self.actual_day
        release = self.release
        return release.start if release else dt.date.max


@dataclass(frozen=True)
class Filters:
    """What a viewer narrowed the timeline to; empty means "everything"."""

    statuses: frozenset[str] = frozenset()
    audiences: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def matches(self, item: RoadmapItem) -> bool:
        return (
            (not self.statuses or item.status in self.statuses)
            and (not self.audiences or bool(self.audiences.intersection(item.audience)))
            and (not self.categories or item.category in self.categories)
        )

    def narrowed_by(self, other: Filters) -> Filters:
        """Both sets of constraints at once (a placeholder's and the query's)."""

        def both(mine: frozenset[str], theirs: frozenset[str]) -> frozenset[str]:
            if mine and theirs:
                common = mine & theirs
                # Disjoint constraints match nothing; keep an impossible value.
                return common or frozenset({"\x00none"})
            return mine or theirs

        return Filters(
            both(self.statuses, other.statuses),
            both(self.audiences, other.audiences),
            both(self.categories, other.categories),
        )

    @property
    def active(self) -> bool:
        return bool(self.statuses or self.audiences or self.categories)


def split_values(values: Iterable[str] | str | None) -> frozenset[str]:
    """``"a, b"`` or ``["a", "b,c"]`` -> ``{"a", "b", "c"}`` (blank parts dropped)."""
    if values is None:
        return frozenset()
    if isinstance(values, str):
        values = [values]
    return frozenset(
        part.strip() for value in values for part in str(value).split(",") if part.strip()
    )


@dataclass
class QuarterGroup:
    quarter: Quarter | None
    items: list[RoadmapItem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.quarter.key if self.quarter else "unscheduled"

    @property
    def label(self) -> str:
        return self.quarter.label if self.quarter else "Not yet scheduled"

    @property
    def published(self) -> int:
        return sum(1 for item in self.items if item.status == "published")

    @property
    def open(self) -> int:
        return sum(1 for item in self.items if item.status in OPEN_STATUSES)


@dataclass
class YearGroup:
    year: FinancialYear | None
    quarters: list[QuarterGroup] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.year.key if self.year else "unscheduled"

    @property
    def label(self) -> str:
        return f"Financial year {self.year.label}" if self.year else "Not yet scheduled"

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.quarters)


@dataclass
class Timeline:
    years: list[YearGroup]
    total: int
    status_counts: dict[str, int]

    @property
    def quarters(self) -> list[QuarterGroup]:
        return [group for year in self.years for group in year.quarters]


def build_timeline(items: Iterable[RoadmapItem], filters: Filters | None = None) -> Timeline:
    """Group the items that pass ``filters`` by financial year, then quarter.

    Years and quarters come in time order with unscheduled items last; within a
    quarter items are ordered by day, then title.
    """
    filters = filters or Filters()
    kept = [item for item in items if filters.matches(item)]
    by_quarter: dict[Quarter | None, list[RoadmapItem]] = {}
    for item in kept:
        by_quarter.setdefault(item.quarter, []).append(item)
    years: dict[FinancialYear | None, YearGroup] = {}
    scheduled = sorted(q for q in by_quarter if q is not None)
    for quarter in scheduled:
        fy = quarter.financial_year
        group = QuarterGroup(quarter, _ordered(by_quarter[quarter]))
        years.setdefault(fy, YearGroup(fy)).quarters.append(group)
    if None in by_quarter:
        years[None] = YearGroup(None, [QuarterGroup(None, _ordered(by_quarter[None]))])
    counts = Counter(item.status for item in kept)
    return Timeline(
        years=list(years.values()),
        total=len(kept),
        status_counts={status: counts.get(status, 0) for status in STATUSES},
    )


def _ordered(items: list[RoadmapItem]) -> list[RoadmapItem]:
    return sorted(items, key=lambda item: (item.sort_day, item.title.casefold(), item.name))


# --- the progress chart -----------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: str


@dataclass(frozen=True)
class ChartColumn:
    key: str
    label: str
    short_label: str
    year_label: str
    published: int
    open: int
    bars: tuple[Bar, ...]
    label_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_top: float
    plot_bottom: float
    plot_left: float
    max_value: int
    ticks: tuple[tuple[int, float], ...]
    columns: tuple[ChartColumn, ...]

    @property
    def summary(self) -> str:
        published = sum(column.published for column in self.columns)
        still_open = sum(column.open for column in self.columns)
        return (
            f"{published} published and {still_open} planned or in development "
            f"across {len(self.columns)} quarters"
        )


def build_chart(
    quarters: Sequence[QuarterGroup],
    *,
    width: int = 720,
    height: int = 240,
    margin_left: int = 36,
    margin_bottom: int = 44,
    margin_top: int = 12,
) -> Chart:
    """Geometry of a grouped bar chart: published vs still open, per quarter.

    Unscheduled items are left out (they have no place on a time axis).
    """
    groups = [group for group in quarters if group.quarter is not None]
    highest = max([1] + [max(g.published, g.open) for g in groups])
    step = _tick_step(highest)
    max_value = step * -(-highest // step)  # the axis ends on a tick
    plot_bottom = float(height - margin_bottom)
    plot_height = plot_bottom - margin_top
    slot = (width - margin_left) / max(1, len(groups))
    bar_width = min(28.0, slot * 0.35)
    columns = []
    for index, group in enumerate(groups):
        centre = margin_left + slot * (index + 0.5)
        bars = []
        for offset, series, value in ((-1, "published", group.published), (0, "open", group.open)):
            bar_height = plot_height * value / max_value
            bars.append(
                Bar(
                    x=round(centre + offset * bar_width, 2),
                    y=round(plot_bottom - bar_height, 2),
                    width=round(bar_width, 2),
                    height=round(bar_height, 2),
                    value=value,
                    series=series,
                )
            )
        quarter = group.quarter
        assert quarter is not None
        columns.append(
            ChartColumn(
                key=quarter.key,
                label=quarter.label,
                short_label=f"Q{quarter.fy_quarter}",
                # The year under the first quarter shown of each financial year.
                year_label=quarter.financial_year.label[2:]
                if index == 0 or quarter.fy_quarter == 1
                else "",
                published=group.published,
                open=group.open,
                bars=tuple(bars),
                label_x=round(centre, 2),
            )
        )
    return Chart(
        width=width,
        height=height,
        plot_top=float(margin_top),
        plot_bottom=plot_bottom,
        plot_left=float(margin_left),
        max_value=max_value,
        ticks=_ticks(max_value, step, plot_bottom, plot_height),
        columns=tuple(columns),
    )


def _tick_step(highest: int) -> int:
    """A round step giving at most about five ticks: 1, 2, 5, 10, 20, 50..."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if highest / (step * factor) <= 5:
                return step * factor
        step *= 10


def _ticks(
    max_value: int, step: int, bottom: float, plot_height: float
) -> tuple[tuple[int, float], ...]:
    values = range(0, max_value + 1, step)
    return tuple((value, round(bottom - plot_height * value / max_value, 2)) for value in values)
