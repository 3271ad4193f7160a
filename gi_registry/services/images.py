"""Adding and removing the pictures of a product, brand or listing, as changes with their history.

``services.media`` stores a picture and links it; this module is what forms, the sample and the
console call: it finds the record, checks its version, and records the change in the history as the
record's ``images`` field (the media ids in display order, before and after).
"""

from __future__ import annotations

from gi_registry.extensions import db
from gi_registry.models import MediaAsset, now_utc
from gi_registry.services.media import attach_image, move_image, remove_image, store_image
from gi_registry.services.records import MODELS, require_record
from gi_registry.services.unit import Work
from gi_registry.services.writer import check_version

ILLUSTRATED = ("products", "brands", "listings")


def add_image(
    work: Work,
    kind: str,
    slug: str,
    data: bytes,
    *,
    alt: str,
    credit: str = "",
    licence: str = "",
    position: int | None = None,
    expected_version: int | None = None,
) -> MediaAsset:
    """Verify, re-encode and store ``data``, and show it on the record (last, or at ``position``).

    Raises ``MediaError`` (a Chinese message naming the field ``image``) for a refused file.
    """
    record = _illustrated(kind, slug, expected_version)
    before = _image_ids(record)
    asset = store_image(data, field="image", credit=credit, licence=licence)
    attach_image(record, asset, alt=alt, position=position)
    _record_change(work, kind, record, before)
    return asset


def remove_record_image(
    work: Work, kind: str, slug: str, media_id: int, *, expected_version: int | None = None
) -> bool:
    """Stop showing picture ``media_id`` on the record; True if it was shown."""
    record = _illustrated(kind, slug, expected_version)
    before = _image_ids(record)
    removed = remove_image(record, media_id)
    _record_change(work, kind, record, before)
    return removed


def move_record_image(
    work: Work,
    kind: str,
    slug: str,
    media_id: int,
    position: int,
    *,
    expected_version: int | None = None,
) -> bool:
    """Show picture ``media_id`` at ``position`` on the record (0: first, the cover picture);
    True if the order changed."""
    record = _illustrated(kind, slug, expected_version)
    before = _image_ids(record)
    moved = move_image(record, media_id, position)
    _record_change(work, kind, record, before)
    return moved


def _illustrated(kind: str, slug: str, expected_version: int | None):
    if kind not in ILLUSTRATED:
        raise ValueError(f"{kind} has no images")
    record = require_record(MODELS[kind], slug)
    check_version(record, expected_version)
    return record


def _image_ids(record) -> list[int]:
    return [link.media_id or link.media.id for link in record.images]


def _record_change(work: Work, kind: str, record, before: list[int]) -> None:
    db.session.flush()  # ids for a new asset and its link
    after = _image_ids(record)
    if after == before:
        return
    record.updated_at = now_utc()  # a change of pictures bumps and checks the row version
    work.history.record(kind, record.slug, record.id, "update", {"images": [before, after]})
