"""Export of the registry as a ``gi-registry/1`` document: deterministic, so two exports can be diffed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.interchange.schema import FORMAT
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer
from gi_registry.services.snapshots import (
    authorization_record,
    brand_record,
    listing_record,
    producer_record,
    product_record,
)


def export_document() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "products": [
            product_record(p)
            for p in _all(GIProduct, GIProduct.regions, GIProduct.protections, GIProduct.category)
        ],
        "brands": [
            brand_record(b) for b in _all(Brand, Brand.products, Brand.producers, Brand.parent)
        ],
        "producers": [producer_record(p) for p in _all(Producer)],
        "authorizations": [authorization_record(a) for a in _authorizations()],
        "listings": [
            listing_record(item)
            for item in _all(Listing, Listing.producer, Listing.product, Listing.category)
        ],
    }


def _all(model, *relations):
    query = select(model).order_by(model.slug).options(*(selectinload(r) for r in relations))
    return db.session.scalars(query)


def _authorizations():
    query = (
        select(Authorization)
        .join(Authorization.producer)
        .join(Authorization.product)
        .order_by(Producer.slug, GIProduct.slug)
        .options(selectinload(Authorization.producer), selectinload(Authorization.product))
    )
    return db.session.scalars(query)


__all__ = ["export_document"]
