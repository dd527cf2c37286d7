"""/roadmap against the real app: document, live timeline, filters, privacy."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from .conftest import FIXTURES

pytestmark = pytest.mark.usefixtures("roadmap_ready")


def page(app: Any, url: str = "/roadmap", user: dict[str, Any] | None = None) -> BeautifulSoup:
    headers = {"Authorization": user["token"]} if user else {}
    response = app.get(url, headers=headers)
    assert response.status_code == 200, response.body[:500]
    return BeautifulSoup(response.body, "html.parser")


def timeline_titles(soup: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".ssen-timeline__link")]


@pytest.fixture
def user_with_token():
    def make(**kw: Any) -> dict[str, Any]:
        user = factories.User(**kw)
        user["token"] = factories.APIToken(user=user["name"])["token"]
        return user

    return make


def test_default_document_renders_with_its_timeline(app) -> None:
    soup = page(app)
    assert soup.title.get_text().startswith("Data Roadmap")
    assert soup.h1.get_text(strip=True) == "Our Data Roadmap"
    assert "SSEN Open Data Team" in soup.select_one(".ssen-roadmap__byline").get_text()
    headings = [h.get_text(strip=True) for h in soup.select(".ssen-roadmap__document > h2")]
    assert headings[:3] == ["At a glance", "Why we keep a roadmap", "Who the roadmap is for"]
    audience = soup.find("h2", string="Who the roadmap is for").find_next("ul")
    assert len(audience.find_all("li")) == 21
    assert [a["aria-label"] for a in soup.select("aside.ssen-callout")] == ["Note", "Tip"]
    assert len(soup.select("section.ssen-timeline")) == 1
    assert "0 datasets on the roadmap" in soup.select_one(".ssen-timeline__count").get_text()


def test_seed_shaped_document_renders_sections_callouts_and_repairs(
    app, ckan_config, monkeypatch
) -> None:
    monkeypatch.setitem(
        ckan_config, "ckanext.ssen_roadmap.document", str(FIXTURES / "seed_shaped.md")
    )
    soup = page(app)
    assert soup.title.get_text().startswith("Network Data Plan")
    byline = soup.select_one(".ssen-roadmap__byline").get_text(" ", strip=True)
    assert "30 September 2025" in byline and "Open Data Desk" in byline
    sections = [h.get_text(strip=True) for h in soup.select(".ssen-roadmap__document > h2")]
    assert sections == [
        "Summary", "Purpose of the Plan", "Who is it for?", "Some Use Cases",
        "How did we build the plan?", "Staying in touch",
    ]  # fmt: skip
    callouts = soup.select("aside.ssen-callout")
    assert [c["class"][1] for c in callouts] == ["ssen-callout--note", "ssen-callout--tip"]
    assert callouts[0].select_one(".ssen-callout__title").get_text(" ", strip=True) == "🌟 Note"
    text = soup.select_one(".ssen-roadmap__document").get_text()
    assert "Retrospective – data already held" in text
    assert "â€" not in text and "ðŸ" not in text
    assert soup.select_one(".ssen-roadmap__document script") is None
    # The placeholder sits between the introduction and the first section.
    timeline = soup.select_one("section.ssen-timeline")
    assert timeline.find_previous("h1").get_text(strip=True) == "2025 Network Data Plan"
    assert timeline.find_next("h2", id="summary") is not None


def test_timeline_follows_dataset_changes(app, make_item, org_admin) -> None:
    dataset = make_item(name="feeders", title="LV feeder loads", roadmap_planned_release="2026-Q3")
    soup = page(app)
    assert timeline_titles(soup) == ["LV feeder loads"]
    quarter = soup.select_one(".ssen-timeline__quarter-heading").get_text(" ", strip=True)
    assert quarter.startswith("Jul–Sep 2026 (Q2 FY2026/27)")
    assert soup.select_one(".ssen-badge").get_text() == "Planned"

    helpers.call_action(
        "package_patch", {"user": org_admin["name"]}, id=dataset["id"],
        roadmap_status="in_development", roadmap_planned_release="2026-12-01",
    )  # fmt: skip
    soup = page(app)
    assert soup.select_one(".ssen-badge").get_text() == "In development"
    heading = soup.select_one(".ssen-timeline__quarter-heading").get_text(" ", strip=True)
    assert heading.startswith("Oct–Dec 2026 (Q3 FY2026/27)")

    make_item(name="second", title="Another one", roadmap_planned_release="2026-07-01")
    assert timeline_titles(page(app)) == ["Another one", "LV feeder loads"]

    helpers.call_action("package_delete", {"user": org_admin["name"]}, id=dataset["id"])
    assert timeline_titles(page(app)) == ["Another one"]


def test_filters_work_from_the_query_string(app, make_item) -> None:
    make_item(name="item-a", title="A planned", target_audience=["consultancies"])
    make_item(name="item-b", title="B published", roadmap_status="published",
              roadmap_actual_release="2025-06-01", roadmap_category="legal_requirement",
              target_audience=["regulatory_bodies"])  # fmt: skip
    make_item(name="item-c", title="C developing", roadmap_status="in_development",
              target_audience=["consultancies", "regulatory_bodies"],
              roadmap_category="future_looking")  # fmt: skip
    assert timeline_titles(page(app, "/roadmap?status=published")) == ["B published"]
    assert timeline_titles(page(app, "/roadmap?audience=regulatory_bodies")) == [
        "B published", "C developing",
    ]  # fmt: skip
    soup = page(app, "/roadmap?audience=Consultancies&category=future_looking")
    assert timeline_titles(soup) == ["C developing"]
    assert soup.select_one("#roadmap-timeline-0-audience option[selected]")["value"] == (
        "consultancies"
    )
    assert soup.select_one("[data-roadmap-clear]") is not None
    assert timeline_titles(page(app, "/roadmap?status=planned&status=published")) == [
        "B published", "A planned",
    ]  # fmt: skip
    # Unknown values are ignored on the page (the API refuses them).
    assert len(timeline_titles(page(app, "/roadmap?status=bogus"))) == 3
    # The fragment the script swaps in honours the same query.
    fragment = page(app, "/roadmap/timeline/0?category=legal_requirement")
    assert timeline_titles(fragment) == ["B published"]
    assert app.get("/roadmap/timeline/7").status_code == 404


def test_placeholder_attributes_fix_a_timeline(app, make_item, ckan_config, monkeypatch, tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        '---\ntitle: Two timelines\n---\n<Timeline status="planned" audience="Consultancies" '
        'filters="false" chart="false" />\n\n## All\n\n<Timeline />\n',
        encoding="utf-8",
    )
    monkeypatch.setitem(ckan_config, "ckanext.ssen_roadmap.document", str(doc))
    make_item(name="item-a", title="Planned for consultancies")
    make_item(name="item-b", title="Planned for regulators", target_audience=["regulatory_bodies"])
    make_item(
        name="item-c", title="Published", roadmap_status="published",
        roadmap_actual_release="2025-01-01",
    )  # fmt: skip
    soup = page(app)
    first, second = soup.select("section.ssen-timeline")
    assert timeline_titles(first) == ["Planned for consultancies"]
    assert first.select_one("form") is None and first.select_one("svg") is None
    assert sorted(timeline_titles(second)) == [
        "Planned for consultancies", "Planned for regulators", "Published",
    ]  # fmt: skip
    assert second.select_one("svg[role=img] title") is not None
    assert soup.h1.get_text(strip=True) == "Two timelines"


def test_private_items_show_only_to_their_organisation(app, make_item, org_admin,
                                                       user_with_token) -> None:  # fmt: skip
    make_item(name="open", title="Open item")
    make_item(name="secret", title="Secret item", private=True)
    outsider = user_with_token(name="outsider")
    factories.Organization(users=[{"name": outsider["name"], "capacity": "admin"}])
    member = user_with_token(name="member")
    helpers.call_action(
        "organization_member_create", {"user": org_admin["name"]},
        id="ssen", username=member["name"], role="member",
    )  # fmt: skip
    sysadmin = user_with_token(name="root", sysadmin=True)

    assert timeline_titles(page(app)) == ["Open item"]
    assert timeline_titles(page(app, user=outsider)) == ["Open item"]
    member_view = page(app, user=member)
    assert timeline_titles(member_view) == ["Open item", "Secret item"]
    assert member_view.select_one(".ssen-badge--private") is not None
    assert timeline_titles(page(app, user=sysadmin)) == ["Open item", "Secret item"]
    # Anonymous again after the cache was filled by members: still hidden.
    assert timeline_titles(page(app)) == ["Open item"]
    csv_body = app.get("/roadmap.csv").body
    assert "Secret item" not in csv_body and "Open item" in csv_body
    assert "Secret item" not in app.get("/roadmap.atom").body
    assert "Secret item" in app.get("/roadmap.csv", headers={"Authorization": member["token"]}).body
    # Joining the organisation changes the viewer's labels: seen at once, no stale cache.
    helpers.call_action(
        "organization_member_create", {"user": org_admin["name"]},
        id="ssen", username=outsider["name"], role="member",
    )  # fmt: skip
    assert timeline_titles(page(app, user=outsider)) == ["Open item", "Secret item"]


def test_chart_counts_published_and_open_per_quarter(app, make_item) -> None:
    make_item(name="item-p", roadmap_status="published", roadmap_actual_release="2025-05-01")
    make_item(name="item-o", roadmap_planned_release="2025-06-30")
    make_item(name="item-q", roadmap_planned_release="2025-Q3")
    soup = page(app)
    rows = [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in soup.select(".ssen-chart__data tbody tr")
    ]
    assert rows == [
        ["Apr–Jun 2025 (Q1 FY2025/26)", "1", "1"],
        ["Jul–Sep 2025 (Q2 FY2025/26)", "0", "1"],
    ]
    svg = soup.select_one("svg.ssen-chart__svg")
    assert svg["role"] == "img"
    assert "1 published and 2 planned" in svg.select_one("desc").get_text()
    assert len(svg.select("rect.ssen-chart__bar")) == 4


def test_generic_dataset_form_and_page_carry_the_roadmap_fields(app, make_item, org_admin):
    token = factories.APIToken(user=org_admin["name"])["token"]
    form = page(app, "/dataset/new", user={"token": token})
    for name in (
        "roadmap_status",
        "roadmap_planned_release",
        "roadmap_actual_release",
        "roadmap_category",
        "target_audience",
        "use_cases",
        "roadmap_note",
    ):
        assert form.select_one(f"[name={name}]") is not None, name
    make_item(
        name="shown-fields",
        roadmap_planned_release="2026-Q2",
        roadmap_category="legal_requirement",
        target_audience=["trade_associations"],
    )
    text = page(app, "/dataset/shown-fields").get_text(" ", strip=True)
    assert "Roadmap status Planned" in text
    assert "2026-Q2" in text
    assert "Trade Associations" in text


def main_navigation(app: Any, url: str) -> list[tuple[str, str, bool]]:
    """(text, href, active) of each item of the site's main navigation."""
    soup = page(app, url)
    return [
        (li.a.get_text(strip=True), li.a["href"], "active" in (li.get("class") or []))
        for li in soup.select("#main-navigation-toggle ul.navbar-nav > li")
    ]


