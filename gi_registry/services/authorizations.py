"""Authorisations to use the GI special mark (专用标志使用核准): grant, renew, suspend, revoke,
and renew the token of the QR labels printed on packs.

One row per (producer, product): a renewal updates the validity rather than adding a row.

The staff console grants with ``grant_authorization`` (only to an active, verified organisation,
for a product that is not archived, never over an existing authorisation) and changes one with
``change_authorization``: renew, suspend, revoke or reinstate, each with a reason kept in the
history entry of the change (the table has no column for it; ``latest_reason`` reads it back).
Revoked is final: the office issues a new authorisation rather than reviving one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Authorization, GIProduct, Producer
from gi_registry.models.producers import new_verify_token
from gi_registry.services.batches import scalars_in
from gi_registry.services.errors import NotFoundError, ServiceError, ValidationError
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


# -- the staff console's actions ----------------------------------------------------------------

REASON_MAX = 500
REASON_FIELD = "reason"
# action → the statuses it may start from, and the status it leaves.
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "renew": (frozenset({"active", "expired"}), "active"),
    "suspend": (frozenset({"active"}), "suspended"),
    "reinstate": (frozenset({"suspended"}), "active"),
    "revoke": (frozenset({"active", "suspended", "expired"}), "revoked"),
}
ACTION_LABELS = {"renew": "续期", "suspend": "暂停", "reinstate": "恢复", "revoke": "撤销"}


def actions_for(auth: Authorization) -> list[str]:
    """The actions ``auth``'s status allows, in ``ACTIONS`` order."""
    return [name for name, (starts, _to) in ACTIONS.items() if auth.status in starts]


def may_hold_mark(producer: Producer) -> bool:
    """Only an organisation staff have verified and that is active may be granted the mark."""
    return producer.status == "active" and producer.verified and not producer.is_archived


def grant_authorization(work: Work, data: Mapping[str, Any]) -> Authorization:
    """A new authorisation, active from ``valid_from`` to ``valid_to``, of the producer named by
    slug or 统一社会信用代码; ``number`` only as the office issued it (empty is allowed: the
    register never invents one)."""
    named = (data.get("producer") or "").strip()
    producer = db.session.scalar(
        select(Producer).where((Producer.slug == named) | (Producer.credit_code == named.upper()))
    )
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == data.get("product")))
    errors = {}
    if producer is None:
        errors["producer"] = "经营主体：找不到该经营主体"
    elif not may_hold_mark(producer):
        errors["producer"] = "经营主体：只有已核准且状态正常的经营主体可以获得授权"
    if product is None or product.status == "archived" or product.is_archived:
        errors["product"] = "地理标志产品：找不到该产品或已归档"
    elif producer is not None and find_authorization(producer.slug, product.slug) is not None:
        errors["product"] = "地理标志产品：该经营主体已有此产品的授权，请在授权页面续期或修改"
    if not data.get("valid_to"):
        errors["valid_to"] = "有效期至：请填写有效期的最后一天"
    if errors:
        raise ValidationError(errors)
    record = {
        "producer": producer.slug,
        "product": product.slug,
        "number": (data.get("number") or "").strip() or None,
        "valid_from": data.get("valid_from"),
        "valid_to": data.get("valid_to"),
        "status": "active",
    }
    return save_authorization(work, record)


def change_authorization(
    work: Work,
    producer_slug: str,
    product_slug: str,
    action: str,
    reason: str,
    *,
    valid_to: str | None = None,
    expected_version: int | None = None,
) -> Authorization:
    """Renew (a later ``valid_to``), suspend, reinstate or revoke, with a reason; the public
    verification page and API answer from the new state at once (one commit, the change marker)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({REASON_FIELD: "原因：请写明原因"})
    if len(reason) > REASON_MAX:
        raise ValidationError({REASON_FIELD: f"原因：最多 {REASON_MAX} 字"})
    auth = find_authorization(producer_slug, product_slug)
    if auth is None or action not in ACTIONS:
        raise NotFoundError(f"经营主体 {producer_slug} 没有产品 {product_slug} 的专用标志使用授权")
    check_version(auth, expected_version)
    starts, status = ACTIONS[action]
    if auth.status not in starts:
        raise ServiceError(f"该授权当前的状态下不能{ACTION_LABELS[action]}")
    record = authorization_record(auth) | {"status": status}
    if action == "renew":
        record["valid_to"] = renewed_until(auth, valid_to)
    auth = save_authorization(work, record, expected_version=expected_version)
    work.history.annotate("authorizations", auth.id, {REASON_FIELD: [None, reason]})
    return auth


def renewed_until(auth: Authorization, raw: str | None) -> str:
    """The new last day: a date later than the current one (and than the first day)."""
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        raise ValidationError({"valid_to": "新的有效期至：请填写日期（年-月-日）"}) from None
    if (auth.valid_to and day <= auth.valid_to) or (auth.valid_from and day < auth.valid_from):
        raise ValidationError({"valid_to": "新的有效期至：应晚于当前的有效期至"})
    return day.isoformat()


def latest_reason(auth: Authorization) -> tuple[str, str] | None:
    """(reason, actor) of the latest change that gave one, or None."""
    query = (
        select(AuditEntry.changes, AuditEntry.actor)
        .where(AuditEntry.entity == "authorizations", AuditEntry.entity_id == auth.id)
        .order_by(AuditEntry.id.desc())
    )
    for changes, actor in db.session.execute(query):
        if REASON_FIELD in changes:
            return changes[REASON_FIELD][1], actor
    return None
