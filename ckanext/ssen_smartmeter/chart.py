"""Server-side SVG load profile chart (accessible, no JavaScript).

Pure logic: imports nothing from CKAN. :func:`load_profile_svg` draws one
series of half-hourly values; a ``None`` value (a cell suppressed for
privacy, or no reading) is drawn as a gap with a shaded band, never as zero.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

Point = tuple[dt.datetime, "float | int | None"]


@dataclass(frozen=True)
class Box:
    width: int = 720
    height: int = 300
    left: int = 64
    right: int = 16
    top: int = 16
    bottom: int = 44

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above ``value`` (1 for <= 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def summary(points: Sequence[Point], unit: str) -> str:
    """One sentence describing the series (the chart's text alternative)."""
    published = [(t, v) for t, v in points if v is not None]
    gaps = len(points) - len(published)
    if not published:
        return f"No published values: all {len(points)} half-hours are suppressed or empty."
    low = min(published, key=lambda p: p[1])
    high = max(published, key=lambda p: p[1])
    total = sum(v for _, v in published)
    text = (
        f"{len(published)} of {len(points)} half-hours published; "
        f"peak {_number(high[1])} {unit} in the half-hour ending {high[0]:%H:%M}, "
        f"lowest {_number(low[1])} {unit} ending {low[0]:%H:%M}, "
        f"total of published half-hours {_number(total)} {unit}."
    )
    if gaps:
        text += f" {gaps} half-hour{'s' if gaps != 1 else ''} suppressed for privacy or empty."
    return text


def load_profile_svg(
    points: Sequence[Point],
    *,
    title: str,
    unit: str,
    element_id: str = "ssen-load-profile",
    box: Box | None = None,
) -> str:
    """An SVG line chart of ``points`` (period end, value), in time order.

    The SVG has ``role="img"`` with a ``<title>`` and a ``<desc>`` (the
    :func:`summary`) referenced by ``aria-labelledby``.
    """
    box = box or Box()
    points = sorted(points, key=lambda p: p[0])
    values = [v for _, v in points if v is not None]
    top_value = nice_ceiling(max(values) if values else 0.0)
    n = max(len(points), 1)
    step = box.plot_width / n

    def x_at(index: float) -> float:
        return box.left + index * step

    def y_at(value: float) -> float:
        return box.top + box.plot_height * (1 - value / top_value)

    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" '
        f'class="ssen-load-profile" role="img" viewBox="0 0 {box.width} {box.height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(summary(points, unit))}</desc>',
    ]
    # y grid and labels
    for i in range(5):
        value = top_value * i / 4
        y = y_at(value)
        parts.append(
            f'<line class="grid" x1="{box.left}" x2="{box.width - box.right}" '
            f'y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d4d9" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{box.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#333">{_number(value)}</text>'
        )
    parts.append(
        f'<text x="14" y="{box.top + box.plot_height / 2:.1f}" font-size="12" fill="#333" '
        f'text-anchor="middle" transform="rotate(-90 14 {box.top + box.plot_height / 2:.1f})">'
        f"{escape(unit)}</text>"
    )
    # suppressed / empty half-hours as shaded bands
    for index, (_, value) in enumerate(points):
        if value is None:
            parts.append(
                f'<rect class="suppressed" x="{x_at(index):.1f}" y="{box.top}" '
                f'width="{step:.1f}" height="{box.plot_height}" fill="#f3e3c3">'
                f"<title>suppressed or empty</title></rect>"
            )
    # x axis: a tick every 3 hours of period end
    axis_y = box.top + box.plot_height
    parts.append(
        f'<line x1="{box.left}" x2="{box.width - box.right}" y1="{axis_y}" y2="{axis_y}" '
        f'stroke="#333" stroke-width="1"/>'
    )
    for index, (moment, _) in enumerate(points):
        if moment.minute == 0 and moment.hour % 3 == 0:
            x = x_at(index + 1)
            label = "24:00" if moment.hour == 0 and index else f"{moment:%H:%M}"
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{axis_y}" y2="{axis_y + 5}" stroke="#333"/>'
                f'<text x="{x:.1f}" y="{axis_y + 18}" text-anchor="middle" font-size="12" '
                f'fill="#333">{label}</text>'
            )
    parts.append(
        f'<text x="{box.left + box.plot_width / 2:.1f}" y="{box.height - 6}" '
        f'text-anchor="middle" font-size="12" fill="#333">Half-hour ending (UTC)</text>'
    )
    # the series, broken at gaps; a point centred in its half-hour
    for run in _runs(points):
        coords = " ".join(f"{x_at(i + 0.5):.1f},{y_at(v):.1f}" for i, v in run)
        if len(run) == 1:
            i, v = run[0]
            parts.append(
                f'<circle class="series" cx="{x_at(i + 0.5):.1f}" cy="{y_at(v):.1f}" r="2.5" '
                f'fill="#00577a"/>'
            )
        else:
            parts.append(
                f'<polyline class="series" points="{coords}" fill="none" stroke="#00577a" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _runs(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for index, (_, value) in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, float(value)))
    if current:
        runs.append(current)
    return runs


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
