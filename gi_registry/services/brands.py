"""Brands: regional public brands (吉致吉品 and its members), enterprise and tourism brands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gi_registry.models import Brand, GIProduct, Producer
from gi_registry.naming import apply_name_forms
from gi_registry.services.records import archive_record
from gi_registry.services.unit import Work
from gi_registry.services.validation import validate_one
from gi_registry.services.writer import RecordWriter, writer_for


def save_brand(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Brand:
    """Create or update a brand from a whole record (products and producers by slug)."""
    records = validate_one("brands", data).records["brands"]
    return write_brands(writer_for(work), records, expected_version)[0]


def write_brands(
    writer: RecordWriter, records: list[dict], expected_version: int | None = None
) -> list[Brand]:
    writer.prefetch("products", GIProduct, [s for r in records for s in r.get("products", [])])
    writer.prefetch("producers", Producer, [s for r in records for s in r.get("producers", [])])
    writer.prefetch("brands", Brand, [r.get("parent") for r in records])
    brands = writer.upsert(
        "brands", Brand, records, relate_brand, expected_version=expected_version
    )
    write_brand_parents(writer, records)
    return brands


def relate_brand(writer: RecordWriter, brand: Brand, record: dict) -> None:
    apply_name_forms(brand)
    if "products" in record:
        brand.products = [writer.get("products", GIProduct, s) for s in sorted(record["products"])]
    if "producers" in record:
        brand.producers = [
            writer.get("producers", Producer, s) for s in sorted(record["producers"])
        ]


def write_brand_parents(writer: RecordWriter, records: list[dict]) -> None:
    # After every brand exists, so that a member may come before its umbrella in a file.
    for record in records:
        if "parent" in record:
            brand = writer.get("brands", Brand, record["slug"])
            brand.parent = (
                writer.get("brands", Brand, record["parent"]) if record["parent"] else None
            )


def archive_brand(work: Work, slug: str, *, expected_version: int | None = None) -> Brand:
    return archive_record(work, "brands", slug, save_brand, expected_version)
