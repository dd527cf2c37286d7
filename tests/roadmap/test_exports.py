"""/roadmap.csv, /roadmap.ics and /roadmap.atom, read back with real parsers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("roadmap_ready")


@pytest.fixture
def three(make_item):
    make_item(name="quarterly", title="Quarterly item", roadmap_planned_release="2026-Q4",
              target_audience=["consultancies", "local_government"])  # fmt: skip
    make_item(name="dated", title="Dated item", roadmap_status="in_development",
              roadmap_planned_release="2026-08-14",
              roadmap_category="legal_requirement")  # fmt: skip
    return make_item(name="done", title="Done item", roadmap_status="published",
                     roadmap_actual_release="2025-04-20")  # fmt: skip


def test_csv_export_parses_and_honours_filters(app, three) -> None:
    response = app.get("/roadmap.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "roadmap.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.body)))
    assert [r["name"] for r in rows] == ["done", "dated", "quarterly"]
    quarterly = rows[2]
    assert quarterly["target_audience"] == "Consultancies; Local Government/Authorities"
    assert quarterly["url"] == "http://test.ckan.net/dataset/quarterly"
    assert quarterly["planned_release"] == "2026-Q4"
    assert quarterly["calendar_quarter"] == "2026-Q4"
    assert quarterly["financial_year"] == "FY2026/27"
    assert quarterly["financial_quarter"] == "Q3 FY2026/27"
    filtered = list(csv.DictReader(io.StringIO(app.get("/roadmap.csv?status=published").body)))
    assert [r["name"] for r in filtered] == ["done"]


def test_ical_export_has_the_open_planned_releases(app, three) -> None:
    response = app.get("/roadmap.ics")
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Quarterly item (Planned)", "Dated item (In development)"}
    assert events["Dated item (In development)"].decoded("dtstart") == dt.date(2026, 8, 14)
    assert events["Quarterly item (Planned)"].decoded("dtstart") == dt.date(2026, 10, 1)
    assert events["Quarterly item (Planned)"].decoded("dtend") == dt.date(2027, 1, 1)
    assert str(events["Dated item (In development)"]["uid"]).endswith("@test.ckan.net")


def test_atom_feed_reports_changes_newest_first(app, three, org_admin) -> None:
    helpers.call_action(
        "package_patch", {"user": org_admin["name"]}, id="quarterly", roadmap_status="retired"
    )
    response = app.get("/roadmap.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title.endswith("recent changes")
    assert [e.title for e in feed.entries] == [
        "Quarterly item: Retired", "Done item: Published", "Dated item: In development",
    ]  # fmt: skip
    assert feed.entries[0].link == "http://test.ckan.net/dataset/quarterly"
    page = app.get("/roadmap").body
    assert 'type="application/atom+xml"' in page


def test_a_filtered_feed_links_to_itself_and_the_filtered_page(app, three) -> None:
    feed = feedparser.parse(app.get("/roadmap.atom?status=published").body)
    assert [e.title for e in feed.entries] == ["Done item: Published"]
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "http://test.ckan.net/roadmap.atom?status=published",
        "alternate": "http://test.ckan.net/roadmap?status=published",
    }


@pytest.mark.parametrize("path", ["/roadmap.csv", "/roadmap.ics", "/roadmap.atom"])
def test_exports_refuse_filters_they_do_not_understand(app, three, path: str) -> None:
    """A file or a feed has no room for a notice, so a filter not understood
    is a 400 naming it (as the API's 409), never the whole roadmap."""
    text = BeautifulSoup(app.get(f"{path}?status=someday", status=400).body, "html.parser")
    assert 'Unknown status "someday": use one of: planned, in_development, published, retired.' in (
        text.get_text(" ")
    )
    # The error page has the site's navigation: a way back to the roadmap.
    assert text.select_one("a[href='/roadmap']") is not None
    text = BeautifulSoup(app.get(f"{path}?colour=red", status=400).body, "html.parser")
    assert 'Unknown parameter "colour": use one of: status, audience, category.' in text.get_text()
