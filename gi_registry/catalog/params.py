"""Query-string parsing shared by pages and API: hostile values become defaults or clear errors."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from gi_registry import vocab
from gi_registry.catalog.queries import ProductFilters
from gi_registry.models import Category

MAX_PAGE = 10_000
# Used with fullmatch: `$` would accept a trailing newline, and `\d` the full-width digits (２２００００).
CATEGORY_RE = re.compile(r"[a-z_]{1,32}")
REGION_RE = re.compile(r"[0-9]{6}")


class ParamError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def is_region_code(value: str) -> bool:
    return REGION_RE.fullmatch(value) is not None


def clean_text(value: str | None, limit: int = 100) -> str | None:
    if not value:
        return None
    value = "".join(ch for ch in value if ch.isprintable())[:limit].strip()
    return value or None


def product_filters(args: MultiDict, *, strict: bool) -> ProductFilters:
    """Read category, region, protection and q. ``strict`` (the API) rejects bad values by name."""
    category = args.get("category") or None
    region = args.get("region") or None
    protection = args.get("protection") or None
    if category and not (CATEGORY_RE.fullmatch(category) and _category_exists(category)):
        category = _reject(strict, "category", f"未知的产品类别 {category[:40]!r}")
    if region and not is_region_code(region):
        region = _reject(strict, "region", "行政区划代码应为6位数字")
    if protection and protection not in vocab.PROTECTION_KINDS:
        protection = _reject(
            strict, "protection", "保护类型应为 " + "、".join(vocab.PROTECTION_KINDS)
        )
    return ProductFilters(
        category=category, region=region, protection=protection, q=clean_text(args.get("q"))
    )


def _category_exists(code: str) -> bool:
    from gi_registry.extensions import db

    return db.session.query(Category.id).filter_by(code=code).first() is not None


def _reject(strict: bool, field: str, message: str) -> None:
    if strict:
        raise ParamError(field, message)
    return None


def page_number(args: MultiDict, *, strict: bool) -> int:
    return _bounded_int(args, "page", 1, 1, MAX_PAGE, strict)


def per_page(args: MultiDict, default: int, maximum: int, *, strict: bool) -> int:
    return _bounded_int(args, "per_page", default, 1, maximum, strict)


def _bounded_int(
    args: MultiDict, name: str, default: int, low: int, high: int, strict: bool
) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw) if len(raw) <= 9 else high + 1
    except ValueError:
        if strict:
            raise ParamError(name, "应为整数") from None
        return default
    if low <= value <= high:
        return value
    if strict:
        raise ParamError(name, f"应在 {low} 到 {high} 之间")
    return min(max(value, low), high)
