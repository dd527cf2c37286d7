"""Pure document handling (no CKAN): the seed-shaped fixture and edge cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ckanext.ssen_roadmap.document import parse_document, repair_text

SEED_SHAPED = Path(__file__).parent / "fixtures" / "seed_shaped.md"


def test_seed_shaped_document_renders_every_part() -> None:
    document = parse_document(SEED_SHAPED.read_text(encoding="utf-8"))
    assert document.repaired is True
    assert document.front.title == "Network Data Plan"
    assert document.front.date == dt.date(2025, 9, 30)
    assert document.front.author == "Open Data Desk"
    assert document.has_heading is True
    assert document.heading == "2025 Network Data Plan"
    assert document.heading_id == "2025-network-data-plan"
    assert "<h1" not in document.segments[0].html
    assert document.segments[0].html.startswith("<p>An overview")
    assert [text for _, text in document.headings] == [
        "Summary",
        "Purpose of the Plan",
        "Who is it for?",
        "Some Use Cases",
        "How did we build the plan?",
        "Staying in touch",
    ]
    assert [seg.kind for seg in document.segments] == [
        "html", "timeline", "html", "callout", "html", "callout", "html",
    ]  # fmt: skip
    note, tip = (seg for seg in document.segments if seg.kind == "callout")
    assert (note.callout, note.emoji, note.callout_label) == ("note", "🌟", "Note")
    assert "Dates can slip – we revise" in note.html
    assert (tip.callout, tip.emoji) == ("tip", "💡")
    assert '<a href="https://example.org/request"' in tip.html
    html = "".join(seg.html for seg in document.segments)
    assert html.count("<li>") == 21 + 3 + 5 + 2
    assert "Retrospective – data already held" in html
    assert "Feedback– we answer" in html
    for broken in ("â€", "ðŸ", "Ã"):
        assert broken not in html


def test_html_is_sanitised() -> None:
    document = parse_document(SEED_SHAPED.read_text(encoding="utf-8"))
    html = "".join(seg.html for seg in document.segments)
    assert "<script" not in html and "alert(" not in html
    assert "javascript:" not in html
    assert "a bad link" in html


def test_raw_html_attributes_and_styles_are_dropped() -> None:
    document = parse_document(
        '<div onclick="x()" style="color:red">hi</div>\n\n<img src="https://e.org/a.png" '
        'onerror="x()" alt="A">\n\n<iframe src="https://evil"></iframe>\n'
    )
    html = document.segments[0].html
    assert "onclick" not in html and "style=" not in html and "onerror" not in html
    assert "<iframe" not in html
    assert '<img src="https://e.org/a.png" alt="A">' in html


def test_timeline_placeholders_carry_their_attributes() -> None:
    document = parse_document(
        "# T\n\n<Timeline />\n\ntext\n\n"
        "<Timeline status=\"planned,in_development\" audience='Consultancies' chart=false/>\n"
    )
    first, second = document.timelines
    assert (first.index, first.attrs) == (0, {})
    assert second.index == 1
    assert second.attrs == {
        "status": "planned,in_development",
        "audience": "Consultancies",
        "chart": "false",
    }


def test_placeholders_inside_code_stay_code() -> None:
    document = parse_document("```\n<Timeline />\n> **NOTE**\n```\n")
    assert [seg.kind for seg in document.segments] == ["html"]
    assert "&lt;Timeline /&gt;" in document.segments[0].html


def test_github_alert_syntax_and_plain_blockquotes() -> None:
    document = parse_document(
        "> [!WARNING]\n> Mind the gap\n\n> just a quote\n\n> **Important**: inline text\n"
    )
    kinds = [(seg.kind, seg.callout) for seg in document.segments]
    assert kinds == [("callout", "warning"), ("html", ""), ("callout", "important")]
    assert "Mind the gap" in document.segments[0].html
    assert "<blockquote>" in document.segments[1].html
    assert "inline text" in document.segments[2].html


def test_no_front_matter_and_broken_front_matter() -> None:
    assert parse_document("plain").front.title == ""
    broken = parse_document("---\ntitle: [unclosed\n---\nbody\n")
    assert broken.front.title == ""
    assert "body" in broken.segments[0].html


def test_repair_text_fixes_cp1252_mojibake_only() -> None:
    assert repair_text("a â€“ b ðŸŒŸ") == "a – b 🌟"
    assert repair_text("already fine – ✓") == "already fine – ✓"
