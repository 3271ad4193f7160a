"""Trademark-brand guidance stations (商标品牌指导站) and the public's guidance requests to them.

A station is a published record like a brand (history, row versions, archive). A request is written by
the public form and answered or closed by staff; it is found by its tracking code, which is random
(``secrets``), so knowing one code tells nothing about another. The requester's name and contact are
stored for the station only; nothing here returns them to a public page.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import (
    AuditEntry,
    Brand,
    GuidanceRequest,
    GuidanceStation,
    Producer,
    Region,
    User,
    now_utc,
)
from gi_registry.services import fields as f
from gi_registry.services.batches import scalars_in
from gi_registry.services.errors import NotFoundError, ServiceError, ValidationError
from gi_registry.services.fields import Field, FieldError
from gi_registry.services.schema import SOURCE_FIELDS
from gi_registry.services.snapshots import station_record
from gi_registry.services.unit import Work, take_write_lock
from gi_registry.services.writer import check_version

# -- stations -----------------------------------------------------------------------------------

STATION_LABELS = {
    "slug": "标识",
    "name_zh": "名称",
    "name_en": "英文名称",
    "region_code": "所在地区",
    "services": "服务事项",
    "address": "地址",
    "hours": "服务时间",
    "phone": "电话",
    "email": "电子邮箱",
    "description": "简介",
    "brands": "服务的品牌",
    "producers": "服务的经营主体",
    "sources": "信息来源",
    "sample": "示例",
    "status": "状态",
}

EMAIL_RE = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,63}")
# A mainland mobile number, or a landline with its area code (0431-88888888, extension optional).
MOBILE_RE = re.compile(r"(?:\+?86[- ]?)?1[3-9][0-9]{9}")
LANDLINE_RE = re.compile(r"0[0-9]{2,3}[- ]?[0-9]{7,8}(?:[- ]?[0-9]{1,6})?")


def email(value: Any) -> str:
    value = f.text(254)(value)
    if value and not EMAIL_RE.fullmatch(value):
        raise FieldError(f"{value!r} 不是有效的电子邮箱地址")
    return value


STATION_FIELDS = [
    Field("slug", f.slug, required=True),
    Field("name_zh", f.text(200, allow_empty=False), required=True),
    Field("name_en", f.optional_text(300)),
    Field("region_code", f.region_code, required=True),
    Field("services", f.string_list(f.choice(vocab.GUIDANCE_TOPICS)), required=True),
    Field("address", f.text(300)),
    Field("hours", f.text(200)),
    Field("phone", f.text(64)),
    Field("email", email),
    Field("description", f.text(20_000, multiline=True)),
    Field("brands", f.string_list(f.slug, max_items=1000)),
    Field("producers", f.string_list(f.slug, max_items=10_000)),
    Field("sources", f.nested),
    Field("sample", f.boolean),
    Field("status", f.choice(vocab.CONTENT_STATUSES), required=True),
]


def station_defaults() -> dict[str, Any]:
    """What a new station holds for the fields its record leaves out (fresh lists each time)."""
    return {
        "name_en": None,
        "address": "",
        "hours": "",
        "phone": "",
        "email": "",
        "description": "",
        "sources": [],
        "sample": False,
    }


RELATIONS = {"slug", "brands", "producers"}


def parse_fields(
    fields: list[Field], data: Mapping[str, Any], labels: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each field parsed, and every error at once, each message naming its field in Chinese."""
    record: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        if spec.name not in data:
            if spec.required:
                errors[spec.name] = f"{labels[spec.name]}：不能为空"
            continue
        try:
            record[spec.name] = spec.parse(data[spec.name])
        except FieldError as error:
            errors[spec.name] = f"{labels[spec.name]}：{error}"
    return record, errors


def parse_sources(value: Any, errors: dict[str, str]) -> list[dict]:
    if not isinstance(value, list):
        errors["sources"] = f"{STATION_LABELS['sources']}：应为列表"
        return []
    labels = {"url": "网址", "title": "标题", "confidence": "可信度", "note": "说明"}
    parsed = []
    for index, item in enumerate(value):
        source, problems = parse_fields(
            SOURCE_FIELDS, item if isinstance(item, dict) else {}, labels
        )
        for name, message in problems.items():
            errors[f"sources[{index}].{name}"] = (
                f"{STATION_LABELS['sources']}第 {index + 1} 条 {message}"
            )
        parsed.append({k: v for k, v in source.items() if v is not None})
    return parsed


