"""GI products (地理标志产品) with their protections, sources and images: every write to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gi_registry.models import GIProduct, Protection
from gi_registry.naming import apply_name_forms
from gi_registry.services.records import archive_record, change_fields, find_record
from gi_registry.services.snapshots import protection_record
from gi_registry.services.unit import Work
from gi_registry.services.validation import validate_one
from gi_registry.services.writer import RecordWriter, writer_for


def save_product(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> GIProduct:
    """Create or update the product named by ``data["slug"]`` from a whole record.

    ``data`` is the record in the interchange format's terms (``category`` by code, ``region_codes``,
    ``protections`` and ``sources`` as lists of objects). ``expected_version`` is the version the
    person edited; a newer stored one raises ``ConflictError``.
    """
    validated = validate_one("products", data)
    writer = writer_for(work)
    return write_products(writer, validated.records["products"], expected_version)[0]


def write_products(
    writer: RecordWriter, records: list[dict], expected_version: int | None = None
) -> list[GIProduct]:
    writer.load_regions(code for r in records for code in r.get("region_codes", []))
    return writer.upsert(
        "products", GIProduct, records, relate_product, expected_version=expected_version
    )


def relate_product(writer: RecordWriter, product: GIProduct, record: dict) -> None:
    apply_name_forms(product)
    if "category" in record:
        product.category = writer.categories[record["category"]]
    if "region_codes" in record:
        # In the order the relationship loads them, so an unchanged list compares equal.
        product.regions = [writer.regions[code] for code in sorted(record["region_codes"])]
    if "protections" in record:
        replace_protections(product, record["protections"])


def replace_protections(product: GIProduct, items: list[dict]) -> None:
    """The input is the full, ordered list: it replaces what was there, unless it is the same
    list, so an unchanged save keeps the rows (and their ids) as they are."""
    wanted = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
    if [protection_record(p) for p in product.protections] == wanted:
        return
    product.protections = [Protection(position=i, **item) for i, item in enumerate(wanted)]


def write_csv_protections(writer: RecordWriter, rows: list[dict]) -> None:
    """protections.csv: each product named there gets exactly the rows given for it."""
    by_product: dict[str, list[dict]] = {}
    for row in rows:
        by_product.setdefault(row["product"], []).append(
            {k: v for k, v in row.items() if k != "product"}
        )
    writer.prefetch("products", GIProduct, by_product)
    for slug, items in by_product.items():
        product = writer.get("products", GIProduct, slug)
        writer.history.track("products", product, is_new=False)
        replace_protections(product, items)


def set_product_status(
    work: Work, slug: str, status: str, *, expected_version: int | None = None
) -> GIProduct:
    """Publish, withdraw to draft, or archive a product (archiving keeps the record as evidence)."""
    return change_fields(work, "products", slug, save_product, expected_version, status=status)


def archive_product(work: Work, slug: str, *, expected_version: int | None = None) -> GIProduct:
    return archive_record(work, "products", slug, save_product, expected_version)


def find_product(slug: str) -> GIProduct | None:
    return find_record(GIProduct, slug)