@pytest.mark.parametrize("url", ["/", "/dataset", "/about", "/roadmap"])
def test_the_main_navigation_links_the_roadmap(app, url: str) -> None:
    nav = main_navigation(app, url)
    assert [text for text, _href, _active in nav][-2:] == ["About", "Roadmap"]
    roadmap = nav[-1]
    assert roadmap[1] == "/roadmap"
    # Highlighted on the roadmap's own pages only.
    assert roadmap[2] is (url == "/roadmap")
    if url == "/roadmap":
        assert [text for text, _href, active in nav if active] == ["Roadmap"]


def test_items_and_headings_use_one_quarter_convention(app, make_item) -> None:
    """A quarter planned as 2027-Q1 reads as its months and financial quarter,
    the same words as the heading it sits under; no calendar ``Qn`` label."""
    make_item(name="next-year", title="Next year", roadmap_planned_release="2027-Q1")
    make_item(name="dated", title="Dated", roadmap_planned_release="2027-02-10")
    soup = page(app)
    group = soup.select_one(".ssen-timeline__quarter")
    heading = group.select_one(".ssen-timeline__quarter-heading").get_text(" ", strip=True)
    assert heading.startswith("Jan–Mar 2027 (Q4 FY2026/27)")
    meta = [p.get_text(" ", strip=True) for p in group.select(".ssen-timeline__meta")]
    # A quarter sorts at its first day, so before a date inside it.
    assert meta[0].startswith("Planned Jan–Mar 2027 (Q4 FY2026/27)")
    assert meta[1].startswith("Planned 2027-02-10")
    assert "2027-Q1" not in soup.select_one("section.ssen-timeline").get_text()


