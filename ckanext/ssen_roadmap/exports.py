"""Pure exports of roadmap items: CSV, iCalendar and an Atom feed of changes.

Imports nothing from CKAN: callers pass the items, a function giving each
dataset's absolute URL and the human labels of the choice fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable, Iterable, Mapping
from xml.etree import ElementTree as ET

import icalendar

from ckanext.ssen_roadmap.timeline import OPEN_STATUSES, RoadmapItem

UrlFor = Callable[[RoadmapItem], str]
CSV_COLUMNS = (
    "name", "title", "url", "status", "planned_release", "actual_release",
    "calendar_quarter", "financial_year", "financial_quarter", "category",
    "target_audience", "use_cases", "note", "organization", "private",
)  # fmt: skip
ATOM_NS = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.UUID("6f1c8f1e-5a0b-4c55-9d61-2c1e0b7a4e10")


def _label(labels: Mapping[str, str], value: str) -> str:
    return labels.get(value, value)


def to_csv(
    items: Iterable[RoadmapItem], url_for: UrlFor, labels: Mapping[str, Mapping[str, str]]
) -> str:
    """One row per item; multi-valued cells are joined with ``; ``.

    ``planned_release`` is the stored value (a day or a calendar quarter
    ``YYYY-Qn``); where the item sits is given both ways:
    ``calendar_quarter`` (``2027-Q1``), ``financial_year`` (``FY2026/27``) and
    ``financial_quarter`` (``Q4 FY2026/27``).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    audience = labels.get("target_audience", {})
    for item in items:
        quarter = item.quarter
        writer.writerow(
            [
                item.name,
                item.title,
                url_for(item),
                item.status,
                item.planned_release,
                item.actual_release,
                quarter.key if quarter else "",
                quarter.financial_year.label if quarter else "",
                quarter.financial_label if quarter else "",
                item.category,
                "; ".join(_label(audience, value) for value in item.audience),
                "; ".join(item.use_cases),
                item.note,
                item.organization,
                "true" if item.private else "false",
            ]
        )
    return out.getvalue()


def to_ical(
    items: Iterable[RoadmapItem],
    url_for: UrlFor,
    *,
    calendar_name: str,
    domain: str,
    status_labels: Mapping[str, str],
    now: dt.datetime | None = None,
) -> bytes:
    """Planned releases of open items (planned, in development) as all-day events.

    A dated release is a one-day event; a quarter is an event spanning the
    quarter. UIDs are stable per dataset, so calendar clients update events
    in place when a release moves.
    """
    stamp = now or dt.datetime.now(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ckanext-ssen//data roadmap//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name)
    for item in items:
        release = item.release
        if item.status not in OPEN_STATUSES or release is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"{item.id or item.name}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{item.title} ({_label(status_labels, item.status)})")
        event.add("dtstart", release.start)
        event.add("dtend", release.end + dt.timedelta(days=1))
        url = url_for(item)
        event.add("url", url)
        description = [item.note] if item.note else []
        if release.day is None:
            description.append(f"Planned for {release.quarter.label}.")
        description.append(url)
        event.add("description", "\n\n".join(description))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def _iso(value: str) -> str:
    """CKAN timestamps are naive UTC: make them RFC 3339."""
    if not value:
        return "1970-01-01T00:00:00Z"
    text = value.replace(" ", "T")
    if text.endswith("Z") or "+" in text[10:]:
        return text
    return text.split(".")[0] + "Z"


def to_atom(
    items: Iterable[RoadmapItem],
    url_for: UrlFor,
    *,
    feed_url: str,
    page_url: str,
    title: str,
    status_labels: Mapping[str, str],
    limit: int = 50,
) -> bytes:
    """The latest roadmap changes, newest first: one entry per dataset version.

    An entry's id is derived from the dataset id and its ``metadata_modified``,
    so each change appears as a new entry in feed readers.
    """
    recent = sorted(items, key=lambda item: item.modified, reverse=True)[:limit]
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", title)
    sub(feed, "id", feed_url)
    sub(feed, "link", href=feed_url, rel="self", type="application/atom+xml")
    sub(feed, "link", href=page_url, rel="alternate", type="text/html")
    sub(feed, "updated", _iso(recent[0].modified) if recent else _iso(""))
    for item in recent:
        entry = sub(feed, "entry")
        status = _label(status_labels, item.status)
        sub(entry, "title", f"{item.title}: {status}")
        sub(entry, "id", f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{item.id}|{item.modified}')}")
        sub(entry, "updated", _iso(item.modified))
        sub(entry, "link", href=url_for(item), rel="alternate", type="text/html")
        author = sub(entry, "author")
        sub(author, "name", item.organization or title)
        parts = [f"Status: {status}."]
        if item.planned_release:
            parts.append(f"Planned release: {item.planned_label}.")
        if item.actual_release:
            parts.append(f"Released: {item.actual_release}.")
        if item.note:
            parts.append(item.note)
        sub(entry, "summary", " ".join(parts))
        sub(entry, "category", term=item.status, label=status)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
