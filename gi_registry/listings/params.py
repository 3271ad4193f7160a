"""The boards' query string, validated: a bad value is a ``ParamError`` naming the parameter, which
the page shows as a 400 in the visitor's language and the API as a 400 in Chinese (its locale)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.listings.queries import SORTS, BoardFilters
from gi_registry.models import Category, GIProduct, Region
from gi_registry.models.regions import is_region_code
from gi_registry.models.visibility import product_is_public
from gi_registry.paging import ParamError

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CATEGORY_RE = re.compile(r"[a-z_]{1,32}")
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
PRICE_MAX = Decimal("1e12")


def board_filters(args: MultiDict) -> BoardFilters:
    low, high = price(args, "price_min"), price(args, "price_max")
    if low is not None and high is not None and low > high:
        raise ParamError("price_max", _("最高价不能低于最低价"))
    return BoardFilters(
        kind=choice(args, "kind", vocab.LISTING_KINDS),
        product=product(args),
        category=category(args),
        region=region(args),
        price_min=low,
        price_max=high,
        month=month(args),
        sort=choice(args, "sort", SORTS) or "newest",
    )


def choice(args: MultiDict, name: str, allowed) -> str | None:
    value = args.get(name) or None
    if value is not None and value not in allowed:
        raise ParamError(name, _("应为 %(list)s 之一", list=_("、").join(allowed)))
    return value


def product(args: MultiDict) -> str | None:
    value = args.get("product") or None
    if value is None:
        return None
    if not (len(value) <= 80 and SLUG_RE.fullmatch(value)) or not db.session.scalar(
        select(GIProduct.id).where(GIProduct.slug == value, product_is_public())
    ):
        raise ParamError("product", _("找不到地理标志产品 %(slug)s", slug=value[:80]))
    return value


def category(args: MultiDict) -> str | None:
    value = args.get("category") or None
    if value is None:
        return None
    if not CATEGORY_RE.fullmatch(value) or not db.session.scalar(
        select(Category.id).where(Category.code == value)
    ):
        raise ParamError("category", _("未知的产品类别 %(code)s", code=value[:40]))
    return value


def region(args: MultiDict) -> str | None:
    value = args.get("region") or None
    if value is None:
        return None
    if not is_region_code(value):
        raise ParamError("region", _("行政区划代码应为6位数字"))
    if db.session.get(Region, value) is None:
        raise ParamError("region", _("未知的行政区划代码 %(code)s", code=value))
    return value


def price(args: MultiDict, name: str) -> Decimal | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw[:40])
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value < PRICE_MAX:
        raise ParamError(name, _("应为不小于 0 的数字"))
    return value


def month(args: MultiDict) -> str | None:
    value = args.get("month") or None
    if value is None:
        return None
    match = MONTH_RE.fullmatch(value)
    if match is None or not (1 <= int(match[2]) <= 12) or not 1 <= int(match[1]) <= 9998:
        raise ParamError("month", _("月份应写作 YYYY-MM，例如 2027-01"))
    return value
