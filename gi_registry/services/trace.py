"""Batch trace codes (溯源): creating a batch, recalling one, and counting its scans.

A batch may only be created for a GI product the producer holds an authorisation for that is valid
today (``Authorization.is_valid_on`` in the registry's time zone): the code on a pack must not lend
the GI's name to a producer who may not use it. Scans are counted in ``TraceScan`` (private: a scan
must not move the cache marker), by an atomic ``count = count + 1`` so that two phones scanning at
the same moment never lose one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, GIProduct, Producer, TraceBatch, TraceScan, now_utc
from gi_registry.models.visibility import authorization_valid_on, product_is_public
from gi_registry.services.errors import NotFoundError, ValidationError
from gi_registry.services.unit import Work
from gi_registry.services.upsert import insert_unless_present


def N_(message: str) -> str:
    """Marks a message for the catalogue; pages translate it with ``i18n.messages``."""
    return message


# GS1 AI (10) batch/lot: at most 20 characters of the GS1 "AI encodable character set 82".
BATCH_CODE_MAX = 20
GS1_CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
GTIN_LENGTHS = (8, 12, 13, 14)
UNIT_MAX = 16
NOTES_MAX = 2000
REASON_MAX = 500
# Numeric(14, 3): eleven digits before the point.
QUANTITY_MAX = Decimal("99999999999.999")

NEED_PRODUCT = N_("请选择地理标志产品")
UNKNOWN_PRODUCT = N_("找不到该地理标志产品")
NO_AUTHORIZATION = N_("本主体没有“%(product)s”的地理标志专用标志使用授权，不能为它创建批次")
AUTHORIZATION_NOT_VALID = N_(
    "本主体“%(product)s”的专用标志使用授权今天不可使用（%(problem)s），不能为它创建批次"
)
PRODUCER_NOT_ACTIVE = N_("本主体尚未通过审核或已暂停，不能创建批次")
NEED_BATCH_CODE = N_("请填写批次号")
BATCH_CODE_TOO_LONG = N_("批次号最长20个字符（GS1 批号规则）")
BATCH_CODE_CHARS = N_(
    "批次号只能使用英文字母、数字和 GS1 允许的符号（如 - . / _），不能有空格或汉字"
)
BATCH_CODE_TAKEN = N_("本主体已有相同批次号的批次")
BATCH_CODE_GTIN_TAKEN = N_("这个 GTIN 下已有相同批次号的批次")
BAD_QUANTITY = N_("数量应为不超过 3 位小数的正数")
NEED_UNIT = N_("填写数量时请同时填写单位")
UNIT_TOO_LONG = N_("单位最长16个字符")
NEED_DATE = N_("请填写生产或采收日期")
BAD_DATE = N_("日期格式应为 年-月-日，例如 2026-09-30")
FUTURE_DATE = N_("生产或采收日期不能晚于今天")
NOTES_TOO_LONG = N_("备注最长2000个字")
BAD_GTIN = N_("GTIN 应为 8、12、13 或 14 位数字")
GTIN_CHECK_DIGIT = N_("GTIN 校验位不正确，请核对条码下方的数字")
NEED_REASON = N_("请填写召回原因")
REASON_TOO_LONG = N_("召回原因最长500个字")
ALREADY_RECALLED = N_("该批次已经召回")
BATCH_NOT_FOUND = N_("找不到该批次")

# An authorisation's state as the refusal names it (catalog.queries.mark_status's words).
STATE_WORDS = {
    "expired": N_("已过期"),
    "suspended": N_("已暂停"),
    "revoked": N_("已撤销"),
    "not_yet": N_("尚未生效"),
}

# Every message above, for the pages' translation (i18n.messages): most specific first.
MESSAGES = (
    NO_AUTHORIZATION,
    AUTHORIZATION_NOT_VALID,
    *STATE_WORDS.values(),
    NEED_PRODUCT,
    UNKNOWN_PRODUCT,
    PRODUCER_NOT_ACTIVE,
    NEED_BATCH_CODE,
    BATCH_CODE_TOO_LONG,
    BATCH_CODE_CHARS,
    BATCH_CODE_TAKEN,
    BATCH_CODE_GTIN_TAKEN,
    BAD_QUANTITY,
    NEED_UNIT,
    UNIT_TOO_LONG,
    NEED_DATE,
    BAD_DATE,
    FUTURE_DATE,
    NOTES_TOO_LONG,
    BAD_GTIN,
    GTIN_CHECK_DIGIT,
    NEED_REASON,
    REASON_TOO_LONG,
    ALREADY_RECALLED,
    BATCH_NOT_FOUND,
)


# --- field rules -----------------------------------------------------------------------------------


def clean_batch_code(raw: str | None) -> str:
    """The lot number as printed: full-width forms typed by a Chinese IME become ASCII (NFKC)."""
    code = unicodedata.normalize("NFKC", (raw or "")[:200]).strip()
    if not code:
        raise ValueError(NEED_BATCH_CODE)
    if len(code) > BATCH_CODE_MAX:
        raise ValueError(BATCH_CODE_TOO_LONG)
    if not set(code) <= GS1_CHARSET_82:
        raise ValueError(BATCH_CODE_CHARS)
    return code


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10: weights 3 and 1 alternate from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_gtin(raw: str | None) -> str | None:
    """A GTIN-8/12/13/14 as GTIN-14 (left-padded with zeros), None when blank; ValueError if wrong."""
    digits = unicodedata.normalize("NFKC", raw or "").replace(" ", "").replace("-", "")
    if not digits:
        return None
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in GTIN_LENGTHS:
        raise ValueError(BAD_GTIN)
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise ValueError(GTIN_CHECK_DIGIT)
    return digits.zfill(14)


def clean_quantity(raw: Any) -> Decimal | None:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(BAD_QUANTITY) from None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or value <= 0 or value > QUANTITY_MAX or exponent < -3:  # type: ignore[operator]
        raise ValueError(BAD_QUANTITY)
    return value


def clean_date(raw: Any, today: date) -> date:
    if isinstance(raw, date):
        day = raw
    else:
        text = unicodedata.normalize("NFKC", str(raw or "")).strip()
        if not text:
            raise ValueError(NEED_DATE)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(BAD_DATE) from None
    if day > today:
        raise ValueError(FUTURE_DATE)
    return day


def clean_text(raw: Any, limit: int, too_long: str) -> str:
    text = str(raw or "").strip()
    if len(text) > limit:
        raise ValueError(too_long)
    return text


# --- authorisations --------------------------------------------------------------------------------


def authorised_products(producer: Producer, day: date | None = None) -> list[Authorization]:
    """The producer's authorisations valid on ``day`` (today) for public products, by product name."""
    query = (
        sa.select(Authorization)
        .join(Authorization.product)
        .where(
            Authorization.producer_id == producer.id,
            authorization_valid_on(day or local_today()),
            product_is_public(),
        )
        .order_by(GIProduct.name_pinyin, GIProduct.id)
    )
    return list(db.session.scalars(query))