# --- requesting a dataset: a way in for every visitor ---------------------------


def request_offer(soup: BeautifulSoup) -> tuple[str, dict[str, str], str]:
    """(the actions' request text, {link text: href}, the note under the actions)."""
    actions = soup.select_one(".ssen-roadmap__actions li")
    note = soup.select_one(".ssen-roadmap__request-note")
    links = {a.get_text(" ", strip=True): a["href"] for a in actions.find_all("a")}
    return (
        actions.get_text(" ", strip=True),
        links,
        note.get_text(" ", strip=True) if note else "",
    )


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "true")
def test_visitors_who_may_register_are_offered_log_in_or_register(app) -> None:
    text, links, note = request_offer(page(app))
    assert text == "Log in or register to request a dataset"
    assert links == {
        "Log in": "/user/login?came_from=/roadmap/request",
        "register": "/user/register",
    }
    assert note == ""
    assert app.get("/user/register").status_code == 200


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "false")
@pytest.mark.ckan_config("ckanext.ssen_roadmap.contact", "opendata@example.org")
def test_visitors_who_cannot_register_are_told_whom_to_ask(app) -> None:
    """The demo site's setting: no "register" link to a page that refuses
    them, but the sentence saying who gives out accounts."""
    soup = page(app)
    text, links, note = request_offer(soup)
    assert text == "Log in to request a dataset"
    assert links == {"Log in to request a dataset": "/user/login?came_from=/roadmap/request"}
    assert note == (
        "Requests are open to registered users; contact opendata@example.org for an account."
    )
    assert soup.select_one(".ssen-roadmap__request-note a")["href"] == (
        "mailto:opendata@example.org"
    )
    assert soup.select_one("a[href='/user/register']") is None
    # CKAN itself refuses the registration form: the page must not offer it.
    assert app.get("/user/register").status_code == 403
    # Opening the form directly says the same on the login page.
    login = app.get("/roadmap/request")
    assert "contact opendata@example.org for an account" in login.body


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "false")
def test_without_a_contact_the_about_page_is_named(app) -> None:
    soup = page(app)
    _text, _links, note = request_offer(soup)
    assert note == "Requests are open to registered users; contact the portal team for an account."
    assert soup.select_one(".ssen-roadmap__request-note a")["href"] == "http://test.ckan.net/about"


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "false")
@pytest.mark.ckan_config("ckanext.ssen_roadmap.contact", "https://example.org/contact")
def test_a_contact_page_is_linked(app, user_with_token) -> None:
    soup = page(app)
    link = soup.select_one(".ssen-roadmap__request-note a")
    assert (link.get_text(strip=True), link["href"]) == (
        "the portal team", "https://example.org/contact",
    )  # fmt: skip
    # Signed-in users are offered the form itself, whatever the setting.
    signed_in = page(app, user=user_with_token())
    assert signed_in.select_one(".ssen-roadmap__actions li").get_text(strip=True) == (
        "Request a dataset"
    )
    assert signed_in.select_one(".ssen-roadmap__request-note") is None


