"""sitemap.xml from a registry of per-feature sources, so each feature lists its own pages.

A feature adds its pages with a decorated function that yields ``Entry`` values::

    from gi_registry.seo import Entry, sitemap_source

    @sitemap_source
    def story_pages():
        for slug, updated in db.session.execute(select(Story.slug, Story.updated_at).where(...)):
            yield Entry(url_for("promotion.story", slug=slug), updated)

Paths are root-relative (``url_for``); the sitemap makes them absolute. Only public records belong
here: a source must apply the same visibility rules as the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

import sqlalchemy as sa
from flask import url_for

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Brand, GIProduct, Listing, Producer, Region
from gi_registry.models.catalog import product_regions
from gi_registry.models.visibility import (
    brand_is_public,
    listing_live_on,
    producer_is_public,
    product_is_public,
)

# The protocol's limit for one file; beyond it /sitemap.xml becomes an index of numbered parts.
URLS_PER_FILE = 50_000
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Entry:
    path: str
    lastmod: datetime | None = None


Source = Callable[[], Iterable[Entry]]
SOURCES: list[Source] = []


def sitemap_source(source: Source) -> Source:
    """Register a function whose entries join the sitemap (idempotent)."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def all_entries() -> list[Entry]:
    seen: set[str] = set()
    entries = []
    for source in SOURCES:
        for entry in source():
            if entry.path not in seen:
                seen.add(entry.path)
                entries.append(entry)
    return entries


def urlset(entries: Iterable[Entry], absolute: Callable[[str], str]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{XMLNS}">']
    for entry in entries:
        lastmod = f"<lastmod>{entry.lastmod.date().isoformat()}</lastmod>" if entry.lastmod else ""
        lines.append(f"<url><loc>{escape(absolute(entry.path))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def index(parts: int, absolute: Callable[[str], str]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{XMLNS}">']
    for number in range(1, parts + 1):
        loc = absolute(url_for("seo.sitemap_part", number=number))
        lines.append(f"<sitemap><loc>{escape(loc)}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


# --- The catalogue's own pages


@sitemap_source
def entry_pages() -> Iterator[Entry]:
    for endpoint in (
        "catalog.home",
        "catalog.products",
        "catalog.brands",
        "catalog.producers",
        "verify.lookup",
        "places.stats",
    ):
        yield Entry(url_for(endpoint))
    yield Entry(url_for("opendata.index"))


def _records(model, is_public, endpoint: str) -> Iterator[Entry]:
    query = sa.select(model.slug, model.updated_at).where(is_public()).order_by(model.slug)
    for slug, updated in db.session.execute(query):
        yield Entry(url_for(endpoint, slug=slug), updated)


@sitemap_source
def catalog_records() -> Iterator[Entry]:
    yield from _records(GIProduct, product_is_public, "catalog.product")
    yield from _records(Brand, brand_is_public, "catalog.brand")
    yield from _records(Producer, producer_is_public, "catalog.producer")
    # A listing past its window answers 404 the next day (docs/listings.md).
    today = local_today()
    yield from _records(Listing, lambda: listing_live_on(today), "catalog.listing")


def regions_with_products() -> list[str]:
    """Codes of the regions whose page lists a public GI: those named in a protected area, and above."""
    named = db.session.scalars(
        sa.select(product_regions.c.region_code)
        .join(GIProduct, GIProduct.id == product_regions.c.product_id)
        .where(product_is_public())
        .distinct()
    ).all()
    codes: set[str] = set()
    for region in db.session.scalars(sa.select(Region).where(Region.code.in_(named))):
        codes.update(r.code for r in region.lineage())
    return sorted(codes)


@sitemap_source
def region_pages() -> Iterator[Entry]:
    for code in regions_with_products():
        yield Entry(url_for("catalog.region", code=code))


__all__ = ["Entry", "all_entries", "index", "sitemap_source", "urlset"]
