"""Supply and demand listings (产销对接): every write to them.

``save_listing``/``write_listings`` are the importer's and the history's plain record writes. The
portal's writes (``create_listing``, ``update_listing``, ``submit_listing``, ``close_listing``,
``delete_listing``) and the reviewers' (``approve_listing``, ``reject_listing``) add the lifecycle and
the GI name rule on top (``listing_rules``), so no form, command or script that goes through them can
post a supply listing under a GI name without a valid authorisation.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from gi_registry.extensions import db
from gi_registry.models import GIProduct, Listing, ListingStat, Producer, User, now_utc
from gi_registry.naming import name_pinyin
from gi_registry.services.errors import ValidationError
from gi_registry.services.history import SNAPSHOTS
from gi_registry.services.listing_rules import (
    REASON_MAX,
    check_gi_name,
    check_transition,
    review_needed,
    window_ended,
)
from gi_registry.services.records import change_fields, require_record
from gi_registry.services.unit import Work
from gi_registry.services.upsert import insert_unless_present
from gi_registry.services.validation import validate_one
from gi_registry.services.writer import RecordWriter, check_version, writer_for

# What a member may change with the form; status, producer and slug follow the lifecycle.
EDITABLE = (
    "kind",
    "product",
    "category",
    "title",
    "description",
    "quantity",
    "unit",
    "price_min",
    "price_max",
    "price_unit",
    "region_code",
    "available_from",
    "available_to",
)
SLUG_WORDS = 6


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
    """Set a listing's status as a plain record write (the importer's terms, no lifecycle rules)."""
    return change_fields(work, "listings", slug, save_listing, expected_version, status=status)


# -- the portal's writes ------------------------------------------------------------------------


def create_listing(
    work: Work, producer: Producer, data: Mapping[str, Any], *, today: date, user: User | None
) -> Listing:
    """A new draft of ``producer``'s, made by ``user``. ``data`` holds the ``EDITABLE`` fields."""
    record = _editable(data) | {
        "slug": new_listing_slug(str(data.get("title") or "")),
        "producer": producer.slug,
        "status": "draft",
    }
    _check_rules(producer, record, today)
    listing = save_listing(work, record)
    listing.created_by_id = user.id if user is not None else None
    return listing


def update_listing(
    work: Work,
    slug: str,
    data: Mapping[str, Any],
    *,
    today: date,
    expected_version: int | None = None,
) -> Listing:
    """Change a listing's fields. A published listing of an organisation that is not verified goes
    back to review: its edit has not been seen by anyone."""
    listing = _require(slug)
    check_transition(listing, "edit")
    check_version(listing, expected_version)
    record = SNAPSHOTS["listings"](listing) | _editable(data)
    _check_rules(listing.producer, record, today)
    if listing.status == "published" and review_needed(listing.producer):
        record["status"] = "pending"
    return save_listing(work, record, expected_version=expected_version)


def submit_listing(
    work: Work, slug: str, *, today: date, expected_version: int | None = None
) -> Listing:
    """Draft (or rejected) → published for a verified organisation, else → pending review."""
    listing = _require(slug)
    check_transition(listing, "submit", today=today)
    check_gi_name(listing.producer, listing.kind, listing.product, today)
    if review_needed(listing.producer):
        return _move(work, listing, "pending", expected_version)
    return _publish(work, listing, expected_version)


def approve_listing(
    work: Work, slug: str, *, today: date, expected_version: int | None = None
) -> Listing:
    """A reviewer accepts a pending listing: it is published (the GI rule is checked again)."""
    listing = _require(slug)
    check_transition(listing, "approve", today=today)
    check_gi_name(listing.producer, listing.kind, listing.product, today)
    return _publish(work, listing, expected_version)


def reject_listing(
    work: Work, slug: str, reason: str, *, expected_version: int | None = None
) -> Listing:
    """A reviewer refuses a pending (or takes down a published) listing, saying why."""
    listing = _require(slug)
    check_transition(listing, "reject")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请填写未通过的原因"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"过长（{len(reason)} 字，最多 {REASON_MAX} 字）"})
    return _move(work, listing, "rejected", expected_version, reason=reason)


