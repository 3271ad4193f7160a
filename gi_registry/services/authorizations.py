"""Authorisations to use the GI special mark (专用标志使用核准): grant, renew, suspend, revoke,
and renew the token of the QR labels printed on packs.

One row per (producer, product): a renewal updates the validity rather than adding a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import Authorization, GIProduct, Producer
from gi_registry.models.producers import new_verify_token
from gi_registry.services.batches import scalars_in
from gi_registry.services.errors import NotFoundError
from gi_registry.services.records import require_record
from gi_registry.services.snapshots import authorization_record
from gi_registry.services.unit import Work
from gi_registry.services.validation import validate_one
from gi_registry.services.writer import RecordWriter, check_version, writer_for


def save_authorization(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> Authorization:
    """Grant or update the authorisation of ``data["producer"]`` for ``data["product"]``."""
    records = validate_one("authorizations", data).records["authorizations"]
    return write_authorizations(writer_for(work), records, expected_version)[0]


def write_authorizations(
    writer: RecordWriter, records: list[dict], expected_version: int | None = None
) -> list[Authorization]:
    if not records:
        return []
    writer.prefetch("producers", Producer, [r["producer"] for r in records])
    writer.prefetch("products", GIProduct, [r["product"] for r in records])
    pairs = [
        (
            writer.get("producers", Producer, r["producer"]),
            writer.get("products", GIProduct, r["product"]),
        )
        for r in records
    ]
    db.session.flush()  # new producers and products need their ids before the lookup below
    existing = existing_authorizations({producer.id for producer, _ in pairs})
    written = []
    for record, (producer, product) in zip(records, pairs, strict=True):
        auth = existing.get((producer.id, product.id))
        check_version(auth, expected_version)
        auth = writer.assign(
            "authorizations", Authorization, auth, record, producer=producer, product=product
        )
        written.append(auth)
        writer.progress(1)
    return written


def existing_authorizations(producer_ids: set[int]) -> dict[tuple[int, int], Authorization]:
    rows = scalars_in(select(Authorization), Authorization.producer_id, producer_ids)
    return {(a.producer_id, a.product_id): a for a in rows}


def find_authorization(producer_slug: str, product_slug: str) -> Authorization | None:
    return db.session.scalar(
        select(Authorization)
        .join(Authorization.producer)
        .join(Authorization.product)
        .where(Producer.slug == producer_slug, GIProduct.slug == product_slug)
    )


def set_authorization_status(
    work: Work,
    producer_slug: str,
    product_slug: str,
    status: str,
    *,
    expected_version: int | None = None,
) -> Authorization:
    """Suspend, revoke, reinstate or expire an authorisation; the public check follows at once."""
    require_record(Producer, producer_slug)
    auth = find_authorization(producer_slug, product_slug)
    if auth is None:
        raise NotFoundError(f"经营主体 {producer_slug} 没有产品 {product_slug} 的专用标志使用授权")
    record = authorization_record(auth) | {"status": status}
    return save_authorization(work, record, expected_version=expected_version)


def rotate_verify_token(
    work: Work, authorization_id: int, *, expected_version: int | None = None
) -> Authorization:
    """Give the authorisation a new QR token: every label printed with the old one answers "unknown".

    For labels that leaked or were copied. The token is not part of the record's snapshot (the
    interchange format does not carry it), so the entry is written here; it keeps both values, so
    staff can tell which labels a reported pack came from, and a restore never brings one back.
    """
    auth = db.session.get(Authorization, authorization_id)
    if auth is None:
        raise NotFoundError(f"没有编号（id）为 {authorization_id} 的专用标志使用授权")
    check_version(auth, expected_version)
    old = auth.verify_token
    auth.verify_token = new_verify_token()
    db.session.flush()  # bumps the row version: a form that showed the old one now conflicts
    key = f"{auth.producer.slug}/{auth.product.slug}"
    work.history.record(
        "authorizations", key, auth.id, "update", {"verify_token": [old, auth.verify_token]}
    )
    return auth