def validate_station(data: Mapping[str, Any]) -> dict[str, Any]:
    record, errors = parse_fields(STATION_FIELDS, data, STATION_LABELS)
    if "sources" in record:
        record["sources"] = parse_sources(record["sources"], errors)
    if "services" in record and not record["services"]:
        errors["services"] = f"{STATION_LABELS['services']}：至少选择一项"
    if "region_code" in record and db.session.get(Region, record["region_code"]) is None:
        errors["region_code"] = (
            f"{STATION_LABELS['region_code']}：未知的行政区划代码 {record['region_code']}"
        )
    for name, model in (("brands", Brand), ("producers", Producer)):
        wanted = set(record.get(name, []))
        found = {o.slug for o in scalars_in(select(model), model.slug, wanted)}
        if wanted - found:
            missing = "、".join(sorted(wanted - found))
            errors[name] = f"{STATION_LABELS[name]}：找不到 {missing}"
    if errors:
        raise ValidationError(errors)
    return record


def find_station(slug: str) -> GuidanceStation | None:
    return db.session.scalar(select(GuidanceStation).where(GuidanceStation.slug == slug))


def save_station(
    work: Work, data: Mapping[str, Any], *, expected_version: int | None = None
) -> GuidanceStation:
    """Create or update a station from a whole record (brands and producers by slug)."""
    record = validate_station(data)
    station = find_station(record["slug"])
    check_version(station, expected_version)
    is_new = station is None
    if is_new:
        station = GuidanceStation(slug=record["slug"], **station_defaults())
        db.session.add(station)
    work.history.track("stations", station, is_new=is_new)
    with db.session.no_autoflush:
        for name, value in record.items():
            if name not in RELATIONS:
                setattr(station, name, value)
        if "brands" in record:
            station.brands = by_slug(Brand, record["brands"])
        if "producers" in record:
            station.producers = by_slug(Producer, record["producers"])
        archived = record["status"] == "archived"
        station.archived_at = (station.archived_at or now_utc()) if archived else None
    db.session.flush()
    return station


def by_slug(model, slugs: list[str]) -> list:
    # Sorted as the relationship loads them, so a snapshot taken now equals one taken after a reload.
    return sorted(scalars_in(select(model), model.slug, slugs), key=lambda o: o.slug)


def archive_station(
    work: Work, slug: str, *, expected_version: int | None = None
) -> GuidanceStation:
    station = find_station(slug)
    if station is None:
        raise NotFoundError(f"找不到商标品牌指导站 {slug}")
    return save_station(
        work, station_record(station) | {"status": "archived"}, expected_version=expected_version
    )


# -- guidance requests --------------------------------------------------------------------------

REQUEST_LABELS = {
    "station": "指导站",
    "topic": "咨询事项",
    "question": "问题描述",
    "requester_name": "姓名",
    "organisation": "单位",
    "contact": "联系方式",
    "answer": "答复",
}
QUESTION_MIN = 10
QUESTION_MAX = 2000
ANSWER_MAX = 20_000

# No 0/O, 1/I/L: a code read aloud over the phone or copied from paper is typed right. 31 symbols
# in 12 places is about 59 bits, far beyond guessing at any rate the form allows.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LEN = 4
CODE_RE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_GROUPS * CODE_GROUP_LEN}}}")


class TooManyRequests(ServiceError):
    """The same client sent more requests than the limit allows in the window."""


def new_tracking_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return format_code(body)


def format_code(body: str) -> str:
    return "-".join(body[i : i + CODE_GROUP_LEN] for i in range(0, len(body), CODE_GROUP_LEN))


def normalise_code(text: str) -> str | None:
    """A code as a person may type it (lower case, spaces, dashes or none) in its stored form;
    None when it cannot be a code at all."""
    body = re.sub(r"[\s\-－—_]", "", text or "").upper()
    return format_code(body) if CODE_RE.fullmatch(body) else None


def find_request(code: str) -> GuidanceRequest | None:
    normal = normalise_code(code)
    if normal is None:
        return None
    return db.session.scalar(select(GuidanceRequest).where(GuidanceRequest.tracking_code == normal))


