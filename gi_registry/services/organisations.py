"""Producer organisations in the portal (经营主体): created by a user, verified by staff.

A signed-in user without an organisation creates one and becomes its owner; it starts ``pending``
and unverified. Staff verify it (``active``, verified), reject it back with a reason its members
see (it stays ``pending``), or suspend it (its listings leave the public pages). The public fields
are written through ``save_producer``, so validation, history and search see an ordinary producer
write; the private ones (contacts, the business licence, the staff's reason) never enter the
producer's snapshot, which the export and the API share, and get their own history entries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.media import MediaError
from gi_registry.models import Producer, Region, User
from gi_registry.naming import name_pinyin
from gi_registry.services import fields as f
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.fields import Field, FieldError
from gi_registry.services.history import SNAPSHOTS
from gi_registry.services.media import store_private_image
from gi_registry.services.producers import save_producer
from gi_registry.services.schema import PRODUCER_FIELDS
from gi_registry.services.stations import EMAIL_RE, LANDLINE_RE, MOBILE_RE, parse_fields
from gi_registry.services.unit import Work, take_write_lock

LABELS = {
    "name_zh": "名称",
    "credit_code": "统一社会信用代码",
    "kind": "主体类型",
    "region_code": "所在地区",
    "address": "地址",
    "phone": "公开电话",
    "website": "网站",
    "description": "简介",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "contact_email": "联系邮箱",
    "licence": "营业执照",
    "reason": "原因",
}
# The producer's own field rules (services/schema.py), less what only staff and the import set.
PUBLIC_FIELDS = [spec for spec in PRODUCER_FIELDS if spec.name in LABELS]


def phone_number(value: Any) -> str:
    """A mainland mobile number or a landline with its area code, as the centre will dial it."""
    value = f.text(64, allow_empty=False)(value)
    compact = re.sub(r"[\s()（）]", "", value)
    if MOBILE_RE.fullmatch(compact) or LANDLINE_RE.fullmatch(compact):
        return compact
    raise FieldError("请填写手机号或带区号的固定电话")


def email_address(value: Any) -> str:
    value = f.text(254)(value)
    if value and not EMAIL_RE.fullmatch(value):
        raise FieldError("电子邮箱地址格式不正确")
    return value


PRIVATE_FIELDS = [
    Field("contact_name", f.text(64, allow_empty=False), required=True),
    Field("contact_phone", phone_number, required=True),
    Field("contact_email", email_address),
]
# A change to any of these means staff must look again: the organisation is another one, or claims
# to be. Contacts, address and description change without a new check.
REVERIFY_FIELDS = ("name_zh", "credit_code")
LICENCE_FOLDER = "licences"
REASON_MAX = 500  # Producer.status_reason
CREATE_LOCK = "organisations"
SLUG_BASE_MAX = 60


class OrganisationError(ServiceError):
    """A refused organisation change, as a sentence for the person (not tied to one field)."""


def create_organisation(
    work: Work, user: User, data: Mapping[str, Any], licence: bytes | None
) -> Producer:
    """A new organisation owned by ``user``: pending and unverified, with its business licence kept
    in the private folder. Every field's problem at once, as ``ValidationError``."""
    if user.producer_id is not None:
        raise OrganisationError("您已属于一个经营主体，不能再创建新的经营主体。")
    # One creation at a time: the credit code and slug checks below then hold until the commit.
    take_write_lock(CREATE_LOCK, work.actor)
    record, private, errors = parse_organisation(data)
    if not licence:
        errors["licence"] = f"{LABELS['licence']}：请上传营业执照照片或扫描件"
    check_region(record, errors)
    check_credit_code(record, None, errors)
    if errors:
        raise ValidationError(errors)
    licence_file = store_licence(licence)
    record |= {
        "slug": new_slug(record["name_zh"]),
        "verified": False,
        "sample": False,
        "status": "pending",
    }
    producer = save_producer(work, record)
    write_private(work, producer, {**private, "licence_file": licence_file}, is_new=True)
    join(work, user, producer, "owner")
    return producer


