"""Web pages with the app fixture: the form, the dataset page and the facets."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers
from freezegun import freeze_time
from werkzeug.datastructures import MultiDict

from ckanext.ssen_smartmeter.table_schema import as_json

from . import data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SCHEMA_FIELDS = (
    "title name notes tag_string owner_org author author_email maintainer maintainer_email "
    "contributor date dcmi_type doi source language relation version license_id "
    "data_classification frequency ib1_trust_framework ib1_sensitivity_class "
    "ib1_dataset_assurance aggregation_level licence_area period temporal_coverage_start "
    "temporal_coverage_end spatial_text spatial meters_represented privacy_threshold measures "
    "roadmap_status roadmap_planned_release roadmap_actual_release roadmap_category "
    "target_audience use_cases roadmap_note"
).split()
RESOURCE_FIELDS = (
    "url name description format period_start period_end row_count units_published "
    "cells_suppressed_p1 cells_suppressed_p2 sha256 table_schema quality_report"
).split()


def _auth(user: dict[str, Any]) -> dict[str, str]:
    return {
        "Authorization": helpers.call_action("api_token_create", user=user["name"], name="t")[
            "token"
        ]
    }


def _form_names(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    return {el.get("name") for el in soup.select("input, select, textarea") if el.get("name")}


def test_create_form_renders_every_field(app, sysadmin):
    names = _form_names(app.get("/smart-meter/new", headers=_auth(sysadmin)).body)
    missing = [f for f in SCHEMA_FIELDS if f not in names]
    assert missing == []
    for computed in ("last_data_update", "is_up_to_date", "next_update_due"):
        assert computed not in names


def test_resource_form_renders_every_field(app, sysadmin, org):
    pkg = helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"])
    )
    body = app.get(f"/smart-meter/{pkg['name']}/resource/new", headers=_auth(sysadmin)).body
    names = _form_names(body)
    assert [f for f in RESOURCE_FIELDS if f not in names] == []


def test_choice_error_is_shown_on_the_form(app, sysadmin, org):
    form = {k: v for k, v in data.dataset(org["id"], resources=[]).items() if isinstance(v, str)}
    form.update(licence_area="SPEN", save="continue", _ckan_phase="dataset_new_1")
    body = app.post("/smart-meter/new", data=form, headers=_auth(sysadmin)).body
    assert "licence_area must be one of SHEPD, SEPD, both; got &#39;SPEN&#39;" in body


@pytest.fixture
def published(sysadmin, org, upload_feeder_parquet) -> dict[str, Any]:
    """A dataset with one day's CSV (link) and Parquet (uploaded file); its
    month still open (the last day, 2024-02-29, not published yet)."""
    pkg = helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(
            org["id"],
            resources=[data.resource(last_modified="2024-03-02T05:00:00")],
            temporal_coverage_end="2024-02-28",
        ),
    )
    upload_feeder_parquet(
        pkg["id"],
        filename="lv-feeder-2024-02-12.parquet",
        uploaded_at=dt.datetime(2024, 3, 2, 6, 0),
        quality_report=data.quality_report(rows_read=2000, rows_accepted=1990),
    )
    return helpers.call_action("package_show", id=pkg["id"])


def test_dataset_page_shows_coverage_privacy_freshness_quality_and_chart(app, published):
    with freeze_time(dt.datetime(2024, 3, 2, 12, 0)):
        body = app.get(f"/smart-meter/{published['name']}").body
    soup = BeautifulSoup(body, "html.parser")
    coverage = soup.select_one("section.ssen-coverage")
    assert coverage.select_one("[data-field=temporal_coverage]").get_text(" ", strip=True) == (
        "2024-02-01 to 2024-02-28"
    )
    assert "SHEPD (north of Scotland)" in coverage.select_one("[data-field=licence_area]").text
    assert coverage.select_one("[data-field=aggregation_level]").text.strip() == "LV feeder"
    assert coverage.select_one("[data-field=spatial_text]").text.strip() == "North of Scotland"
    # the GeoJSON reads as its type and bounding box, the document folded away
    spatial = soup.select_one(".additional-info details.ssen-geojson")
    assert spatial.summary.get_text(" ", strip=True) == (
        "Polygon, bounding box (west, south, east, north): -8.0000, 55.0000, 0.0000, 61.0000"
    )
    assert coverage.select_one("[data-field=meters_represented]").text.strip() == "1,234"
    assert coverage.select_one("[data-field=measures]").text.strip() == (
        "Active import (Wh), Reactive import (varh)"
    )
    privacy = coverage.select_one("[data-field=privacy_threshold]").text
    assert "at least 5 smart meters" in privacy

    # use cases one a line, as entered (not run together)
    assert [li.get_text(strip=True) for li in soup.select("ul.ssen-lines li")] == [
        "Network planning",
        "Heat pump uptake studies",
    ]

    badge = soup.select_one(".ssen-freshness")
    assert badge["data-freshness"] == "up-to-date"
    assert "Up to date" in badge.text
    assert soup.select_one(".ssen-freshness-detail time")["datetime"] == "2024-03-02T06:00:00"
    # the badges sit in the heading, the sentence below it (no <p> inside <h1>)
    heading = soup.select_one("h1 .ssen-freshness").find_parent("h1")
    assert heading.select("p, div") == [] and heading.select_one(".ssen-freshness-detail") is None
    assert soup.select_one(".ssen-freshness-detail").find_parent("h1") is None

    # one row per day: the day's CSV and Parquet files share it (CSV first)
    (row,) = soup.select(".ssen-quality-table tbody tr")
    assert row["data-day"] == "2024-02-12"
    assert row["data-resource-ids"].split() == [r["id"] for r in published["resources"]]
    assert [a.text for a in row.select("th a")] == ["CSV", "Parquet"]
    cells = [c.get_text(" ", strip=True) for c in row.select("td")]
    assert cells == ["1,000", "990 (99.0%)", "10: duplicate 6 , bad_mpan 4", "21", "2", "3", "1"]
    heads = [th.get_text(" ", strip=True) for th in soup.select(".ssen-quality-table thead th")]
    assert heads[5:] == [
        "Feeders in file",
        "Half-hour values suppressed (fewer than 5 meters)",
        "Half-hour values suppressed (to prevent subtraction)",
    ]
    caption = soup.select_one(".ssen-quality-table caption").get_text(" ", strip=True)
    assert "Feeders in file counts every one with a row in the file, including those whose " in (
        caption
    )
    assert "fewer than 5 meters contributed, or to prevent subtraction" in caption
    assert "cells_suppressed" not in body and "_p2" not in body

    svg = soup.select_one("#load-profile svg[role=img]")
    assert svg is not None
    assert "LV feeder id" in soup.select_one("#load-profile form").text
    assert "feeder 000100200301 (Main Street)" in svg.select_one("title").text
    assert svg.select_one("desc").text.startswith("46 of 48 half-hours published")
    assert len(svg.select("polyline.series")) == 2
    table = soup.select("#load-profile details tbody tr")
    assert len(table) == 48
    assert table[9].get_text(" ", strip=True) == "2024-02-12 05:00 suppressed"


def test_a_day_withholding_only_other_areas_totals_shows_its_own(app, sysadmin, org):
    """A source of one licence area always withholds its totals over the
    other areas (``pipeline.public_view``); the table shows none of them, so
    its own exact totals stand without the footnote about withheld ones."""
    quality = data.quality_report(
        rows_other_licence_area=None,
        licence_areas={"areas": ["SHEPD"], "feeders": 2, "feeders_excluded": 3},
        withheld=["rows_other_licence_area", "licence_areas.meters_excluded", "inputs.rows"],
    )
    pkg = helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(org["id"], resources=[data.resource(quality_report=quality)]),
    )
    body = app.get(f"/smart-meter/{pkg['name']}").body
    row = BeautifulSoup(body, "html.parser").select_one(".ssen-quality-table tbody tr")
    cells = [c.get_text(" ", strip=True) for c in row.select("td")]
    assert cells[:4] == ["1,000", "990 (99.0%)", "10: duplicate 6 , bad_mpan 4", "21"]
    assert "Withheld on days with suppressed values" not in body
    assert "Reads of meters in other licence areas are not counted here" in body


def _month(org: dict[str, Any], days: list[int], **overrides: Any) -> dict[str, Any]:
    """A dataset of 2024-02 with one CSV file for each of ``days``."""
    resources = [
        data.resource(
            f"2024-02-{d:02d} (CSV)",
            period_start=f"2024-02-{d:02d}",
            period_end=f"2024-02-{d:02d}",
            last_modified="2024-03-02T05:00:00",
        )
        for d in days
    ]
    overrides.setdefault("temporal_coverage_start", f"2024-02-{days[0]:02d}")
    overrides.setdefault("temporal_coverage_end", f"2024-02-{days[-1]:02d}")
    return data.dataset(org["id"], resources=resources, **overrides)


def _soup(app: Any, url: str, **params: str) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, query_string=params).body, "html.parser")


def _badges(soup: BeautifulSoup) -> list[tuple[str, str]]:
    return [
        (b.get("data-freshness") or b.get("data-coverage"), b.get_text(" ", strip=True))
        for b in soup.select(".ssen-freshness, .ssen-coverage-badge")
    ]


def test_a_month_with_every_day_published_shows_complete(app, sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **_month(org, list(range(1, 30)))
    )
    with freeze_time(dt.datetime(2025, 6, 1)):  # long after: never overdue
        soup = _soup(app, "/smart-meter/smart-meter-lv-feeder-2024-02")
    assert _badges(soup) == [("complete", "Complete")]
    detail = soup.select_one(".ssen-freshness-detail").get_text(" ", strip=True)
    assert "no further update is due" in detail and "Next update due" not in detail
    coverage = soup.select_one("section.ssen-coverage")
    assert coverage.select_one("[data-field=days_published]").get_text(" ", strip=True) == (
        "1–29 Feb (29 of 29 days of February 2024)"
    )
    assert coverage.select_one("[data-field=missing_days]") is None


def test_a_month_that_starts_late_is_partial_not_complete(app, sysadmin, org):
    """Only the last four days published: the month's last day is there, yet
    the page must not say Complete nor that every day is published."""
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **_month(org, [26, 27, 28, 29])
    )
    with freeze_time(dt.datetime(2025, 6, 1)):
        soup = _soup(app, "/smart-meter/smart-meter-lv-feeder-2024-02")
    assert _badges(soup) == [("overdue", "Overdue"), ("partial", "Partial: 26–29 Feb published")]
    detail = soup.select_one(".ssen-freshness-detail").get_text(" ", strip=True)
    assert "Missing days: 1–25 Feb." in detail
    assert "Every day of the period is published" not in detail
    coverage = soup.select_one("section.ssen-coverage")
    assert coverage.select_one("[data-field=days_published]").get_text(" ", strip=True) == (
        "26–29 Feb (4 of 29 days of February 2024)"
    )
    assert coverage.select_one("[data-field=missing_days]").text.strip() == "1–25 Feb"


def test_a_month_with_days_missing_in_the_middle_lists_them(app, sysadmin, org):
    days = [d for d in range(1, 30) if d not in (3, 4, 5, 9)]
    helpers.call_action("package_create", {"user": sysadmin["name"]}, **_month(org, days))
    with freeze_time(dt.datetime(2025, 6, 1)):
        soup = _soup(app, "/smart-meter/smart-meter-lv-feeder-2024-02")
    assert _badges(soup)[-1] == ("partial", "Partial: 1–2 Feb, 6–8 Feb, 10–29 Feb published")
    coverage = soup.select_one("section.ssen-coverage")
    assert coverage.select_one("[data-field=missing_days]").text.strip() == "3–5 Feb, 9 Feb"


def test_freshness_badge_turns_overdue(app, published):
    with freeze_time(dt.datetime(2024, 3, 3, 6, 0, 1)):
        body = app.get(f"/smart-meter/{published['name']}").body
    badge = BeautifulSoup(body, "html.parser").select_one(".ssen-freshness")
    assert badge["data-freshness"] == "overdue"
    assert "Overdue" in badge.text


def test_feeder_and_measure_are_chosen_by_query_string(app, published):
    body = app.get(
        f"/smart-meter/{published['name']}",
        query_string={"unit": "000100200302", "measure": "reactive", "day": "2024-02-12"},
    ).body
    soup = BeautifulSoup(body, "html.parser")
    svg = soup.select_one("#load-profile svg")
    title = svg.select_one("title").text
    assert "Reactive import of feeder 000100200302 (Unnamed feeder, Harbour Road substation)" in (
        title
    )
    # the picker labels feeders as feeders, not as "Harbour Road substation"
    assert [o.text for o in soup.select("#ssen-units option")] == [
        "Main Street",
        "Unnamed feeder, Harbour Road substation",
    ]
    assert svg.select_one("desc").text.startswith("48 of 48 half-hours published")
    assert soup.select_one("#ssen-unit")["value"] == "000100200302"
    assert soup.select_one("#ssen-measure option[selected]")["value"] == "reactive"


def test_a_fully_suppressed_feeder_says_so_instead_of_an_empty_chart(
    app, sysadmin, org, upload_feeder_parquet
):
    pkg = helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    rows = data.feeder_rows()
    for row in rows:
        if row["dataset_id"] == "000100200302":  # every half-hour below the threshold
            for key in row:
                if key.startswith(("aggregated_", "primary_", "total_")):
                    row[key] = None
    upload_feeder_parquet(pkg["id"], rows)
    soup = _soup(app, f"/smart-meter/{pkg['name']}", unit="000100200302")
    section = soup.select_one("#load-profile")
    assert section.select_one("svg") is None and section.select_one("details") is None
    assert section.select_one(".ssen-load-profile-suppressed").get_text(" ", strip=True) == (
        "Active import of feeder 000100200302 (Unnamed feeder, Harbour Road substation), "
        "2024-02-12 (half-hourly, Wh). Every half-hour of this feeder is suppressed (fewer "
        "than 5 meters, or to prevent subtraction): there is no value to draw."
    )
    # the picker stays, to choose another feeder; that one is drawn
    assert section.select_one("#ssen-unit")["value"] == "000100200302"
    other = _soup(app, f"/smart-meter/{pkg['name']}", unit="000100200301")
    assert other.select_one("#load-profile svg") is not None
    assert other.select_one(".ssen-load-profile-suppressed") is None


def test_unknown_feeder_gives_a_message_not_an_error(app, published):
    body = app.get(f"/smart-meter/{published['name']}", query_string={"unit": "<x>"}).body
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one("#load-profile svg") is None
    assert soup.select_one(".ssen-load-profile-error").text.strip() == (
        "No feeder <x> in the file of 2024-02-12."
    )


def test_table_schema_of_the_resource_is_served_as_json(app, published):
    res = published["resources"][1]
    shown = helpers.call_action("resource_show", id=res["id"])
    assert shown["table_schema"]["fields"][0]["name"] == "dataset_id"
    assert shown["table_schema"] == json.loads(as_json("lv_feeder", 5))


def _facet_items(body: str, field: str) -> dict[str, str]:
    soup = BeautifulSoup(body, "html.parser")
    items = {}
    for link in soup.select(f"a[href*='{field}=']"):
        label = link.select_one(".item-label")
        if label is not None:  # long labels are truncated; the title has them whole
            items[link.get("data-bs-title") or label.text.strip()] = link["href"]
    return items


def test_facets_list_and_filter(app, sysadmin, org):
    variants = [
        ("north-lv", "SHEPD", "lv_feeder", "open", "daily", ["academia_research"]),
        ("south-lv", "SEPD", "lv_feeder", "shared", "monthly", ["local_government"]),
        (
            "south-ss",
            "SEPD",
            "secondary_substation",
            "open",
            "daily",
            ["academia_research", "local_government"],
        ),
    ]
    for name, area, level, classification, frequency, audience in variants:
        helpers.call_action(
            "package_create",
            {"user": sysadmin["name"]},
            **data.dataset(
                org["id"],
                name=name,
                title=name,
                licence_area=area,
                aggregation_level=level,
                data_classification=classification,
                frequency=frequency,
                target_audience=audience,
                resources=[],
            ),
        )
    body = app.get("/smart-meter/").body
    # the type named in words, not CKAN's "Smart-meters"
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one(".search-form h1").get_text(" ", strip=True) == (
        "3 smart meter datasets found"
    )
    assert soup.select_one("#field-giant-search")["placeholder"] == (
        "Search Smart meter datasets..."
    )
    assert "Smart-meter" not in body and "smart-meters" not in body
    for title in (
        "Licence area",
        "Aggregation level",
        "Classification",
        "Update frequency",
        "Target audience",
    ):
        assert title in body
    assert "SEPD (central southern England)" in _facet_items(body, "licence_area")
    assert "Secondary substation" in _facet_items(body, "aggregation_level")
    assert "Academia &amp; Research Bodies" in body or "Academia & Research Bodies" in body

    def names(**params: str) -> set[str]:
        page = app.get("/smart-meter/", query_string=params).body
        soup = BeautifulSoup(page, "html.parser")
        return {a["href"].rsplit("/", 1)[-1] for a in soup.select(".dataset-heading a")}

    assert names(licence_area="SEPD") == {"south-lv", "south-ss"}
    assert names(aggregation_level="secondary_substation") == {"south-ss"}
    assert names(data_classification="shared") == {"south-lv"}
    assert names(frequency="daily") == {"north-lv", "south-ss"}
    assert names(target_audience="local_government") == {"south-lv", "south-ss"}
    assert names(licence_area="SEPD", frequency="daily") == {"south-ss"}


def test_facets_on_the_generic_dataset_page(app, sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    body = app.get("/dataset/").body
    for title in (
        "Licence area",
        "Aggregation level",
        "Classification",
        "Update frequency",
        "Target audience",
    ):
        assert title in body


def test_resource_page_shows_its_quality_summary(app, published):
    res = published["resources"][1]
    body = app.get(f"/smart-meter/{published['name']}/resource/{res['id']}").body
    soup = BeautifulSoup(body, "html.parser")
    rows = soup.select(".ssen-quality-table tbody tr")
    assert [r["data-resource-ids"] for r in rows] == [res["id"]]  # this file only
    assert rows[0].select("td")[0].text.strip() == "2,000"
    assert rows[0].select("td")[4].text.strip() == "2"
    assert soup.select(".ssen-quality-table thead th")[5].text.strip() == "Feeders in file"
    # "Show more" adds what the schema's rows do not show, never a field again
    # nor a report as Python text
    more = [r.select_one("th").get_text(strip=True) for r in soup.select("tr.toggle-more")]
    assert more and not {"Quality report", "Table schema", "Period start"} & set(more)
    assert "{'" not in body and "'required': True" not in body


def _info_rows(soup: BeautifulSoup) -> dict[str, str]:
    """Additional Information: label -> text."""
    return {
        tr.select_one("th").get_text(" ", strip=True): tr.select_one("td").get_text(" ", strip=True)
        for tr in soup.select(
            "section.additional-info tbody > tr, table[data-module=table-toggle-more] > tbody > tr"
        )
        if tr.select_one("th") and tr.select_one("td")
    }


def test_additional_info_skips_empty_values_and_formats_counts(app, sysadmin, org):
    """A dataset as the harvester fills it: many optional fields are unset and
    get no row; counts read 2,000 as everywhere else on the page."""
    empty = "maintainer maintainer_email contributor date doi relation version".split()
    empty += "ib1_trust_framework ib1_sensitivity_class spatial_text spatial use_cases".split()
    pkg = data.dataset(
        org["id"], meters_represented=2000, resources=[data.resource(row_count=96000)]
    )
    for field in empty:
        pkg.pop(field)
    pkg.update(author_email="", roadmap_note="  ", target_audience=[])
    created = helpers.call_action("package_create", {"user": sysadmin["name"]}, **pkg)
    rows = _info_rows(_soup(app, f"/smart-meter/{created['name']}"))
    assert rows["Meters represented"] == "2,000"
    assert rows["Privacy threshold (meters)"] == "5"
    assert rows["Creator"] == "SSEN Distribution Data Team"
    labels = set(rows)
    for label in (
        "Creator email",
        "Contact point",
        "Contributor",
        "DOI",
        "Relation",
        "Version",
        "Trust framework",
        "Spatial coverage",
        "Spatial coverage (GeoJSON)",
        "Use cases",
        "Roadmap note",
        "Target audience",
    ):
        assert label not in labels
    assert all(value for value in rows.values())
    assert (
        "2,000"
        in _soup(app, f"/smart-meter/{created['name']}")
        .select_one("[data-field=meters_represented]")
        .text
    )

    res = created["resources"][0]
    page = _soup(app, f"/smart-meter/{created['name']}/resource/{res['id']}")
    rows = _info_rows(page)
    assert rows["Rows"] == "96,000"
    assert rows["Feeders or substations in the file"] == "2"
    assert rows["Half-hour values suppressed (to prevent subtraction)"] == "1"


def test_resource_page_links_its_day_to_the_load_profile_instead_of_no_views(app, published):
    res = published["resources"][1]
    soup = _soup(app, f"/smart-meter/{published['name']}/resource/{res['id']}")
    assert "There are no views" not in soup.text
    link = soup.select_one(".ssen-resource-chart-link a")
    assert link.text.strip() == "Chart the load profile of 2024-02-12 on the dataset page"
    assert link["href"] == f"/smart-meter/{published['name']}?day=2024-02-12#load-profile"
    chart = _soup(app, f"/smart-meter/{published['name']}", day="2024-02-12")
    assert chart.select_one("#ssen-day option[selected]")["value"] == "2024-02-12"


def test_resource_page_shows_no_json_text(app, published):
    res = published["resources"][1]
    soup = _soup(app, f"/smart-meter/{published['name']}/resource/{res['id']}")
    # the table schema is a table of its columns
    schema = soup.select_one("[data-field=table_schema] details.ssen-table-schema")
    assert schema.select_one("summary").text.strip() == "17 columns"
    first = schema.select("tr:has(td)")[0]
    assert [td.get_text(" ", strip=True) for td in first.select("td")][:2] == [
        "dataset_id",
        "string, required",
    ]
    # the quality report is the quality table, not a JSON row
    assert soup.select_one("[data-field=quality_report]") is None
    assert "Quality report" not in _info_rows(soup)
    assert not soup.select("[data-field] pre")
    text = soup.get_text()
    assert '"fields"' not in text and '"rows_read"' not in text and "{'" not in text


def test_titles_and_breadcrumbs_say_smart_meter_datasets(
    app, published, sysadmin, unowned_datasets
):
    name = published["name"]
    res = published["resources"][0]["id"]
    auth = _auth(sysadmin)
    pages = {
        "/smart-meter/": ("Smart meter datasets - CKAN", ["Home", "Smart meter datasets"]),
        f"/smart-meter/{name}": (
            "Smart meter consumption, LV feeder, 2024-02 - Smart meter datasets - CKAN",
            [
                "Home",
                "Organizations",
                published["organization"]["title"],
                "Smart meter consumption,...",
            ],
        ),
        f"/smart-meter/{name}/resource/{res}": (
            "Smart meter consumption, LV feeder, 2024-02 - 2024-02-12 (CSV) - CKAN",
            [
                "Home",
                "Organizations",
                published["organization"]["title"],
                "Smart meter consumption,...",
                "2024-02-12 (CSV)",
            ],
        ),
        "/smart-meter/new": (
            "Create Smart meter dataset - CKAN",
            ["Home", "Smart meter datasets", "Create Smart meter dataset"],
        ),
        f"/smart-meter/edit/{name}": (None, None),
    }
    for url, (title, crumbs) in pages.items():
        body = app.get(url, headers=auth).body
        soup = BeautifulSoup(body, "html.parser")
        assert "Smart-Meter" not in body and "Smart-meter" not in body, url
        if title:
            assert " ".join(soup.title.text.split()) == title, url
        if crumbs:
            got = [li.get_text(" ", strip=True) for li in soup.select(".breadcrumb li")]
            assert got == crumbs, url
    # a dataset without an organisation: the breadcrumb names the type in words
    helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(None, name="no-org", resources=[]),
    )
    soup = _soup(app, "/smart-meter/no-org")
    crumbs = [li.get_text(" ", strip=True) for li in soup.select(".breadcrumb li")]
    assert crumbs[:2] == ["Home", "Smart meter datasets"]
    assert soup.select(".breadcrumb a")[1]["href"] == "/smart-meter/"


def test_facets_on_the_organization_page(app, sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    body = app.get(f"/organization/{org['name']}").body
    assert "SHEPD (north of Scotland)" in _facet_items(body, "licence_area")


def test_dataset_without_files_has_no_chart_and_is_overdue(app, sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    soup = BeautifulSoup(app.get("/smart-meter/smart-meter-lv-feeder-2024-02").body, "html.parser")
    assert soup.select_one("#load-profile") is None
    assert soup.select_one(".ssen-quality") is None
    assert soup.select_one(".ssen-freshness")["data-freshness"] == "overdue"
    assert "No data published yet." in soup.select_one(".ssen-freshness-detail").text


def test_other_dataset_types_keep_the_plain_page(app, sysadmin, org):
    helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        type="dataset",
        name="plain",
        title="Plain",
        owner_org=org["id"],
    )
    soup = BeautifulSoup(app.get("/dataset/plain").body, "html.parser")
    assert soup.select_one(".ssen-coverage") is None
    assert soup.select_one(".ssen-freshness") is None


def test_dataset_created_through_the_form(app, sysadmin, org):
    form = {k: v for k, v in data.dataset(org["id"], resources=[]).items() if isinstance(v, str)}
    form.update(save="continue", _ckan_phase="dataset_new_1")
    form = MultiDict(
        [
            *form.items(),
            ("measures", "active_import"),
            ("measures", "reactive_import"),
            ("target_audience", "regulatory_bodies"),
            ("privacy_threshold", "6"),
            ("meters_represented", "40"),
        ]
    )
    response = app.post(
        "/smart-meter/new", data=form, headers=_auth(sysadmin), follow_redirects=False
    )
    assert response.status_code == 302
    assert "/resource/new" in response.headers["Location"]
    shown = helpers.call_action("package_show", id="smart-meter-lv-feeder-2024-02")
    assert shown["state"] == "draft"
    assert shown["measures"] == ["active_import", "reactive_import"]
    assert shown["target_audience"] == ["regulatory_bodies"]
    assert (shown["privacy_threshold"], shown["meters_represented"]) == (6, 40)
    assert shown["licence_area"] == "SHEPD"


def test_substation_dataset_page_speaks_of_substations(
    app, sysadmin, org, create_with_upload, tmp_path
):
    pkg = helpers.call_action(
        "package_create",
        {"user": sysadmin["name"]},
        **data.dataset(
            org["id"],
            name="smart-meter-secondary-substation-2024-02",
            aggregation_level="secondary_substation",
            resources=[],
        ),
    )
    path = data.write_substation_parquet(str(tmp_path / "ss.parquet"))
    res = data.resource(
        "2024-02-12 (Parquet)", format="Parquet", table_schema=as_json("secondary_substation", 5)
    )
    res.pop("url")
    with open(path, "rb") as handle:
        create_with_upload(
            handle.read(),
            "ss.parquet",
            context={"user": sysadmin["name"]},
            package_id=pkg["id"],
            **res,
        )
    soup = BeautifulSoup(app.get(f"/smart-meter/{pkg['name']}").body, "html.parser")
    assert soup.select_one("label[for=ssen-unit]").text.strip() == "Substation id"
    title = soup.select_one("#load-profile svg title").text
    assert title.startswith("Active import of substation 0001002003 (Harbour Road), 2024-02-12")
    # both feeders summed; the two half-hours where feeder 01 was suppressed still
    # have feeder 02's meters (6 to 8, >= 5), so all 48 are published
    assert soup.select_one("#load-profile svg desc").text.startswith("48 of 48")
    assert soup.select_one("[data-field=aggregation_level]").text.strip() == (
        "Secondary substation"
    )
    assert soup.select(".ssen-quality-table thead th")[5].text.strip() == "Substations in file"


def test_the_harvest_page_has_no_smart_meter_facets(app, sysadmin, org):
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, **data.dataset(org["id"], resources=[])
    )
    harvest = app.get("/harvest").body
    assert "Licence area" not in harvest and "Aggregation level" not in harvest
    assert "Licence area" in app.get("/smart-meter/").body  # (where they belong)


def test_the_home_page_points_to_the_data_not_a_placeholder(app):
    soup = BeautifulSoup(app.get("/").body, "html.parser")
    assert not soup.select("img[src*=placeholder-420x220]")
    links = {a["href"] for a in soup.select(".ssen-home-links a")}
    assert links == {"/smart-meter/", "/roadmap"}
