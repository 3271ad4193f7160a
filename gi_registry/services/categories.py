"""Product categories (产品类别) as staff keep them: rename (Chinese and English), reorder, add, and
remove one that nothing uses.

``vocab.CATEGORIES`` only seeds a new database: ``reference.ensure_categories`` adds the codes that
are missing and never touches a stored category, so a staff edit survives every setup. The code is
permanent (records, filters and links use it). Categories have no row version column; a form sends
back ``category_version`` (a digest of the fields it showed) and a changed digest is a conflict.
Every change is a history entry keyed by the code, as the reference data's are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.models import Category, GIProduct, Listing
from gi_registry.services import fields as f
from gi_registry.services.errors import ConflictError, NotFoundError, ServiceError, ValidationError
from gi_registry.services.fields import FieldError
from gi_registry.services.reference import category_fields, record_change
from gi_registry.services.unit import Work

CODE_RE = re.compile(r"[a-z][a-z0-9_]{1,31}")
LABELS = {"code": "代码", "name_zh": "中文名称", "name_en": "英文名称"}
PARSERS = {"name_zh": f.text(32, allow_empty=False), "name_en": f.text(64, allow_empty=False)}


def category_version(category: Category) -> str:
    """What a form saw: a change to any field (or the order) since then is someone else's save."""
    fields = category_fields(category)
    text = "\x1f".join(str(fields[name]) for name in sorted(fields))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ordered() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def require_category(code: str, expected_version: str | None) -> Category:
    category = db.session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFoundError(f"找不到产品类别 {code}")
    if expected_version is not None and category_version(category) != expected_version:
        raise ConflictError()
    return category


def parse_names(data: Mapping[str, Any], category: Category | None) -> dict[str, str]:
    """The two names, each problem naming its field; a Chinese name is one category's only."""
    values, errors = {}, {}
    for name, parse in PARSERS.items():
        try:
            values[name] = parse(data.get(name))
        except FieldError as error:
            errors[name] = f"{LABELS[name]}：{error.message}"
    if "name_zh" in values:
        other = select(Category.id).where(Category.name_zh == values["name_zh"])
        if category is not None:
            other = other.where(Category.id != category.id)
        if db.session.scalar(other) is not None:
            errors["name_zh"] = f"{LABELS['name_zh']}：“{values['name_zh']}”已是另一个类别的名称"
    if errors:
        raise ValidationError(errors)
    return values


def add_category(work: Work, data: Mapping[str, Any]) -> Category:
    """A new category, last in the order."""
    code = data.get("code")
    errors = {}
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        errors["code"] = f"{LABELS['code']}：请用 2 至 32 个小写英文字母、数字或下划线，以字母开头"
    elif db.session.scalar(select(Category.id).where(Category.code == code)) is not None:
        errors["code"] = f"{LABELS['code']}：{code} 已存在"
    try:
        names = parse_names(data, None)
    except ValidationError as error:
        errors = error.errors | errors
    if errors:
        raise ValidationError(errors)
    last = db.session.scalar(select(func.max(Category.position)))
    category = Category(code=code, position=(-1 if last is None else last) + 1, **names)
    db.session.add(category)
    db.session.flush()
    record_change(work, "categories", code, None, category_fields(category))
    return category


def rename_category(
    work: Work, code: str, data: Mapping[str, Any], *, expected_version: str | None = None
) -> Category:
    category = require_category(code, expected_version)
    names = parse_names(data, category)
    before = category_fields(category)
    category.name_zh, category.name_en = names["name_zh"], names["name_en"]
    db.session.flush()
    if category_fields(category) != before:
        record_change(work, "categories", code, before, category_fields(category))
    return category


def move_category(
    work: Work, code: str, step: int, *, expected_version: str | None = None
) -> Category:
    """Swap places with the neighbour above (``step`` -1) or below (+1); at an end, nothing."""
    category = require_category(code, expected_version)
    order = ordered()
    for position, each in enumerate(order):  # positions 0..n-1, whatever gaps the data had
        if each.position != position:
            before = category_fields(each)
            each.position = position
            record_change(work, "categories", each.code, before, category_fields(each))
    index = order.index(category)
    if not 0 <= index + step < len(order):
        return category
    other = order[index + step]
    moved = [(c, category_fields(c)) for c in (category, other)]
    category.position, other.position = other.position, category.position
    for each, before in moved:
        record_change(work, "categories", each.code, before, category_fields(each))
    db.session.flush()
    return category


def category_use(category: Category) -> tuple[int, int]:
    """(GI products, listings) in the category, archived ones included: they are evidence."""
    products = select(func.count(GIProduct.id)).where(GIProduct.category_id == category.id)
    listings = select(func.count(Listing.id)).where(Listing.category_id == category.id)
    return db.session.scalar(products) or 0, db.session.scalar(listings) or 0


def remove_category(work: Work, code: str, *, expected_version: str | None = None) -> None:
    """Remove a category nothing uses; one in use is refused (its records would lose their class).
    The audit trail has no "delete" action: the entry is an ``archive`` with every field emptied."""
    category = require_category(code, expected_version)
    products, listings = category_use(category)
    if products or listings:
        raise ServiceError(
            f"产品类别“{category.name_zh}”正被 {products} 个地理标志产品和 {listings} 条供需信息使用，不能删除。"
        )
    before = category_fields(category)
    db.session.delete(category)
    db.session.flush()
    changes = {name: [value, None] for name, value in before.items()}
    work.history.record("categories", code, None, "archive", changes)
