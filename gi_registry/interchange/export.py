"""Export of the registry as a ``gi-registry/1`` document: deterministic, so two exports can be diffed.

The full export is the staff's backup and round trip: every record, drafts and contact details
included. ``public=True`` is the open-data form: only what the public pages show, and no producer's
contact details (``CONTACT_FIELDS``), which are never handed out in bulk.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.interchange.schema import FORMAT
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer
from gi_registry.models.producers import CONTACT_FIELDS
from gi_registry.models.visibility import (
    brand_is_public,
    listing_is_public,
    producer_is_public,
    product_is_public,
)
from gi_registry.services.snapshots import (
    authorization_record,
    brand_record,
    listing_record,
    producer_record,
    product_record,
)


def export_document(*, public: bool = False) -> dict[str, Any]:
    products = _all(GIProduct, public, GIProduct.regions, GIProduct.protections, GIProduct.category)
    brands = _all(Brand, public, Brand.products, Brand.producers, Brand.parent)
    listings = _all(Listing, public, Listing.producer, Listing.product, Listing.category)
    return {
        "format": FORMAT,
        "products": [product_record(p) for p in products],
        "brands": [_public_brand(b) if public else brand_record(b) for b in brands],
        "producers": [_producer(p, public) for p in _all(Producer, public)],
        "authorizations": [authorization_record(a) for a in _authorizations(public)],
        "listings": [listing_record(item) for item in listings],
    }


PUBLIC_RULES = {
    GIProduct: product_is_public,
    Brand: brand_is_public,
    Producer: producer_is_public,
    Listing: listing_is_public,
}


def _all(model, public: bool, *relations):
    query = select(model).order_by(model.slug).options(*(selectinload(r) for r in relations))
    if public:
        query = query.where(PUBLIC_RULES[model]())
    return db.session.scalars(query)


def _producer(producer: Producer, public: bool) -> dict[str, Any]:
    record = producer_record(producer)
    if public:
        for name in CONTACT_FIELDS:
            record.pop(name, None)
    return record


def _public_brand(brand: Brand) -> dict[str, Any]:
    """A brand names only public records: a hidden umbrella, product or producer stays hidden."""
    record = brand_record(brand)
    parent = brand.parent
    record["parent"] = parent.slug if parent is not None and parent.is_public else None
    record["products"] = [p.slug for p in brand.products if p.is_public]
    record["producers"] = [p.slug for p in brand.producers if p.is_public]
    return record


def _authorizations(public: bool):
    query = (
        select(Authorization)
        .join(Authorization.producer)
        .join(Authorization.product)
        .order_by(Producer.slug, GIProduct.slug)
        .options(selectinload(Authorization.producer), selectinload(Authorization.product))
    )
    if public:
        query = query.where(producer_is_public(), product_is_public())
    return db.session.scalars(query)


__all__ = ["export_document"]
