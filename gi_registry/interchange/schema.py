"""The interchange format ``gi-registry/1``: its name and its CSV form. See docs/data-format.md."""

from __future__ import annotations

from gi_registry.services import fields as f
from gi_registry.services.fields import Field
from gi_registry.services.schema import FIELDS, PROTECTION_FIELDS

FORMAT = "gi-registry/1"

# CSV: one file per kind. protections.csv carries products' protections, one row each.
CSV_KINDS = ("products", "protections", "producers", "authorizations")
CSV_PROTECTION_FIELDS = [Field("product", f.slug, required=True), *PROTECTION_FIELDS]


def csv_fields(kind: str) -> list[Field]:
    if kind == "protections":
        return CSV_PROTECTION_FIELDS
    return [field for field in FIELDS[kind] if field.csv != "nested"]
