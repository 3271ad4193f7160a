"""Misuse reports (侵权投诉举报): filed by anyone, handled by staff, followed by a tracking code.

The public form calls ``submit_report``; staff call ``add_note``, ``link_report`` and
``change_status``. Each runs inside the caller's unit of work and is in the history (kind
``reports``), with the staff user who made it. The reporter's name and contact, the evidence photos
and the notes are for staff: nothing here hands them to a public page (``public_view`` is what the
status page may show).

The tracking code, the contact check, the client hash and the rate limit's lock are the guidance
form's (``services.stations``): one implementation of each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from gi_registry import vocab
from gi_registry.credit_code import normalize_credit_code
from gi_registry.extensions import db
from gi_registry.models import GIProduct, MisuseReport, Producer, ReportNote, now_utc
from gi_registry.models.visibility import product_is_public
from gi_registry.services import fields as f
from gi_registry.services.errors import NotFoundError, ValidationError
from gi_registry.services.fields import Field, FieldError
from gi_registry.services.media import MediaError, store_private_image
from gi_registry.services.stations import (
    TooManyRequests,
    contact,
    new_tracking_code,
    normalise_code,
    parse_fields,
    recent_rows,
)
from gi_registry.services.unit import Work, take_write_lock
from gi_registry.services.writer import check_version

__all__ = [
    "TooManyRequests",
    "add_note",
    "change_status",
    "find_report",
    "link_report",
    "submit_report",
]

LABELS = {
    "product": "产品",
    "seller": "销售者或店铺",
    "location": "发现地点",
    "description": "情况描述",
    "evidence": "证据照片",
    "reporter_name": "姓名",
    "reporter_contact": "联系方式",
    "public_answer": "公开答复",
    "note": "内部备注",
    "status": "状态",
    "producer": "经营主体",
}
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
ANSWER_MAX = 5000
NOTE_MAX = 5000
EVIDENCE_MAX = 6
EVIDENCE_FOLDER = "reports"

# received → investigating → resolved or dismissed. A report that is plainly not about the GI mark
# (spam, a price complaint) may be dismissed without an investigation. Closed reports stay closed:
# a new finding is a new report.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("investigating", "dismissed"),
    "investigating": ("resolved", "dismissed"),
    "resolved": (),
    "dismissed": (),
}
OPEN_STATUSES = ("received", "investigating")


def description(value: Any) -> str:
    value = f.text(DESCRIPTION_MAX, multiline=True, allow_empty=False)(value)
    if len(value) < DESCRIPTION_MIN:
        raise FieldError(f"请至少写 {DESCRIPTION_MIN} 个字，说明您看到的情况")
    return value


def optional_contact(value: Any) -> str:
    return contact(value) if (value or "").strip() else ""


REPORT_FIELDS = [
    Field("product", f.text(200, allow_empty=False), required=True),
    Field("seller", f.text(300, allow_empty=False), required=True),
    Field("location", f.text(500, allow_empty=False), required=True),
    Field("description", description, required=True),
    Field("reporter_name", f.text(100)),
    Field("reporter_contact", optional_contact),
]


# -- the public form ---------------------------------------------------------------------------


def find_product(text: str) -> GIProduct | None:
    """The public GI product a reporter named: by slug (a link from the verification page) or by
    its Chinese or English name (picked from the form's list). Anything else stays free text."""
    wanted = (text or "").strip()
    if not wanted:
        return None
    named = sa.or_(
        GIProduct.slug == wanted, GIProduct.name_zh == wanted, GIProduct.name_en == wanted
    )
    return db.session.scalars(select(GIProduct).where(named, product_is_public())).first()


def store_evidence(photos: Sequence[bytes]) -> list[str]:
    """Every photo verified and re-encoded (metadata such as GPS positions dropped) into the private
    folder; the first refused one names its place in the list."""
    photos = [photo for photo in photos if photo]
    if len(photos) > EVIDENCE_MAX:
        raise ValidationError({"evidence": f"{LABELS['evidence']}：最多上传 {EVIDENCE_MAX} 张照片"})
    stored = []
    for number, photo in enumerate(photos, start=1):
        try:
            path = store_private_image(photo, field=LABELS["evidence"], folder=EVIDENCE_FOLDER)
        except MediaError as error:
            message = f"{LABELS['evidence']}：第 {number} 张照片：{error.message}"
            raise ValidationError({"evidence": message}) from None
        if path not in stored:  # the same photo twice is kept once
            stored.append(path)
    return stored


RATE_LOCK = "report-rate"
RATE_LOCK_TIMEOUT = 10.0
RATE_BUSY = "举报提交繁忙，请稍后重试。"


def check_rate(client: str, limit: int, window: timedelta) -> None:
    """Refuse a client that filed ``limit`` reports within ``window``. Counted in the database after
    the lock, so every worker process sees the same count and two at once cannot both slip under."""
    take_write_lock(RATE_LOCK, client or "report", timeout=RATE_LOCK_TIMEOUT, busy=RATE_BUSY)
    if client and recent_rows(MisuseReport, client, window) >= limit:
        minutes = max(1, int(window.total_seconds() // 60))
        raise TooManyRequests(
            f"您在 {minutes} 分钟内已提交 {limit} 次举报，请稍后再试；"
            "紧急情况请拨打 12315 或 12330。"
        )


def submit_report(
    work: Work,
    data: Mapping[str, Any],
    evidence: Sequence[bytes] = (),
    *,
    client: str = "",
    limit: int | None = None,
    window: timedelta = timedelta(hours=1),
) -> MisuseReport:
    """A report from the public; returns it with its tracking code. Every field's problem at once
    (``ValidationError``); photos are stored only once the text is right."""
    record, errors = parse_fields(REPORT_FIELDS, data, LABELS)
    if errors:
        raise ValidationError(errors)
    if limit is not None:
        check_rate(client, limit, window)
    paths = store_evidence(evidence)
    report = MisuseReport(
        tracking_code=unused_code(),
        product_text=record["product"],
        product=find_product(record["product"]),
        seller=record["seller"],
        location=record["location"],
        description=record["description"],
        evidence=paths,
        reporter_name=record.get("reporter_name", ""),
        reporter_contact=record.get("reporter_contact", ""),
        status="received",
        public_answer="",
        client_hash=client,
    )
    db.session.add(report)
    work.history.track("reports", report, is_new=True)
    db.session.flush()
    return report


def unused_code() -> str:
    while True:  # a repeat is about one in 10^17; checking costs one indexed query
        code = new_tracking_code()
        if find_report(code) is None:
            return code


def find_report(code: str) -> MisuseReport | None:
    normal = normalise_code(code)
    if normal is None:
        return None
    return db.session.scalar(select(MisuseReport).where(MisuseReport.tracking_code == normal))


def require_report(code: str) -> MisuseReport:
    report = find_report(code)
    if report is None:
        raise NotFoundError(f"找不到举报编号 {code}")
    return report


def public_view(report: MisuseReport) -> dict[str, Any]:
    """What the reporter's status page may show: never the contact, the photos or the notes."""
    return {
        "code": report.tracking_code,
        "product_text": report.product_text,
        "seller": report.seller,
        "status": report.status,
        "created_at": report.created_at,
        "answered_at": report.answered_at,
        "answer": report.public_answer,
    }


# -- staff ---------------------------------------------------------------------------------------


def add_note(work: Work, code: str, text: Any) -> ReportNote:
    report = require_report(code)
    try:
        body = f.text(NOTE_MAX, multiline=True, allow_empty=False)(text)
    except FieldError as error:
        raise ValidationError({"note": f"{LABELS['note']}：{error}"}) from None
    note = ReportNote(author=work.actor, author_id=work.history.user_id, body=body)
    report.notes.append(note)
    db.session.flush()
    # Notes are not part of the report's snapshot (they only grow), so each gets its own entry.
    work.history.record(
        "reports", report.tracking_code, report.id, "update", {"note": [None, body]}
    )
    return note


def change_status(
    work: Work, code: str, status: str, answer: Any, *, expected_version: int | None = None
) -> MisuseReport:
    """Move a report one step on (``TRANSITIONS``), with the answer its reporter will read."""
    report = require_report(code)
    check_version(report, expected_version)
    if status not in vocab.REPORT_STATUSES:
        raise ValidationError({"status": f"{LABELS['status']}：未知的状态 {status}"})
    if status not in TRANSITIONS[report.status]:
        raise ValidationError(
            {
                "status": f"不能从“{vocab.REPORT_STATUSES[report.status]}”"
                f"改为“{vocab.REPORT_STATUSES[status]}”"
            }
        )
    try:
        text = f.text(ANSWER_MAX, multiline=True, allow_empty=False)(answer)
    except FieldError as error:
        raise ValidationError({"public_answer": f"{LABELS['public_answer']}：{error}"}) from None
    work.history.track("reports", report, is_new=False)
    report.status = status
    report.public_answer = text
    report.answered_at = now_utc()
    db.session.flush()
    return report


def link_report(
    work: Work,
    code: str,
    *,
    product: str = "",
    producer: str = "",
    expected_version: int | None = None,
) -> MisuseReport:
    """Tie a report to the registry's GI product and producer (by slug; empty unlinks). Staff see
    any producer, public or not: a suspended one is exactly whom a report may be about."""
    report = require_report(code)
    check_version(report, expected_version)
    errors: dict[str, str] = {}
    found_product = found_producer = None
    if product.strip():
        found_product = db.session.scalar(
            select(GIProduct).where(GIProduct.slug == product.strip())
        )
        if found_product is None:
            errors["product"] = f"{LABELS['product']}：找不到 {product.strip()}"
    if producer.strip():
        found_producer = find_producer(producer)
        if found_producer is None:
            errors["producer"] = f"{LABELS['producer']}：找不到 {producer.strip()}"
    if errors:
        raise ValidationError(errors)
    work.history.track("reports", report, is_new=False)
    report.product = found_product
    report.producer = found_producer
    db.session.flush()
    return report


def find_producer(text: str) -> Producer | None:
    """A producer by slug or by 统一社会信用代码, as staff paste either."""
    wanted = text.strip()
    query = select(Producer).where(
        sa.or_(Producer.slug == wanted, Producer.credit_code == normalize_credit_code(wanted))
    )
    return db.session.scalars(query).first()


CREDIT_CODE_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def suggested_producer(report: MisuseReport) -> Producer | None:
    """The producer whose credit code the reporter wrote in the seller field, if the registry
    holds it: a suggestion for staff, never linked without them."""
    match = CREDIT_CODE_RE.search(normalize_credit_code(report.seller))
    if match is None:
        return None
    return db.session.scalar(select(Producer).where(Producer.credit_code == match.group(0)))


def list_reports(status: str | None = None) -> list[MisuseReport]:
    """Reports for the staff list, oldest first (the one waiting longest is handled first)."""
    query = select(MisuseReport).order_by(MisuseReport.created_at, MisuseReport.id)
    if status:
        query = query.where(MisuseReport.status == status)
    return list(db.session.scalars(query))


def count_by_status() -> dict[str, int]:
    """How many reports are in each status (every status present, zero included)."""
    query = select(MisuseReport.status, sa.func.count()).group_by(MisuseReport.status)
    counts = dict.fromkeys(vocab.REPORT_STATUSES, 0)
    counts.update({status: n for status, n in db.session.execute(query)})
    return counts
