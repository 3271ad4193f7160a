"""Records as plain dicts in the interchange format's terms: what history, export and import compare.

One builder per kind, so the history, the export and the importer agree on what a field is.
"""

from __future__ import annotations

from typing import Any

from gi_registry.models import (
    Authorization,
    Brand,
    Event,
    FeatureSlot,
    GIProduct,
    GuidanceRequest,
    GuidanceStation,
    Listing,
    MisuseReport,
    Producer,
    Story,
)
from gi_registry.numbers import json_number
from gi_registry.services.schema import PROTECTION_FIELDS


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


def station_record(station: GuidanceStation) -> dict[str, Any]:
    return {
        "slug": station.slug,
        "name_zh": station.name_zh,
        "name_en": station.name_en,
        "region_code": station.region_code,
        "services": list(station.services),
        "address": station.address,
        "hours": station.hours,
        "phone": station.phone,
        "email": station.email,
        "description": station.description,
        "brands": [b.slug for b in station.brands],
        "producers": [p.slug for p in station.producers],
        "sources": [dict(s) for s in station.sources],
        "sample": station.sample,
        "status": station.status,
    }


def guidance_record(request: GuidanceRequest) -> dict[str, Any]:
    """A guidance request as staff see it in its history (the requester's contact included: the
    history is never public)."""
    return {
        "tracking_code": request.tracking_code,
        "station": request.station.slug,
        "topic": request.topic,
        "question": request.question,
        "requester_name": request.requester_name,
        "organisation": request.organisation,
        "contact": request.contact,
        "status": request.status,
        "answer": request.answer,
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
        "answered_by": request.answered_by,
    }


def report_record(report: MisuseReport) -> dict[str, Any]:
    """A misuse report as staff see it in its history (the reporter's contact included: the
    history is never public). Notes get entries of their own."""
    return {
        "tracking_code": report.tracking_code,
        "product_text": report.product_text,
        "product": report.product.slug if report.product else None,
        "seller": report.seller,
        "producer": report.producer.slug if report.producer else None,
        "location": report.location,
        "description": report.description,
        "evidence": list(report.evidence),
        "reporter_name": report.reporter_name,
        "reporter_contact": report.reporter_contact,
        "status": report.status,
        "public_answer": report.public_answer,
    }


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _content_record(item: Story | Event) -> dict[str, Any]:
    """What stories and events share: titles, texts (Markdown source), sources and publication."""
    return {
        "slug": item.slug,
        "title_zh": item.title_zh,
        "title_en": item.title_en,
        "summary_zh": item.summary_zh,
        "summary_en": item.summary_en,
        "body_zh": item.body_zh,
        "body_en": item.body_en,
        "sources": [dict(s) for s in item.sources],
        "sample": item.sample,
        "status": item.status,
        "published_at": _date(item.published_at),
    }


def story_record(story: Story) -> dict[str, Any]:
    return _content_record(story) | {
        "products": [p.slug for p in story.products],
        "brands": [b.slug for b in story.brands],
        "cover": story.cover_id,  # a stored picture's id, as a record's "images" are
        "cover_alt": story.cover_alt,
    }


def event_record(event: Event) -> dict[str, Any]:
    return _content_record(event) | {
        "starts_on": _date(event.starts_on),
        "ends_on": _date(event.ends_on),
        "place_zh": event.place_zh,
        "place_en": event.place_en,
        "region_code": event.region_code,
        "url": event.url,
    }


def slot_record(slot: FeatureSlot) -> dict[str, Any]:
    """A featured slot, its target named by kind and slug (the other three kinds empty)."""
    return {
        "id": slot.id,
        "position": slot.position,
        "starts_at": _date(slot.starts_at),
        "ends_at": _date(slot.ends_at),
        "headline_zh": slot.headline_zh,
        "headline_en": slot.headline_en,
        "product": slot.product.slug if slot.product else None,
        "brand": slot.brand.slug if slot.brand else None,
        "story": slot.story.slug if slot.story else None,
        "event": slot.event.slug if slot.event else None,
    }