def update_organisation(
    work: Work,
    producer: Producer,
    data: Mapping[str, Any],
    licence: bytes | None = None,
    *,
    expected_version: int | None = None,
) -> Producer:
    """Change the editable fields. A changed name or credit code, or a new licence, returns an active
    organisation to ``pending`` and unverified; members' edits also clear a rejection's reason."""
    record, private, errors = parse_organisation(data)
    if record.get("credit_code", producer.credit_code) != producer.credit_code:
        # As on creation: the uniqueness check holds until the commit.
        take_write_lock(CREATE_LOCK, work.actor)
    check_region(record, errors)
    check_credit_code(record, producer, errors)
    if errors:
        raise ValidationError(errors)
    if licence:
        private["licence_file"] = store_licence(licence)
    current = SNAPSHOTS["producers"](producer)
    changed = any(record.get(name, current[name]) != current[name] for name in REVERIFY_FIELDS) or (
        "licence_file" in private and private["licence_file"] != producer.licence_file
    )
    record = current | record
    if changed and producer.status == "active":
        record |= {"status": "pending", "verified": False}
    elif changed and producer.status == "pending":
        record["verified"] = False
    producer = save_producer(work, record, expected_version=expected_version)
    if producer.status == "pending":
        private["status_reason"] = ""
    write_private(work, producer, private, is_new=False)
    return producer


def save_registry_producer(
    work: Work, producer: Producer | None, data: Mapping[str, Any], *, expected_version=None
) -> Producer:
    """Staff write a producer's public registry fields: an organisation's, or a new producer known
    from a public source that has no portal account (created ``active``). Unlike a member's edit,
    status and verification stay as staff set them; the private fields are not touched."""
    required = {spec.name for spec in PUBLIC_FIELDS if spec.required}
    data = {k: v for k, v in data.items() if not (k in required and v in ("", None))}
    record, errors = parse_fields(PUBLIC_FIELDS, data, LABELS)
    if "credit_code" in errors:  # the credit-code rules already say which field they are about
        errors["credit_code"] = errors["credit_code"].removeprefix(f"{LABELS['credit_code']}：")
    check_region(record, errors)
    code = record.get("credit_code")
    if code is not None and (producer is None or code != producer.credit_code):
        take_write_lock(CREATE_LOCK, work.actor)  # the uniqueness check holds until the commit
        owner = db.session.scalar(select(Producer.slug).where(Producer.credit_code == code))
        if owner is not None:
            errors["credit_code"] = f"{LABELS['credit_code']}：已登记为经营主体 {owner}"
    if errors:
        raise ValidationError(errors)
    record["verified"] = bool(data.get("verified"))
    if producer is None:
        record |= {"slug": new_slug(record["name_zh"]), "sample": False, "status": "active"}
    else:
        record = SNAPSHOTS["producers"](producer) | record
    return save_producer(work, record, expected_version=expected_version)


def parse_organisation(data: Mapping[str, Any]) -> tuple[dict, dict, dict[str, str]]:
    """The public record, the private fields, and every error, each message naming its field."""
    # An empty required field is "不能为空", not "'' is not a valid choice".
    required = {spec.name for spec in (*PUBLIC_FIELDS, *PRIVATE_FIELDS) if spec.required}
    data = {
        name: "" if value is None and name not in required else value
        for name, value in data.items()
        if not (name in required and value in ("", None))
    }
    record, errors = parse_fields(PUBLIC_FIELDS, data, LABELS)
    private, private_errors = parse_fields(PRIVATE_FIELDS, data, LABELS)
    errors |= private_errors
    if "credit_code" in errors:
        # The credit-code rules already say which field they are about.
        errors["credit_code"] = errors["credit_code"].removeprefix(f"{LABELS['credit_code']}：")
    return record, private, errors


def check_region(record: dict, errors: dict[str, str]) -> None:
    """An organisation is registered in a county-level division (县、县级市、区)."""
    code = record.get("region_code")
    if code is None:
        return
    region = db.session.get(Region, code)
    if region is None:
        errors["region_code"] = f"{LABELS['region_code']}：未知的行政区划代码 {code}"
    elif region.level != "county":
        errors["region_code"] = f"{LABELS['region_code']}：请选择县级行政区（县、县级市或区）"


