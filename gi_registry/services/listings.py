"""Supply and demand listings (产销对接): every write to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gi_registry.models import GIProduct, Listing, Producer
from gi_registry.services.records import change_fields
from gi_registry.services.unit import Work
from gi_registry.services.validation import validate_one
from gi_registry.services.writer import RecordWriter, writer_for


def save_listing(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Listing:
    """Create or update a listing (producer and product by slug, category by code)."""
    records = validate_one("listings", data).records["listings"]
    return write_listings(writer_for(work), records, expected_version)[0]


def write_listings(
    writer: RecordWriter, records: list[dict], expected_version: int | None = None
) -> list[Listing]:
    writer.prefetch("products", GIProduct, [r.get("product") for r in records])
    writer.prefetch("producers", Producer, [r.get("producer") for r in records])
    return writer.upsert(
        "listings", Listing, records, relate_listing, expected_version=expected_version
    )


def relate_listing(writer: RecordWriter, listing: Listing, record: dict) -> None:
    listing.producer = writer.get("producers", Producer, record["producer"])
    if "product" in record:
        listing.product = (
            writer.get("products", GIProduct, record["product"]) if record["product"] else None
        )
    if "category" in record:
        listing.category = writer.categories[record["category"]] if record["category"] else None
    if listing.category is None and listing.product is not None:
        listing.category = listing.product.category


def set_listing_status(
    work: Work, slug: str, status: str, *, expected_version: int | None = None
) -> Listing:
    """Publish, reject, close or expire a listing."""
    return change_fields(work, "listings", slug, save_listing, expected_version, status=status)
