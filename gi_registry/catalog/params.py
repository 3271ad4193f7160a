"""Query-string parsing shared by pages and API: hostile values become defaults or clear errors."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from werkzeug.datastructures import MultiDict

from gi_registry import vocab
from gi_registry.catalog.queries import ProductFilters
from gi_registry.models import Category, Region
from gi_registry.models.regions import is_region_code
from gi_registry.paging import ParamError, page_number
from gi_registry.search import Filters

SEARCH_PER_PAGE = 10
SEARCH_MAX_PER_PAGE = 50
# The engine reads the first 100 characters; what the header box allows (maxlength) is the same.
SEARCH_QUERY_CHARS = 100
# Used with fullmatch: `$` would accept a trailing newline, and `\d` the full-width digits (２２００００).
CATEGORY_RE = re.compile(r"[a-z_]{1,32}")


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


@dataclass
class SearchParams:
    """What /search and /api/v1/search accept, validated."""

    q: str | None = None
    kind: str | None = None
    category: str | None = None
    region: str | None = None
    protection: str | None = None
    page: int = 1

    def filters(self) -> Filters:
        return Filters(category=self.category, region=self.region, protection=self.protection)

    def query_args(self, **changes: str | int | None) -> dict[str, str | int]:
        """The parameters that are set, for links; ``changes`` replace some (None drops one).
        The page is dropped unless given: a new tab or filter starts at page one."""
        values = {**asdict(self), "page": None, **changes}
        return {name: value for name, value in values.items() if value}

    @property
    def narrowed(self) -> bool:
        return bool(self.category or self.region or self.protection)


def clean_query(value: str | None, limit: int = SEARCH_QUERY_CHARS) -> str | None:
    """Search text: control characters (NUL included) become spaces, runs of space collapse.

    Unlike ``clean_text`` a tab or an ideographic space still separates two words. Only a bounded
    prefix is looked at, so a 10,000-character query costs no more than a short one."""
    if not value:
        return None
    value = "".join(ch if ch.isprintable() else " " for ch in value[: limit * 4])
    return " ".join(value.split())[:limit].strip() or None


def search_params(args: MultiDict, *, strict: bool) -> SearchParams:
    """q, kind, category, region, protection and page. ``strict`` (the API) rejects bad values
    by name; the page ignores them, and clamps the page number."""
    base = product_filters(args, strict=strict)
    kind = args.get("kind") or None
    if kind and kind not in vocab.SEARCH_KINDS:
        kind = _reject(strict, "kind", "应为 " + "、".join(vocab.SEARCH_KINDS))
    region = base.region
    if region and not _region_exists(region):
        region = _reject(strict, "region", f"未知的行政区划代码 {region}")
    return SearchParams(
        q=clean_query(args.get("q")),
        kind=kind,
        category=base.category,
        region=region,
        protection=base.protection,
        page=page_number(args, strict=strict),
    )


def _region_exists(code: str) -> bool:
    from gi_registry.extensions import db

    return db.session.get(Region, code) is not None


def _category_exists(code: str) -> bool:
    from gi_registry.extensions import db

    return db.session.query(Category.id).filter_by(code=code).first() is not None


def _reject(strict: bool, field: str, message: str) -> None:
    if strict:
        raise ParamError(field, message)
    return None