# --- filters the page does not understand ----------------------------------------


def test_unknown_filters_are_named_and_left_out(app, make_item) -> None:
    """As CKAN's /dataset, the page answers whatever the query: what it does
    not understand is left out, and a notice says so and what is allowed."""
    make_item(name="item-a", title="A planned")
    make_item(name="item-b", title="B published", roadmap_status="published",
              roadmap_actual_release="2025-06-01",
              target_audience=["regulatory_bodies"])  # fmt: skip
    soup = page(app, "/roadmap?status=nonsense&colour=red&audience=regulatory_bodies")
    assert timeline_titles(soup) == ["B published"]
    notice = soup.select_one("[data-roadmap-notice]")
    assert notice["role"] == "alert"
    assert [li.get_text(strip=True) for li in notice.select("li")] == [
        'Unknown parameter "colour": use one of: status, audience, category.',
        'Unknown status "nonsense": use one of: planned, in_development, published, retired.',
    ]
    way_back = notice.select_one("a")
    assert way_back["href"] == "/roadmap?audience=regulatory_bodies"
    # The exports and the feed carry only what was understood.
    assert soup.select_one("a[href^='/roadmap.csv']")["href"] == (
        "/roadmap.csv?audience=regulatory_bodies"
    )
    # Nothing to report: no notice.
    assert page(app, "/roadmap?status=planned").select_one("[data-roadmap-notice]") is None


