"""Export of the registry as a ``gi-registry/1`` document: deterministic, so two exports can be diffed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.interchange.schema import FORMAT, PROTECTION_FIELDS
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer


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


def product_record(product: GIProduct) -> dict[str, Any]:
    return {
        "slug": product.slug,
        "name_zh": product.name_zh,
        "name_en": product.name_en,
        "aliases": list(product.aliases),
        "category": product.category.code,
        "region_codes": [r.code for r in product.regions],
        "summary": product.summary,
        "description": product.description,
        "scope": product.scope,
        "quality_requirements": product.quality_requirements,
        "protections": [protection_record(p) for p in product.protections],
        "programmes": list(product.programmes),
        "sources": [dict(s) for s in product.sources],
        "status": product.status,
    }


def protection_record(protection) -> dict[str, Any]:
    return {spec.name: getattr(protection, spec.name) for spec in PROTECTION_FIELDS}


def brand_record(brand: Brand) -> dict[str, Any]:
    return {
        "slug": brand.slug,
        "name_zh": brand.name_zh,
        "name_en": brand.name_en,
        "kind": brand.kind,
        "parent": brand.parent.slug if brand.parent else None,
        "products": [p.slug for p in brand.products],
        "producers": [p.slug for p in brand.producers],
        "trademark_number": brand.trademark_number,
        "description": brand.description,
        "sources": [dict(s) for s in brand.sources],
        "sample": brand.sample,
        "status": brand.status,
    }


def producer_record(producer: Producer) -> dict[str, Any]:
    return {
        "slug": producer.slug,
        "name_zh": producer.name_zh,
        "credit_code": producer.credit_code,
        "kind": producer.kind,
        "region_code": producer.region_code,
        "address": producer.address,
        "phone": producer.phone,
        "website": producer.website,
        "description": producer.description,
        "verified": producer.verified,
        "sample": producer.sample,
        "status": producer.status,
    }


def authorization_record(auth: Authorization) -> dict[str, Any]:
    return {
        "producer": auth.producer.slug,
        "product": auth.product.slug,
        "number": auth.number,
        "valid_from": _date(auth.valid_from),
        "valid_to": _date(auth.valid_to),
        "status": auth.status,
    }


def listing_record(listing: Listing) -> dict[str, Any]:
    return {
        "slug": listing.slug,
        "kind": listing.kind,
        "producer": listing.producer.slug,
        "product": listing.product.slug if listing.product else None,
        "category": listing.category.code if listing.category else None,
        "title": listing.title,
        "description": listing.description,
        "quantity": json_number(listing.quantity),
        "unit": listing.unit,
        "price_min": json_number(listing.price_min),
        "price_max": json_number(listing.price_max),
        "price_unit": listing.price_unit,
        "region_code": listing.region_code,
        "available_from": _date(listing.available_from),
        "available_to": _date(listing.available_to),
        "status": listing.status,
    }


def _date(value) -> str | None:
    return value.isoformat() if value else None


def json_number(value: Decimal | None) -> int | float | None:
    """JSON numbers: 12 rather than 12.000, so exports stay stable across databases."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value.normalize())


__all__ = ["export_document"]
