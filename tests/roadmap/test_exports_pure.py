"""Pure exports (no CKAN): CSV, iCalendar and Atom, read back with real parsers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import feedparser
import icalendar

from ckanext.ssen_roadmap.exports import CSV_COLUMNS, to_atom, to_csv, to_ical
from ckanext.ssen_roadmap.timeline import RoadmapItem

ITEMS = [
    RoadmapItem(id="1", name="lv-feeders", title="LV feeders, with commas", status="planned",
                planned_release="2026-Q3", audience=("consultancies", "regulatory_bodies"),
                use_cases=("Modelling", "Planning"), note='Says "hello"',
                modified="2026-01-02T10:00:00.123456"),
    RoadmapItem(id="2", name="outages", title="Outages", status="in_development",
                planned_release="2026-05-14", modified="2026-01-03T09:00:00"),
    RoadmapItem(id="3", name="done", title="Done", status="published",
                planned_release="2025-Q1", actual_release="2025-03-02",
                modified="2026-01-01T00:00:00"),
    RoadmapItem(id="4", name="undated", title="Undated", status="planned"),
]  # fmt: skip
LABELS = {"target_audience": {"consultancies": "Consultancies", "regulatory_bodies": "Regulators"}}
STATUS = {"planned": "Planned", "in_development": "In development", "published": "Published"}


def url_for(item: RoadmapItem) -> str:
    return f"https://portal.example/dataset/{item.name}"


def test_csv_round_trips_through_the_csv_module() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(ITEMS, url_for, LABELS))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["name"] for r in rows] == ["lv-feeders", "outages", "done", "undated"]
    first = rows[0]
    assert first["title"] == "LV feeders, with commas"
    assert first["target_audience"] == "Consultancies; Regulators"
    assert first["use_cases"] == "Modelling; Planning"
    assert first["note"] == 'Says "hello"'
    assert "quarter" not in first
    assert (first["calendar_quarter"], first["financial_year"], first["financial_quarter"]) == (
        "2026-Q3", "FY2026/27", "Q2 FY2026/27",
    )  # fmt: skip
    done = rows[2]
    assert (done["calendar_quarter"], done["financial_year"], done["financial_quarter"]) == (
        "2025-Q1", "FY2024/25", "Q4 FY2024/25",
    )  # fmt: skip
    assert (rows[3]["calendar_quarter"], rows[3]["financial_quarter"]) == ("", "")


def test_ical_has_one_event_per_open_dated_item() -> None:
    cal = icalendar.Calendar.from_ical(
        to_ical(ITEMS, url_for, calendar_name="Roadmap", domain="portal.example",
                status_labels=STATUS, now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    )  # fmt: skip
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"1@portal.example", "2@portal.example"}
    quarter = events["1@portal.example"]
    assert quarter.decoded("dtstart") == dt.date(2026, 7, 1)
    assert quarter.decoded("dtend") == dt.date(2026, 10, 1)
    assert str(quarter["summary"]) == "LV feeders, with commas (Planned)"
    assert "Planned for Jul–Sep 2026 (Q2 FY2026/27)." in str(quarter["description"])
    day = events["2@portal.example"]
    assert day.decoded("dtstart") == dt.date(2026, 5, 14)
    assert day.decoded("dtend") == dt.date(2026, 5, 15)
    assert str(day["url"]) == "https://portal.example/dataset/outages"
    assert str(cal["x-wr-calname"]) == "Roadmap"


def test_atom_lists_changes_newest_first_with_distinct_ids() -> None:
    feed = feedparser.parse(
        to_atom(ITEMS, url_for, feed_url="https://p.example/roadmap.atom",
                page_url="https://p.example/roadmap", title="Changes", status_labels=STATUS,
                limit=3)
    )  # fmt: skip
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "Changes"
    titles = [e.title for e in feed.entries]
    assert titles == [
        "Outages: In development",
        "LV feeders, with commas: Planned",
        "Done: Published",
    ]
    assert feed.entries[0].link == "https://portal.example/dataset/outages"
    assert feed.entries[0].updated == "2026-01-03T09:00:00Z"
    assert len({e.id for e in feed.entries}) == 3
    changed = RoadmapItem(**{**ITEMS[1].__dict__, "modified": "2026-02-01T00:00:00"})
    again = feedparser.parse(
        to_atom([changed], url_for, feed_url="f", page_url="p", title="t", status_labels=STATUS)
    )
    assert again.entries[0].id != feed.entries[0].id


def test_atom_names_planned_quarters_by_months_and_financial_quarter() -> None:
    feed = feedparser.parse(
        to_atom(ITEMS, url_for, feed_url="https://p.example/roadmap.atom",
                page_url="https://p.example/roadmap", title="Changes", status_labels=STATUS)
    )  # fmt: skip
    summaries = {entry.link.rsplit("/", 1)[1]: entry.summary for entry in feed.entries}
    assert summaries["lv-feeders"].startswith(
        "Status: Planned. Planned release: Jul–Sep 2026 (Q2 FY2026/27)."
    )
    assert summaries["outages"].startswith("Status: In development. Planned release: 2026-05-14.")
    assert "2026-Q3" not in summaries["lv-feeders"]