def contact(value: Any) -> str:
    value = f.text(254, allow_empty=False)(value)
    compact = re.sub(r"[\s()（）]", "", value)
    if "@" in value:
        if not EMAIL_RE.fullmatch(value):
            raise FieldError("电子邮箱地址格式不正确")
        return value
    if MOBILE_RE.fullmatch(compact) or LANDLINE_RE.fullmatch(compact):
        return compact
    raise FieldError("请填写手机号、带区号的固定电话或电子邮箱")


def question(value: Any) -> str:
    value = f.text(QUESTION_MAX, multiline=True, allow_empty=False)(value)
    if len(value) < QUESTION_MIN:
        raise FieldError(f"请至少写 {QUESTION_MIN} 个字，说明您要咨询的情况")
    return value


REQUEST_FIELDS = [
    Field("topic", f.choice(vocab.GUIDANCE_TOPICS), required=True),
    Field("question", question, required=True),
    Field("requester_name", f.text(100, allow_empty=False), required=True),
    Field("organisation", f.text(200)),
    Field("contact", contact, required=True),
]


def client_hash(address: str | None, key: str) -> str:
    """A keyed hash of a client's address: enough to count its requests, useless to recover it.

    IPv6 clients are counted by their /64, which one subscriber usually holds whole.
    """
    try:
        ip = ipaddress.ip_address(address or "")
        network = (
            str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
        )
    except ValueError:
        network = "unknown"
    return hmac.new(key.encode(), network.encode(), hashlib.sha256).hexdigest()[:64]


def recent_requests(client: str, window: timedelta) -> int:
    return recent_rows(GuidanceRequest, client, window)


def recent_rows(model: Any, client: str, window: timedelta) -> int:
    """How many rows of a public form's ``model`` (with ``client_hash`` and ``created_at``) one
    client wrote within ``window``: the count a rate limit compares."""
    since = now_utc() - window
    return (
        db.session.scalar(
            select(sa.func.count())
            .select_from(model)
            .where(model.client_hash == client, model.created_at >= since)
        )
        or 0
    )


RATE_LOCK = "guidance-rate"
RATE_LOCK_TIMEOUT = 10.0
RATE_BUSY = "咨询提交繁忙，请稍后重试。"