def test_filters_in_use_are_spelled_out(app, make_item) -> None:
    make_item(name="item-a", title="A planned")
    soup = page(app, "/roadmap?status=planned&status=published&audience=consultancies")
    in_use = soup.select_one(".ssen-timeline__in-use").get_text(" ", strip=True)
    assert in_use == "Filters in use: status Planned, Published; audience Consultancies."
    assert page(app).select_one(".ssen-timeline__in-use") is None


# --- links, separators and headings ----------------------------------------------


def test_export_and_feed_links_carry_the_filters(app, make_item) -> None:
    make_item(name="item-a", title="A planned")
    soup = page(app, "/roadmap?audience=Consultancies&status=planned,in_development")
    expected = "?status=planned&status=in_development&audience=consultancies"
    links = {a.get_text(strip=True): a["href"] for a in soup.select("a[data-roadmap-export]")}
    assert links == {
        "Download CSV": "/roadmap.csv" + expected,
        "Calendar (iCal)": "/roadmap.ics" + expected,
        "Changes feed (Atom)": "/roadmap.atom" + expected,
    }
    head = soup.select_one("head link[type='application/atom+xml']")
    assert head["href"] == "/roadmap.atom" + expected
    unfiltered = page(app)
    assert unfiltered.select_one("head link[type='application/atom+xml']")["href"] == (
        "/roadmap.atom"
    )
    assert unfiltered.select_one("a[href^='/roadmap.atom']")["href"] == "/roadmap.atom"


def test_item_lines_have_no_stray_separators(app, make_item) -> None:
    make_item(name="undated", title="Undated", roadmap_planned_release="")
    make_item(name="bare", title="Bare", roadmap_planned_release="", roadmap_category="")
    make_item(name="dated", title="Dated", roadmap_planned_release="2026-Q3")
    soup = page(app)
    meta = {
        item.select_one(".ssen-timeline__link").get_text(strip=True): (
            item.select_one(".ssen-timeline__meta").get_text(" ", strip=True)
            if item.select_one(".ssen-timeline__meta")
            else None
        )
        for item in soup.select(".ssen-timeline__item")
    }
    assert meta == {
        "Dated": "Planned Jul–Sep 2026 (Q2 FY2026/27) · Prospective · SSEN",
        "Undated": "Prospective · SSEN",
        "Bare": "SSEN",
    }


def test_unscheduled_items_have_one_heading(app, make_item) -> None:
    make_item(name="undated", title="Undated", roadmap_planned_release="")
    make_item(name="dated", title="Dated", roadmap_planned_release="2026-Q3")
    soup = page(app)
    headings = [
        h.get_text(" ", strip=True)
        for h in soup.select(".ssen-timeline__results h3, .ssen-timeline__results h4")
    ]
    assert headings == [
        "Financial year FY2026/27",
        "Jul–Sep 2026 (Q2 FY2026/27) (1 dataset)",
        "Not yet scheduled (1 dataset)",
    ]
    last = soup.select(".ssen-timeline__year")[-1]
    assert [a.get_text(strip=True) for a in last.select(".ssen-timeline__link")] == ["Undated"]
    assert last["aria-labelledby"] == last.h3["id"]
