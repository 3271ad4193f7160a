"""Atom 1.0 feeds (RFC 4287), written with ElementTree so that every text is escaped by the library.

Links are absolute under ``PUBLIC_URL`` (as in the API) and root-relative without it, which a feed
reader resolves against the feed's own address; the request's Host header is never used. Entry ids
are ``urn:uuid`` names derived from the record's kind and slug, so they stay the same when the site
moves to another address, as RFC 4287 asks of an id.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MIMETYPE = "application/atom+xml"
ET.register_namespace("", ATOM_NS)


@dataclass(frozen=True)
class Entry:
    key: str  # kind and slug, e.g. "story:meihe-dami": the seed of the entry's id
    title: str
    link: str
    updated: datetime
    published: datetime | None = None
    summary: str = ""
    content_html: str | None = None
    categories: list[str] = field(default_factory=list)


def stable_id(key: str) -> str:
    """An id that never changes for one record of this deployment (its home province)."""
    name = f"gi-registry:{current_app.config['HOME_REGION_CODE']}:{key}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str = "alternate", kind: str = "text/html") -> None:
    ET.SubElement(parent, f"{{{ATOM_NS}}}link", {"rel": rel, "type": kind, "href": href})


def atom_feed(
    *,
    key: str,
    title: str,
    subtitle: str,
    self_url: str,
    page_url: str,
    entries: Iterable[Entry],
    author_name: str,
) -> bytes:
    entries = list(entries)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    _text(feed, "id", stable_id(f"feed:{key}"))
    _text(feed, "title", title)
    _text(feed, "subtitle", subtitle)
    _link(feed, self_url, rel="self", kind=ATOM_MIMETYPE)
    _link(feed, page_url)
    # An empty feed still needs <updated>: the epoch says "nothing yet" without changing per request.
    latest = max((e.updated for e in entries), default=datetime(1970, 1, 1, tzinfo=UTC))
    _text(feed, "updated", rfc3339(latest))
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", author_name)
    for item in entries:
        feed.append(_entry(item))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(item: Entry) -> ET.Element:
    entry = ET.Element(f"{{{ATOM_NS}}}entry")
    _text(entry, "id", stable_id(item.key))
    _text(entry, "title", item.title)
    _link(entry, item.link)
    _text(entry, "updated", rfc3339(item.updated))
    if item.published:
        _text(entry, "published", rfc3339(item.published))
    for term in item.categories:
        ET.SubElement(entry, f"{{{ATOM_NS}}}category", {"term": term})
    if item.summary:
        _text(entry, "summary", item.summary)
    if item.content_html:
        _text(entry, "content", item.content_html, type="html")
    return entry
