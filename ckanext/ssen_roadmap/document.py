"""Pure document handling: the roadmap markdown page, split into renderable parts.

Imports nothing from CKAN. A document is:

- optional YAML front matter (``title``, ``date``, ``author``) between ``---``
  lines;
- markdown, where a line holding only ``<Timeline />`` (optionally with
  attributes: ``<Timeline status="planned" audience="consultancies" />``)
  marks where a timeline goes, and a block quote whose first line is
  ``**NOTE**`` / ``**TIP**`` / ``**IMPORTANT**`` / ``**WARNING**`` /
  ``**CAUTION**`` (optionally after an emoji) or GitHub's ``[!NOTE]`` is a
  call-out.

Text that was UTF-8 decoded as cp1252 (``â€“`` for an en dash, ``ðŸŒŸ`` for a
star emoji) is repaired with ftfy before anything else. Markdown becomes HTML
through python-markdown, then nh3 keeps only an allow-list of tags and
attributes, so the document can never inject script or styles.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import ftfy
import markdown
import nh3
import yaml

CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_TIMELINE = re.compile(r"^\s{0,3}<Timeline\b(?P<attrs>[^>]*?)/?>\s*(?:</Timeline>\s*)?$")
_ATTR = re.compile(r"""([A-Za-z_][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'/>]+))""")
_KINDS = "|".join(CALLOUT_KINDS)
_CALLOUT_HEAD = re.compile(
    rf"^\s{{0,3}}>\s*(?:(?P<emoji>[^\w\s*\[>]{{1,8}})\s*)?"
    rf"(?:\*\*(?P<kind>{_KINDS})\*\*|\[!(?P<gh>{_KINDS})\])\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_LEADING_H1 = re.compile(r'\A\s*<h1(?: id="([^"]*)")?>(.*?)</h1>\s*', re.DOTALL)
_QUOTE_LINE = re.compile(r"^\s{0,3}>")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "abbr": {"title"},
}


@dataclass(frozen=True)
class FrontMatter:
    title: str = ""
    date: dt.date | None = None
    author: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    """A renderable part of the page, in document order."""

    kind: Literal["html", "timeline", "callout"]
    html: str = ""
    callout: str = ""
    emoji: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    index: int = 0

    @property
    def callout_label(self) -> str:
        return self.callout.capitalize()


@dataclass(frozen=True)
class Document:
    front: FrontMatter
    segments: tuple[Segment, ...]
    repaired: bool
    heading: str = ""
    heading_id: str = ""

    @property
    def timelines(self) -> tuple[Segment, ...]:
        return tuple(seg for seg in self.segments if seg.kind == "timeline")

    @property
    def has_heading(self) -> bool:
        """Whether the body opens with its own ``# heading`` (else the page shows
        the front matter's title)."""
        return bool(self.heading)

    @property
    def headings(self) -> list[tuple[str, str]]:
        """(id, text) of the second-level sections, for a contents list."""
        found = []
        for seg in self.segments:
            if seg.kind != "html":
                continue
            for match in re.finditer(r'<h2 id="([^"]+)">(.*?)</h2>', seg.html, re.DOTALL):
                found.append((match[1], html.unescape(re.sub(r"<[^>]+>", "", match[2]))))
        return found


def repair_text(text: str) -> str:
    """Undo mojibake (UTF-8 bytes read as cp1252/latin-1) and odd line breaks."""
    return ftfy.fix_text(text, normalization="NFC")


def split_front_matter(text: str) -> tuple[FrontMatter, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return FrontMatter(), text
    try:
        data = yaml.safe_load(match[1]) or {}
    except yaml.YAMLError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    raw_date = data.get("date")
    day: dt.date | None
    if isinstance(raw_date, dt.datetime):
        day = raw_date.date()
    elif isinstance(raw_date, dt.date):
        day = raw_date
    else:
        try:
            day = dt.date.fromisoformat(str(raw_date).strip()[:10]) if raw_date else None
        except ValueError:
            day = None
    front = FrontMatter(
        title=str(data.get("title") or "").strip(),
        date=day,
        author=str(data.get("author") or "").strip(),
        extra={k: v for k, v in data.items() if k not in {"title", "date", "author"}},
    )
    return front, text[match.end() :]


def parse_attributes(text: str) -> dict[str, str]:
    return {
        match[1].lower(): next(v for v in match.groups()[1:] if v is not None)
        for match in _ATTR.finditer(text)
    }


def render_markdown(text: str, *, heading_offset: int = 0) -> str:
    """Markdown to sanitised HTML; headings move down ``heading_offset`` levels."""
    if not text.strip():
        return ""
    raw = markdown.markdown(
        text,
        extensions=["fenced_code", "sane_lists", "tables", "toc"],
        extension_configs={"toc": {"baselevel": 1 + heading_offset, "anchorlink": False}},
        output_format="html",
    )
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@dataclass
class _Block:
    kind: Literal["markdown", "timeline", "callout"]
    lines: list[str] = field(default_factory=list)
    callout: str = ""
    emoji: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


def _blocks(body: str) -> Iterator[_Block]:
    current = _Block("markdown")
    lines = body.splitlines()
    in_fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            if in_fence is None:
                in_fence = fence[1]
            elif fence[1] == in_fence:
                in_fence = None
        if in_fence is None:
            timeline = _TIMELINE.match(line)
            head = _CALLOUT_HEAD.match(line)
            if timeline:
                yield current
                yield _Block("timeline", attrs=parse_attributes(timeline["attrs"]))
                current = _Block("markdown")
                i += 1
                continue
            if head:
                kind = (head["kind"] or head["gh"]).lower()
                inner = [head["rest"]] if head["rest"].strip() else []
                i += 1
                while i < len(lines) and _QUOTE_LINE.match(lines[i]):
                    inner.append(re.sub(r"^\s{0,3}> ?", "", lines[i], count=1))
                    i += 1
                yield current
                yield _Block("callout", inner, callout=kind, emoji=(head["emoji"] or "").strip())
                current = _Block("markdown")
                continue
        current.lines.append(line)
        i += 1
    yield current


def parse_document(text: str, *, heading_offset: int = 0) -> Document:
    """Repair, split and render a roadmap document."""
    fixed = repair_text(text)
    front, body = split_front_matter(fixed)
    segments: list[Segment] = []
    timelines = 0
    for block in _blocks(body):
        if block.kind == "timeline":
            segments.append(Segment("timeline", attrs=block.attrs, index=timelines))
            timelines += 1
        elif block.kind == "callout":
            segments.append(
                Segment(
                    "callout",
                    html=render_markdown("\n".join(block.lines), heading_offset=heading_offset),
                    callout=block.callout,
                    emoji=block.emoji,
                )
            )
        else:
            rendered = render_markdown("\n".join(block.lines), heading_offset=heading_offset)
            if rendered:
                segments.append(Segment("html", html=rendered))
    heading = heading_id = ""
    if segments and segments[0].kind == "html":
        match = _LEADING_H1.match(segments[0].html)
        if match:
            heading_id = match[1] or ""
            heading = html.unescape(re.sub(r"<[^>]+>", "", match[2])).strip()
            rest = segments[0].html[match.end() :]
            segments[0:1] = [Segment("html", html=rest)] if rest.strip() else []
    return Document(
        front=front,
        segments=tuple(segments),
        repaired=fixed != text,
        heading=heading,
        heading_id=heading_id,
    )