def authorization_for(producer: Producer, product: GIProduct, day: date) -> Authorization:
    """The authorisation that lets ``producer`` create a batch of ``product``, or ValidationError
    naming the product and what is lacking."""
    found = list(
        db.session.scalars(
            sa.select(Authorization).where(
                Authorization.producer_id == producer.id, Authorization.product_id == product.id
            )
        )
    )
    valid = [auth for auth in found if auth.is_valid_on(day)]
    if valid:
        return valid[0]
    if not found:
        raise ValidationError({"product": NO_AUTHORIZATION % {"product": product.name_zh}})
    state = mark_state(found[0], day)
    raise ValidationError(
        {
            "product": AUTHORIZATION_NOT_VALID
            % {"product": product.name_zh, "problem": STATE_WORDS[state]}
        }
    )


def mark_state(auth: Authorization, day: date) -> str:
    """'valid', or why not (the same reasons as catalog.queries.mark_status, below the web layer)."""
    if auth.is_valid_on(day):
        return "valid"
    if auth.status != "active":
        return auth.status if auth.status in STATE_WORDS else "revoked"
    if auth.valid_from and day < auth.valid_from:
        return "not_yet"
    return "expired"


# --- writes ----------------------------------------------------------------------------------------


def create_batch(
    work: Work, producer: Producer, data: Mapping[str, Any], *, today: date | None = None
) -> TraceBatch:
    """Create a batch of ``data['product']`` (a slug) for ``producer``; every field error at once."""
    today = today or local_today()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    rules = {
        "batch_code": clean_batch_code,
        "quantity": clean_quantity,
        "produced_on": lambda raw: clean_date(raw, today),
        "notes": lambda raw: clean_text(raw, NOTES_MAX, NOTES_TOO_LONG),
        "unit": lambda raw: clean_text(raw, UNIT_MAX, UNIT_TOO_LONG),
        "gtin": normalise_gtin,
    }
    for name, rule in rules.items():
        try:
            values[name] = rule(data.get(name))
        except ValueError as error:
            errors[name] = str(error)
    if values.get("quantity") is not None and not values.get("unit"):
        errors.setdefault("unit", NEED_UNIT)
    authorization = None
    try:
        authorization = product_authorization(producer, data.get("product"), today)
    except ValidationError as error:
        errors.update(error.errors)
    if not errors:
        errors.update(taken_codes(producer, values["batch_code"], values["gtin"]))
    if errors:
        raise ValidationError(errors)
    assert authorization is not None
    batch = TraceBatch(
        producer=producer,
        product=authorization.product,
        authorization=authorization,
        created_by_id=work.user.id if work.user else None,
        **values,
    )
    db.session.add(batch)
    try:
        db.session.flush()
    except IntegrityError:  # the same code saved by a colleague a moment ago
        raise ValidationError({"batch_code": BATCH_CODE_TAKEN}) from None
    work.history.record("batches", batch_key(batch), batch.id, "create", batch_record(batch))
    return batch


