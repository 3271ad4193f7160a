"""Producers (经营主体): enterprises, cooperatives, family farms; verification and archiving."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gi_registry.models import Producer
from gi_registry.naming import apply_name_forms
from gi_registry.services.records import archive_record, change_fields
from gi_registry.services.unit import Work
from gi_registry.services.validation import validate_one
from gi_registry.services.writer import RecordWriter, writer_for


def save_producer(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Producer:
    """Create or update a producer. The 统一社会信用代码 is checked (GB 32100-2015) and unique."""
    records = validate_one("producers", data).records["producers"]
    return write_producers(writer_for(work), records, expected_version)[0]


def write_producers(
    writer: RecordWriter, records: list[dict], expected_version: int | None = None
) -> list[Producer]:
    return writer.upsert(
        "producers", Producer, records, relate_producer, expected_version=expected_version
    )


def relate_producer(writer: RecordWriter, producer: Producer, record: dict) -> None:
    apply_name_forms(producer)


def set_producer_verified(
    work: Work, slug: str, verified: bool, *, expected_version: int | None = None
) -> Producer:
    """Staff confirm (or withdraw) that a producer proved who it is."""
    return change_fields(
        work, "producers", slug, save_producer, expected_version, verified=verified
    )


def set_producer_status(
    work: Work, slug: str, status: str, *, expected_version: int | None = None
) -> Producer:
    """Activate, suspend or archive a producer; public pages and search follow."""
    return change_fields(work, "producers", slug, save_producer, expected_version, status=status)


def archive_producer(work: Work, slug: str, *, expected_version: int | None = None) -> Producer:
    return archive_record(work, "producers", slug, save_producer, expected_version)
