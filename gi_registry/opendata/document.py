"""The published registry as a ``gi-registry/1`` document: public records only, no contact details.

Built from the export's own record builders (services/snapshots.py, interchange/export.py), then
cut down to what the public pages show: published products and brands, active producers, their
authorisations and published listings. References to records left out are dropped too (a brand's
draft product, an umbrella brand that is archived), so the document imports as it is.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gi_registry.extensions import db
from gi_registry.interchange.export import export_document
from gi_registry.models import Brand, GIProduct, Listing, Producer
from gi_registry.models.visibility import (
    brand_is_public,
    listing_is_public,
    producer_is_public,
    product_is_public,
)

# A producer's address and phone appear on its own page only, never in bulk (docs/api.md).
CONTACT_FIELDS = ("address", "phone")


def _public_slugs(model, is_public) -> set[str]:
    return set(db.session.scalars(sa.select(model.slug).where(is_public())))


def public_document() -> dict[str, Any]:
    full = export_document()
    products = _public_slugs(GIProduct, product_is_public)
    brands = _public_slugs(Brand, brand_is_public)
    producers = _public_slugs(Producer, producer_is_public)
    listings = _public_slugs(Listing, listing_is_public)
    return {
        "format": full["format"],
        "products": [p for p in full["products"] if p["slug"] in products],
        "brands": [
            _brand(b, products, brands, producers) for b in full["brands"] if b["slug"] in brands
        ],
        "producers": [
            {k: v for k, v in p.items() if k not in CONTACT_FIELDS}
            for p in full["producers"]
            if p["slug"] in producers
        ],
        "authorizations": [
            a
            for a in full["authorizations"]
            if a["producer"] in producers and a["product"] in products
        ],
        "listings": [item for item in full["listings"] if item["slug"] in listings],
    }


def _brand(record: dict, products: set[str], brands: set[str], producers: set[str]) -> dict:
    return {
        **record,
        "parent": record["parent"] if record["parent"] in brands else None,
        "products": [slug for slug in record["products"] if slug in products],
        "producers": [slug for slug in record["producers"] if slug in producers],
    }


__all__ = ["CONTACT_FIELDS", "public_document"]
