"""Writing a whole validated document: every kind through its own service, in dependency order."""

from __future__ import annotations

from collections.abc import Callable

from gi_registry.extensions import db
from gi_registry.services.authorizations import write_authorizations
from gi_registry.services.brands import write_brands
from gi_registry.services.listings import write_listings
from gi_registry.services.producers import write_producers
from gi_registry.services.products import write_csv_protections, write_products
from gi_registry.services.unit import Work
from gi_registry.services.validation import Validated
from gi_registry.services.writer import writer_for


def write_document(
    work: Work, validated: Validated, progress: Callable[[int], None] | None = None
) -> None:
    """Products first (others refer to them), then producers, brands, authorisations, listings.

    The records were validated as one batch (references checked in batched queries), so each
    kind's writer is called once with all its records and loads what they refer to in batches.
    """
    writer = writer_for(work, progress)
    records = validated.records
    # No autoflush: the writers read (regions, existing rows) between writes, and a flush per read
    # turns an import of thousands of records into thousands of round trips.
    with db.session.no_autoflush:
        write_products(writer, records["products"])
        write_csv_protections(writer, validated.protections)
        write_producers(writer, records["producers"])
        write_brands(writer, records["brands"])
        write_authorizations(writer, records["authorizations"])
        write_listings(writer, records["listings"])
        db.session.flush()