def check_rate(client: str, limit: int, window: timedelta) -> None:
    """Refuse a client that sent ``limit`` requests within ``window``. The count is read from the
    database, so every worker process sees the same one."""
    if client and recent_requests(client, window) >= limit:
        minutes = max(1, int(window.total_seconds() // 60))
        raise TooManyRequests(
            f"您在 {minutes} 分钟内已提交 {limit} 次咨询，请稍后再试；急事请直接致电指导站。"
        )


def submit_request(
    work: Work,
    station_slug: str,
    data: Mapping[str, Any],
    *,
    client: str = "",
    limit: int | None = None,
    window: timedelta = timedelta(hours=1),
) -> GuidanceRequest:
    """A question from the public to one published station; returns it with its tracking code."""
    station = find_station(station_slug)
    if station is None or not station.is_public:
        raise ValidationError({"station": f"{REQUEST_LABELS['station']}：找不到该指导站"})
    record, errors = parse_fields(REQUEST_FIELDS, data, REQUEST_LABELS)
    if "topic" in record and record["topic"] not in topics_for(station):
        errors["topic"] = (
            f"{REQUEST_LABELS['topic']}：该指导站不受理此类事项，请选择其他事项或“其他”"
        )
    if errors:
        raise ValidationError(errors)
    if limit is not None:
        # One submission at a time is counted, so two sent at the same instant cannot both slip
        # under the limit. The lock is held only until this short transaction commits.
        take_write_lock(RATE_LOCK, client or "guidance", timeout=RATE_LOCK_TIMEOUT, busy=RATE_BUSY)
        check_rate(client, limit, window)
    request = GuidanceRequest(
        tracking_code=unused_code(),
        station=station,
        status="received",
        answer="",
        answered_by="",
        client_hash=client,
        **record,
    )
    db.session.add(request)
    work.history.track("guidance", request, is_new=True)
    db.session.flush()
    return request


def topics_for(station: GuidanceStation) -> list[str]:
    """What a visitor may ask a station: the services it lists, and always "other"."""
    return [code for code in vocab.GUIDANCE_TOPICS if code in station.services or code == "other"]


def unused_code() -> str:
    while True:  # a repeat is about one in 10^17; checking costs one indexed query
        code = new_tracking_code()
        if find_request(code) is None:
            return code


def require_request(code: str) -> GuidanceRequest:
    request = find_request(code)
    if request is None:
        raise NotFoundError(f"找不到咨询编号 {code}")
    return request


def answer_request(work: Work, code: str, text: Any) -> GuidanceRequest:
    """The station's answer, shown on the request's public status page. Answering again replaces
    the answer (the history keeps the earlier one); a closed request takes no answer."""
    request = require_request(code)
    try:
        answer = f.text(ANSWER_MAX, multiline=True, allow_empty=False)(text)
    except FieldError as error:
        raise ValidationError({"answer": f"{REQUEST_LABELS['answer']}：{error}"}) from None
    if request.status == "closed":
        raise ValidationError({"status": "该咨询已办结，不能再答复"})
    work.history.track("guidance", request, is_new=False)
    request.answer = answer
    request.status = "answered"
    request.answered_at = now_utc()
    request.answered_by = work.actor
    db.session.flush()
    return request


def close_request(work: Work, code: str) -> GuidanceRequest:
    request = require_request(code)
    if request.status == "closed":
        raise ValidationError({"status": "该咨询已经办结"})
    work.history.track("guidance", request, is_new=False)
    request.status = "closed"
    db.session.flush()
    return request


# Who on the staff handles a request. There is no assignee column (the requests table belongs to
# the stations' schema): the assignment is a history entry, and the latest one is the assignee.
ASSIGNEE_FIELD = "assigned_to"
STAFF_ROLES = ("staff", "admin")


def staff_members() -> list[User]:
    """Active staff and admins, for the assignment list."""
    query = select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.email)
    return [user for user in db.session.scalars(query) if getattr(user, "is_active", True)]


def assign_request(work: Work, code: str, email: str) -> GuidanceRequest:
    """Assign a request to a staff member (by e-mail), recorded in the request's history."""
    request = require_request(code)
    assignee = db.session.scalar(select(User).where(User.email == email))
    if assignee is None or assignee.role not in STAFF_ROLES:
        raise ValidationError({"assignee": "指派给：请选择一位工作人员"})
    before = current_assignee(request)
    if before == assignee.email:
        return request
    work.history.record(
        "guidance", request.tracking_code, request.id, "update", {ASSIGNEE_FIELD: [before, email]}
    )
    return request


def current_assignee(request: GuidanceRequest) -> str | None:
    """The e-mail of the staff member the latest assignment names, or None."""
    query = (
        select(AuditEntry.changes)
        .where(AuditEntry.entity == "guidance", AuditEntry.entity_id == request.id)
        .order_by(AuditEntry.id.desc())
    )
    for changes in db.session.scalars(query):
        if ASSIGNEE_FIELD in changes:
            return changes[ASSIGNEE_FIELD][1]
    return None


def restore_request(
    work: Work, state: Mapping[str, Any], *, expected_version: int | None = None
) -> GuidanceRequest:
    """Put a request's status and answer back as an earlier history entry had them. The question
    and the requester's details are the public's words and are never rewritten."""
    request = require_request(state["tracking_code"])
    check_version(request, expected_version)
    status = f.choice(vocab.GUIDANCE_STATUSES)(state["status"])
    work.history.track("guidance", request, is_new=False)
    request.status = status
    request.answer = state.get("answer") or ""
    request.answered_by = state.get("answered_by") or ""
    answered_at = state.get("answered_at")
    request.answered_at = datetime.fromisoformat(answered_at) if answered_at else None
    db.session.flush()
    return request


def list_requests(
    station_slug: str | None = None, status: str | None = None
) -> list[GuidanceRequest]:
    query = select(GuidanceRequest).order_by(GuidanceRequest.created_at, GuidanceRequest.id)
    if station_slug:
        query = query.join(GuidanceRequest.station).where(GuidanceStation.slug == station_slug)
    if status:
        query = query.where(GuidanceRequest.status == status)
    return list(db.session.scalars(query))
