"""Search hits as an English page shows them.

The index stores what people type and read in Chinese: a hit's title is the Chinese name and its
subtitle a Chinese line (粮食 · 梅河口). An English page shows a record's English name where it has one
(the Chinese name follows it) and builds the subtitle again from the record, each part in the page's
language where one exists. One query per kind on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.i18n.content import display_name, is_english, label, region_short_name
from gi_registry.models import Brand, GIProduct, Listing, Producer
from gi_registry.search import Results


@dataclass(frozen=True)
class EnglishHit:
    name: str | None  # the record's English name, where it has one
    subtitle: list[str] = field(default_factory=list)  # parts, each English or Chinese as a whole


def product_hit(product: GIProduct) -> EnglishHit:
    places = gettext("、").join(region_short_name(r) for r in product.regions[:3])
    return EnglishHit(product.name_en, [p for p in (display_name(product.category), places) if p])


def brand_hit(brand: Brand) -> EnglishHit:
    parent = brand.parent if brand.parent is not None and brand.parent.is_public else None
    parts = [label("BRAND_KINDS", brand.kind), display_name(parent) if parent else ""]
    return EnglishHit(brand.name_en, [p for p in parts if p])


def producer_hit(producer: Producer) -> EnglishHit:
    place = region_short_name(producer.region) if producer.region else ""
    return EnglishHit(None, [p for p in (label("PRODUCER_KINDS", producer.kind), place) if p])


def listing_hit(listing: Listing) -> EnglishHit:
    return EnglishHit(None, [label("LISTING_KINDS", listing.kind), display_name(listing.producer)])


KINDS = {
    "product": (GIProduct, product_hit, (GIProduct.category, GIProduct.regions)),
    "brand": (Brand, brand_hit, (Brand.parent,)),
    "producer": (Producer, producer_hit, (Producer.region,)),
    "listing": (Listing, listing_hit, (Listing.producer,)),
}


def english_hits(results: Results) -> dict[tuple[str, str], EnglishHit]:
    """(kind, slug) → how an English page shows that hit; empty on a Chinese page."""
    if not is_english():
        return {}
    shown: dict[tuple[str, str], EnglishHit] = {}
    for kind, (model, build, related) in KINDS.items():
        slugs = [hit.slug for hit in results.items if hit.kind == kind]
        if not slugs:
            continue
        records = db.session.scalars(
            select(model)
            .where(model.slug.in_(slugs))
            .options(*(selectinload(relation) for relation in related))
        )
        shown.update(((kind, record.slug), build(record)) for record in records)
    return shown