def check_credit_code(record: dict, producer: Producer | None, errors: dict[str, str]) -> None:
    """One organisation per credit code. The message names no other organisation: a pending one is
    nobody else's business."""
    code = record.get("credit_code")
    if code is None:
        return
    owner = db.session.scalar(select(Producer.id).where(Producer.credit_code == code))
    if owner is not None and (producer is None or owner != producer.id):
        errors["credit_code"] = (
            "该统一社会信用代码已登记。如您属于该经营主体，请联系其负责人邀请您加入。"
        )


def store_licence(data: bytes) -> str:
    try:
        return store_private_image(data, field=LABELS["licence"], folder=LICENCE_FOLDER)
    except MediaError as error:
        raise ValidationError({"licence": f"{error.field}：{error.message}"}) from None


def new_slug(name: str, model: type = Producer, fallback: str = "org") -> str:
    """``meihekou-hefengyuan-daomi-zhuanye-hezuoshe``: the name's pinyin, cut at a syllable, with
    ``-2``, ``-3``… when taken among ``model``'s slugs. Permanent: a later change of name keeps the
    address."""
    syllables, _ = name_pinyin(name)
    base = ""
    for syllable in syllables.split():
        if len(base) + len(syllable) + 1 > SLUG_BASE_MAX:
            break
        base = f"{base}-{syllable}" if base else syllable
    base = base if len(base) >= 2 else fallback
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def write_private(work: Work, producer: Producer, values: dict[str, Any], *, is_new: bool) -> None:
    """Set the private fields and record what changed, under the producer's own history."""
    changes = {}
    for name, value in values.items():
        before = None if is_new else getattr(producer, name)
        if before != value:
            changes[name] = [before, value]
        setattr(producer, name, value)
    if changes:
        action = "create" if is_new else "update"
        work.history.record("producers", producer.slug, producer.id, action, changes)


def join(work: Work, user: User, producer: Producer, role: str) -> None:
    before = {"producer": user.producer.slug if user.producer else None, "member_role": None}
    user.producer = producer
    user.member_role = role
    changes = {
        "producer": [before["producer"], producer.slug],
        "member_role": [before["member_role"], role],
    }
    db.session.flush()
    work.history.record("users", user.email, user.id, "update", changes)


# -- staff decisions ---------------------------------------------------------------------------

# What each decision may follow. A rejected organisation stays pending with the reason shown to its
# members; it can be verified once they have corrected it.
TRANSITIONS = {
    "verify": ("pending", "suspended"),
    "reject": ("pending",),
    "suspend": ("active",),
}
DECISION_LABELS = {"verify": "核准", "reject": "退回", "suspend": "暂停"}


def decide(work: Work, slug: str, decision: str, reason: str = "") -> Producer:
    """Staff verify, reject or suspend an organisation; an illegal step raises ``OrganisationError``."""
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
    if producer is None:
        raise OrganisationError(f"找不到经营主体 {slug}")
    if producer.status not in TRANSITIONS[decision]:
        status = vocab.PRODUCER_STATUSES[producer.status]
        raise OrganisationError(
            f"经营主体 {slug} 当前状态为“{status}”，不能{DECISION_LABELS[decision]}。"
        )
    reason = " ".join(reason.split())
    if decision != "verify" and not reason:
        raise OrganisationError(f"{DECISION_LABELS[decision]}时请写明原因（--reason）。")
    if len(reason) > REASON_MAX:
        raise OrganisationError(f"原因最多 {REASON_MAX} 字（现有 {len(reason)} 字）。")
    record = SNAPSHOTS["producers"](producer)
    if decision == "verify":
        record |= {"status": "active", "verified": True}
    elif decision == "suspend":
        record |= {"status": "suspended"}
    producer = save_producer(work, record, expected_version=producer.version)
    write_private(work, producer, {"status_reason": reason}, is_new=False)
    return producer


def list_organisations(pending_only: bool = False) -> list[Producer]:
    """Organisations with members (those made in the portal, and imported ones someone joined),
    oldest first; ``pending_only``: those awaiting a decision."""
    query = select(Producer).where(Producer.id.in_(select(User.producer_id))).order_by(Producer.id)
    if pending_only:
        query = query.where(Producer.status == "pending")
    return list(db.session.scalars(query))