def product_authorization(producer: Producer, slug: Any, today: date) -> Authorization:
    if producer.status != "active" or producer.archived_at is not None:
        raise ValidationError({"product": PRODUCER_NOT_ACTIVE})
    if not slug:
        raise ValidationError({"product": NEED_PRODUCT})
    product = db.session.scalar(
        sa.select(GIProduct).where(GIProduct.slug == str(slug)[:200], product_is_public())
    )
    if product is None:
        raise ValidationError({"product": UNKNOWN_PRODUCT})
    return authorization_for(producer, product, today)


def taken_codes(producer: Producer, code: str, gtin: str | None) -> dict[str, str]:
    """A batch code is unique per producer, and per GTIN (so /01/…/10/… names one batch)."""
    same = sa.select(TraceBatch.id).where(TraceBatch.batch_code == code)
    if db.session.scalar(same.where(TraceBatch.producer_id == producer.id).limit(1)):
        return {"batch_code": BATCH_CODE_TAKEN}
    if gtin and db.session.scalar(same.where(TraceBatch.gtin == gtin).limit(1)):
        return {"batch_code": BATCH_CODE_GTIN_TAKEN}
    return {}


def recall_batch(work: Work, batch_id: int, reason: str) -> TraceBatch:
    """Mark a batch recalled; its scan page says so with ``reason`` from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": NEED_REASON})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": REASON_TOO_LONG})
    batch = db.session.get(TraceBatch, batch_id)
    if batch is None:
        raise NotFoundError(BATCH_NOT_FOUND)
    if batch.recalled_at is not None:
        raise ValidationError({"reason": ALREADY_RECALLED})
    batch.recalled_at = now_utc()
    batch.recall_reason = reason
    db.session.flush()
    work.history.record(
        "batches", batch_key(batch), batch.id, "update", {"recall_reason": [None, reason]}
    )
    return batch


def batch_key(batch: TraceBatch) -> str:
    return f"{batch.producer.slug}/{batch.batch_code}"


def batch_record(batch: TraceBatch) -> dict[str, list]:
    """A new batch's fields for its history entry, as [before, after]."""
    fields = {
        "product": batch.product.slug,
        "batch_code": batch.batch_code,
        "quantity": str(batch.quantity) if batch.quantity is not None else None,
        "unit": batch.unit,
        "produced_on": batch.produced_on.isoformat() if batch.produced_on else None,
        "notes": batch.notes,
        "gtin": batch.gtin,
        "token": batch.token,
    }
    return {name: [None, value] for name, value in fields.items() if value not in (None, "")}


def record_scan(work: Work, batch_id: int) -> int:
    """Count one scan of a batch's code and return the total, this scan included.

    The row is created if absent (INSERT … ON CONFLICT DO NOTHING) and then incremented in the
    database, not read and written back: two scans at the same moment both count. ``work`` is only
    the transaction this runs in; a scan writes no history.
    """
    moment = now_utc()
    insert_unless_present(TraceScan, "batch_id", batch_id=batch_id, count=0, first_at=moment)
    return db.session.execute(
        sa.update(TraceScan)
        .where(TraceScan.batch_id == batch_id)
        .values(count=TraceScan.count + 1, last_at=moment)
        .returning(TraceScan.count)
    ).scalar_one()


def scan_counts(batch_ids: list[int]) -> dict[int, int]:
    if not batch_ids:
        return {}
    rows = db.session.execute(
        sa.select(TraceScan.batch_id, TraceScan.count).where(TraceScan.batch_id.in_(batch_ids))
    )
    return {batch_id: count for batch_id, count in rows}
