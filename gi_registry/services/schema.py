"""The fields of each record kind and their rules: what every write path accepts.

The importer, the services and the export speak of a record in these terms (docs/data-format.md).
"""

from __future__ import annotations

from decimal import Decimal

from gi_registry import vocab
from gi_registry.services import fields as f
from gi_registry.services.fields import Field

KINDS = ("products", "brands", "producers", "authorizations", "listings")

PROTECTION_FIELDS = [
    Field("kind", f.choice(vocab.PROTECTION_KINDS), required=True),
    Field("authority", f.optional_text(200)),
    Field("number", f.optional_text(200, exact=True)),
    Field("applied_on", f.partial_date),
    Field("approved_on", f.partial_date),
    Field("status", f.choice(vocab.PROTECTION_STATUSES), required=True),
    Field("holder", f.optional_text(200)),
    Field("source_url", f.url),
    Field("note", f.optional_text(2000, multiline=True)),
]

SOURCE_FIELDS = [
    Field("url", f.url),
    Field("title", f.text(300, allow_empty=False), required=True),
    Field("confidence", f.choice(vocab.SOURCE_CONFIDENCE), required=True),
    Field("note", f.optional_text(2000, multiline=True)),
]

# Nested lists of objects; the validator walks them with their own field lists.
NESTED = {"protections": PROTECTION_FIELDS, "sources": SOURCE_FIELDS}

PRODUCT_FIELDS = [
    Field("slug", f.slug, required=True),
    Field("name_zh", f.text(64, allow_empty=False), required=True),
    Field("name_en", f.optional_text(128)),
    Field("aliases", f.string_list(f.list_item(64)), csv="list"),
    Field("category", f.text(32, allow_empty=False), required=True),
    Field("region_codes", f.string_list(f.region_code, max_items=500), required=True, csv="list"),
    Field("summary", f.text(500)),
    Field("description", f.text(50_000, multiline=True)),
    Field("scope", f.text(5000, multiline=True)),
    Field("quality_requirements", f.text(10_000, multiline=True)),
    Field("protections", f.nested, csv="nested"),
    Field("programmes", f.string_list(f.choice(vocab.PROGRAMMES)), csv="list"),
    Field("sources", f.nested, csv="nested"),
    Field("status", f.choice(vocab.PRODUCT_STATUSES), required=True),
]

BRAND_FIELDS = [
    Field("slug", f.slug, required=True),
    Field("name_zh", f.text(64, allow_empty=False), required=True),
    Field("name_en", f.optional_text(128)),
    Field("kind", f.choice(vocab.BRAND_KINDS), required=True),
    Field("parent", f.optional_slug),
    Field("products", f.string_list(f.slug, max_items=1000), csv="list"),
    Field("producers", f.string_list(f.slug, max_items=10_000), csv="list"),
    Field("trademark_number", f.optional_text(64, exact=True)),
    Field("description", f.text(50_000, multiline=True)),
    Field("sources", f.nested, csv="nested"),
    Field("sample", f.boolean, csv="bool"),
    Field("status", f.choice(vocab.BRAND_STATUSES), required=True),
]

PRODUCER_FIELDS = [
    Field("slug", f.slug, required=True),
    Field("name_zh", f.text(128, allow_empty=False), required=True),
    Field("credit_code", f.credit_code, required=True),
    Field("kind", f.choice(vocab.PRODUCER_KINDS), required=True),
    Field("region_code", f.region_code, required=True),
    Field("address", f.text(300)),
    Field("phone", f.text(64)),
    Field("website", f.short_url(300)),
    Field("description", f.text(20_000, multiline=True)),
    Field("verified", f.boolean, csv="bool"),
    Field("sample", f.boolean, csv="bool"),
    Field("status", f.choice(vocab.PRODUCER_STATUSES), required=True),
]

AUTHORIZATION_FIELDS = [
    Field("producer", f.slug, required=True),
    Field("product", f.slug, required=True),
    Field("number", f.optional_text(64, exact=True)),
    Field("valid_from", f.iso_date),
    Field("valid_to", f.iso_date),
    Field("status", f.choice(vocab.AUTHORIZATION_STATUSES), required=True),
]

LISTING_FIELDS = [
    Field("slug", f.slug, required=True),
    Field("kind", f.choice(vocab.LISTING_KINDS), required=True),
    Field("producer", f.slug, required=True),
    Field("product", f.optional_slug),
    Field("category", f.optional_text(32)),
    Field("title", f.text(120, allow_empty=False), required=True),
    Field("description", f.text(20_000, multiline=True)),
    # Numeric(14, 3) and (14, 2) columns: 11 and 12 digits before the point.
    Field("quantity", f.decimal(3, maximum=Decimal("1e11")), csv="number"),
    Field("unit", f.text(16)),
    Field("price_min", f.decimal(2), csv="number"),
    Field("price_max", f.decimal(2), csv="number"),
    Field("price_unit", f.text(16)),
    Field("region_code", lambda value: None if value in (None, "") else f.region_code(value)),
    Field("available_from", f.iso_date),
    Field("available_to", f.iso_date),
    Field("status", f.choice(vocab.LISTING_STATUSES), required=True),
]

FIELDS = {
    "products": PRODUCT_FIELDS,
    "brands": BRAND_FIELDS,
    "producers": PRODUCER_FIELDS,
    "authorizations": AUTHORIZATION_FIELDS,
    "listings": LISTING_FIELDS,
}