def close_listing(work: Work, slug: str, *, expected_version: int | None = None) -> Listing:
    """The organisation ends a listing; it leaves the boards and matching for good."""
    listing = _require(slug)
    check_transition(listing, "close")
    return _move(work, listing, "closed", expected_version)


def delete_listing(work: Work, slug: str, *, expected_version: int | None = None) -> None:
    """Only a draft is deleted (nobody outside the organisation ever saw it). The history keeps
    its last state as an ``archive`` entry (every field to empty): the row itself is gone."""
    listing = _require(slug)
    check_transition(listing, "delete")
    check_version(listing, expected_version)
    before = SNAPSHOTS["listings"](listing)
    work.history.record(
        "listings", listing.slug, listing.id, "archive", {k: [v, None] for k, v in before.items()}
    )
    db.session.execute(sa.delete(ListingStat).where(ListingStat.listing_id == listing.id))
    db.session.delete(listing)
    db.session.flush()


def expire_listings(work: Work, today: date) -> list[str]:
    """Mark published and pending listings whose availability ended before ``today`` expired;
    return their slugs. Pages and matching already hide them by date; this makes it visible to
    their owners and keeps the status honest."""
    ended = db.session.scalars(
        sa.select(Listing)
        .where(Listing.status.in_(("published", "pending")), Listing.available_to < today)
        .order_by(Listing.id)
    ).all()
    for listing in ended:
        _move(work, listing, "expired", None)
    return [listing.slug for listing in ended]


def pending_listings() -> list[Listing]:
    """What waits for review, oldest first."""
    query = sa.select(Listing).where(Listing.status == "pending").order_by(Listing.updated_at)
    return list(db.session.scalars(query))


def count_view(listing_id: int) -> None:
    """One more view of a listing's public page. ``ListingStat`` is private: this moves no cache
    marker and records no history. One UPDATE, so concurrent views are never lost."""
    insert_unless_present(ListingStat, "listing_id", listing_id=listing_id, views=0)
    db.session.execute(
        sa.update(ListingStat)
        .where(ListingStat.listing_id == listing_id)
        .values(views=ListingStat.views + 1)
    )


def new_listing_slug(title: str) -> str:
    """A readable, unguessable slug: the title's first pinyin syllables and a random tail, so a
    draft's address cannot be found by counting."""
    words = re.findall(r"[a-z0-9]+", name_pinyin(title)[0])[:SLUG_WORDS]
    head = "-".join(words)[:60].strip("-") or "listing"
    return f"{head}-{secrets.token_hex(4)}"


# -- helpers ----------------------------------------------------------------------------------


def _require(slug: str) -> Listing:
    return require_record(Listing, slug)


def _editable(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in EDITABLE if name in data}


def _check_rules(producer: Producer, record: Mapping[str, Any], today: date) -> None:
    """The GI name rule on the record as it would be saved (product given by slug)."""
    slug = record.get("product")
    product = (
        db.session.scalar(sa.select(GIProduct).where(GIProduct.slug == slug))
        if isinstance(slug, str) and slug
        else None
    )
    check_gi_name(producer, str(record.get("kind") or ""), product, today)


def _move(
    work: Work, listing: Listing, status: str, expected_version: int | None, *, reason: str = ""
) -> Listing:
    """Change the status through the record write (history, version), and the reason beside it."""
    before_reason = listing.status_reason
    listing = change_fields(
        work, "listings", listing.slug, save_listing, expected_version, status=status
    )
    listing.status_reason = reason
    if reason != before_reason:
        work.history.record(
            "listings",
            listing.slug,
            listing.id,
            "update",
            {"status_reason": [before_reason, reason]},
        )
    return listing


def _publish(work: Work, listing: Listing, expected_version: int | None) -> Listing:
    listing = _move(work, listing, "published", expected_version)
    listing.published_at = now_utc()
    return listing


__all__ = [
    "approve_listing",
    "close_listing",
    "count_view",
    "create_listing",
    "delete_listing",
    "expire_listings",
    "new_listing_slug",
    "pending_listings",
    "reject_listing",
    "save_listing",
    "set_listing_status",
    "submit_listing",
    "update_listing",
    "window_ended",
    "write_listings",
]
