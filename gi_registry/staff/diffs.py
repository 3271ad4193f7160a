"""A history entry's changes as staff read them: one row per field, before → after.

Long text shows once, with the changed words (or Chinese characters) marked; lists show the items
added and removed; nested objects show their changed keys. Every value is escaped here: a record's
text is data, never HTML.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.i18n.content import label, own_lang, region_name
from gi_registry.models import Region

# Text longer than this, or on several lines, is shown once with its changes marked.
LONG_TEXT = 60
# Unchanged text kept on each side of a change; the rest of a long unchanged run is left out.
CONTEXT = 40
# Above this many tokens the matcher may skip very common ones (fast, a little coarser).
EXACT_TOKENS = 5000
# A run of Latin letters and digits, a run of spaces, or any one other character (a Chinese one).
TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.S)
EMPTY = Markup("")

FIELD_LABELS = {
    "slug": _l("标识"),
    "id": _l("编号"),
    "name_zh": _l("中文名称"),
    "name_en": _l("英文名称"),
    "aliases": _l("别名"),
    "category": _l("产品类别"),
    "region_codes": _l("产地范围"),
    "region_code": _l("所在地区"),
    "summary": _l("摘要"),
    "description": _l("简介"),
    "scope": _l("保护范围"),
    "quality_requirements": _l("质量技术要求"),
    "protections": _l("保护登记"),
    "programmes": _l("项目与荣誉"),
    "sources": _l("来源"),
    "status": _l("状态"),
    "kind": _l("类型"),
    "parent": _l("上级品牌"),
    "products": _l("地理标志产品"),
    "producers": _l("经营主体"),
    "brands": _l("品牌"),
    "trademark_number": _l("商标注册号"),
    "sample": _l("示例数据"),
    "credit_code": _l("统一社会信用代码"),
    "address": _l("地址"),
    "phone": _l("电话"),
    "website": _l("网站"),
    "verified": _l("已核准"),
    "producer": _l("经营主体"),
    "product": _l("地理标志产品"),
    "number": _l("授权编号"),
    "valid_from": _l("有效期开始"),
    "valid_to": _l("有效期结束"),
    "title": _l("标题"),
    "quantity": _l("数量"),
    "unit": _l("数量单位"),
    "price_min": _l("最低价"),
    "price_max": _l("最高价"),
    "price_unit": _l("价格单位"),
    "available_from": _l("供应期开始"),
    "available_to": _l("供应期结束"),
    "status_reason": _l("未通过的原因"),
    "images": _l("图片"),
    "title_zh": _l("中文标题"),
    "title_en": _l("英文标题"),
    "summary_zh": _l("中文摘要"),
    "summary_en": _l("英文摘要"),
    "body_zh": _l("中文正文"),
    "body_en": _l("英文正文"),
    "published_at": _l("发布时间"),
    "cover": _l("封面图片"),
    "cover_alt": _l("封面图片说明"),
    "starts_on": _l("开始日期"),
    "ends_on": _l("结束日期"),
    "place_zh": _l("中文地点"),
    "place_en": _l("英文地点"),
    "url": _l("网址"),
    "position": _l("位置"),
    "starts_at": _l("开始展示"),
    "ends_at": _l("结束展示"),
    "headline_zh": _l("中文标题"),
    "headline_en": _l("英文标题"),
    "story": _l("故事"),
    "event": _l("活动"),
    "services": _l("服务内容"),
    "hours": _l("办公时间"),
    "email": _l("电子邮箱"),
    "tracking_code": _l("咨询编号"),
    "station": _l("指导站"),
    "topic": _l("咨询事项"),
    "question": _l("问题描述"),
    "requester_name": _l("姓名"),
    "organisation": _l("单位"),
    "contact": _l("联系方式"),
    "answer": _l("答复"),
    "answered_at": _l("答复时间"),
    "answered_by": _l("答复人"),
    "assigned_to": _l("负责人"),
    "role": _l("角色"),
    "reason": _l("原因"),  # an authorisation's suspension or revocation (its own entry)
    "password": _l("密码"),
    "name": _l("名称"),
    "brand": _l("品牌"),
    "contact_name": _l("联系人"),
    "contact_phone": _l("联系电话"),
    "contact_email": _l("联系人邮箱"),
    "licence_file": _l("营业执照"),
    "member_role": _l("成员角色"),
    "level": _l("级别"),
    "parent_code": _l("上级地区"),
    "batch_code": _l("批次号"),
    "produced_on": _l("生产日期"),
    "notes": _l("备注"),
    "gtin": _l("商品条码"),
    "token": _l("追溯码"),
    "recall_reason": _l("召回原因"),
    "product_text": _l("举报的产品"),
    "seller": _l("销售者或店铺"),
    "location": _l("发现地点"),
    "evidence": _l("证据照片"),
    "reporter_name": _l("举报人姓名"),
    "reporter_contact": _l("举报人联系方式"),
    "public_answer": _l("公开答复"),
}
# Values shown by their label: the vocabulary table of each coded field (status per kind).
STATUS_TABLES = {
    "products": "PRODUCT_STATUSES",
    "brands": "BRAND_STATUSES",
    "producers": "PRODUCER_STATUSES",
    "authorizations": "AUTHORIZATION_STATUSES",
    "listings": "LISTING_STATUSES",
    "stories": "CONTENT_STATUSES",
    "events": "CONTENT_STATUSES",
    "stations": "CONTENT_STATUSES",
    "guidance": "GUIDANCE_STATUSES",
}
CODED = {"programmes": "PROGRAMMES", "topic": "GUIDANCE_TOPICS"}
# Fields holding region codes (行政区划代码): shown with the region's name.
REGION_FIELDS = {"region_codes", "region_code"}
# The objects in a record's lists (protections, sources): their keys' labels and coded values.
ITEM_LABELS = {
    "kind": _l("类型"),
    "authority": _l("登记机关"),
    "number": _l("登记号"),
    "applied_on": _l("申请日期"),
    "approved_on": _l("批准日期"),
    "status": _l("状态"),
    "holder": _l("持有人"),
    "source_url": _l("来源网址"),
    "note": _l("备注"),
    "url": _l("网址"),
    "title": _l("标题"),
    "confidence": _l("可信度"),
}
ITEM_CODES = {
    "protections": {"kind": "PROTECTION_KINDS", "status": "PROTECTION_STATUSES"},
    "sources": {"confidence": "SOURCE_CONFIDENCE"},
}


@dataclass
class FieldDiff:
    """One changed field. ``shape`` says which parts are set: value (before, after), text
    (marked), list (removed, added), nested (fields) or created (after: a new record's value)."""

    name: str
    label: str
    shape: str
    before: Markup = EMPTY
    after: Markup = EMPTY
    marked: Markup = EMPTY
    removed: list[Markup] = field(default_factory=list)
    added: list[Markup] = field(default_factory=list)
    fields: list[FieldDiff] = field(default_factory=list)


def field_diffs(kind: str, changes: dict[str, tuple[Any, Any]], skip=()) -> list[FieldDiff]:
    """One row per changed field, in the order the entry keeps them."""
    return [
        diff(kind, name, before, after)
        for name, (before, after) in changes.items()
        if name not in skip
    ]


def created_fields(kind: str, changes: dict[str, tuple[Any, Any]]) -> list[FieldDiff]:
    """A new record's fields: there is no "before" to compare with."""
    return [
        FieldDiff(
            name, str(FIELD_LABELS.get(name, name)), "created", after=shown(kind, name, after)
        )
        for name, (_before, after) in changes.items()
    ]


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields that differ between two states of one record (the restore page's preview)."""
    names = list(before) + [name for name in after if name not in before]
    return {n: (before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)}


def diff(kind: str, name: str, before: Any, after: Any) -> FieldDiff:
    title = str(FIELD_LABELS.get(name, name))
    look_up_regions(name, before, after)
    if is_long_text(before, after):
        return FieldDiff(name, title, "text", marked=marked_text(before or "", after or ""))
    if isinstance(before, list | type(None)) and isinstance(after, list | type(None)):
        removed, added = list_changes(before or [], after or [])
        if (removed or added) and (before or after):
            return FieldDiff(
                name,
                title,
                "list",
                removed=[shown(kind, name, item) for item in removed],
                added=[shown(kind, name, item) for item in added],
            )
    if isinstance(before, dict) and isinstance(after, dict):
        return FieldDiff(
            name,
            title,
            "nested",
            fields=field_diffs(kind, changes_between(before, after)),
        )
    return FieldDiff(
        name, title, "value", before=shown(kind, name, before), after=shown(kind, name, after)
    )


def is_long_text(before: Any, after: Any) -> bool:
    texts = [v for v in (before, after) if v is not None]
    return (
        bool(texts)
        and all(isinstance(v, str) for v in texts)
        and any(len(v) > LONG_TEXT or "\n" in v for v in texts)
    )


def list_changes(before: list, after: list) -> tuple[list, list]:
    """Items no longer there, items new; a list only reordered has neither."""
    return [i for i in before if i not in after], [i for i in after if i not in before]


def marked_text(before: str, after: str) -> Markup:
    """``after`` with the removed text in <del> and the added text in <ins>, each escaped; long
    unchanged runs shortened to their ends."""
    old, new = TOKEN.findall(before), TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(
        None, old, new, autojunk=max(len(old), len(new)) > EXACT_TOKENS
    )
    opcodes = matcher.get_opcodes()
    parts = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(escape(context("".join(old[i1:i2]), index, len(opcodes))))
            continue
        if i2 > i1:
            parts.append(Markup("<del>%s</del>") % "".join(old[i1:i2]))
        if j2 > j1:
            parts.append(Markup("<ins>%s</ins>") % "".join(new[j1:j2]))
    return Markup("").join(parts)


def context(text: str, index: int, count: int) -> str:
    """An unchanged run between changes: only the ends that give a change its context."""
    keep_head = index > 0  # after a change
    keep_tail = index < count - 1  # before a change
    if len(text) <= CONTEXT * (keep_head + keep_tail) + 1:
        return text
    head = text[:CONTEXT] if keep_head else ""
    tail = text[-CONTEXT:] if keep_tail else ""
    return f"{head}…{tail}"


def shown(kind: str, name: str, value: Any) -> Markup:
    """One value as text: a label for a coded value, 是/否, an object as key: value pairs."""
    if value is None or value == "" or value == []:
        return Markup('<span class="muted">%s</span>') % _("（空）")
    if isinstance(value, bool):
        return escape(_("是") if value else _("否"))
    if isinstance(value, dict):
        return item_text(name, value)
    if isinstance(value, list):
        return Markup(_("、")).join(shown(kind, name, item) for item in value)
    if name in REGION_FIELDS and isinstance(value, str):
        known = region_names().get(value)
        return Markup("%s %s") % (own_lang(known), value) if known else escape(value)
    if isinstance(value, str):
        table = STATUS_TABLES.get(kind) if name == "status" else CODED.get(name)
        if table:
            return escape(label(table, value))
    return own_lang(str(value))


def item_text(name: str, item: dict[str, Any]) -> Markup:
    """An object of a list (a protection, a source) as its filled-in keys and values."""
    codes = ITEM_CODES.get(name, {})
    pairs = []
    for key, value in item.items():
        if value in (None, "", []):
            continue
        text = escape(label(codes[key], value)) if key in codes else own_lang(str(value))
        pairs.append(Markup("%s: %s") % (str(ITEM_LABELS.get(key, key)), text))
    return Markup(_("；")).join(pairs)


def region_names() -> dict[str, str]:
    """Region names looked up during this request, by code."""
    return g.setdefault("history_region_names", {})


def look_up_regions(name: str, *values: Any) -> None:
    """Fetch the names of a region field's codes in one query, before they are shown one by one."""
    if name not in REGION_FIELDS:
        return
    codes = {c for v in values for c in (v if isinstance(v, list) else [v]) if isinstance(c, str)}
    names = region_names()
    missing = codes - names.keys()
    if missing:
        for region in db.session.scalars(select(Region).where(Region.code.in_(missing))):
            names[region.code] = region_name(region)
        names.update({code: "" for code in missing - names.keys()})
