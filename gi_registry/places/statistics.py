"""The numbers behind /stats. Only public products count (published, not archived).

Each function returns rows of (key, label, count) for the chart and its table; the page links
each row to the product list or the region it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from gi_registry import vocab
from gi_registry.catalog import queries
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name, label, region_short_name
from gi_registry.models import GIProduct, Protection, Region
from gi_registry.models.visibility import product_is_public
from gi_registry.places.charts import Bar, bar_chart

# Protections in force: an application or an acceptance is not yet protection, a cancellation no more.
IN_FORCE = ("approved", "changed")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Figure:
    """One chart with its table: what is counted, the rows, and where a row links."""

    key: str
    title: str
    label_heading: str
    rows: list[Row]
    note: str = ""
    link: str | None = None  # "category", "region", "protection": what a row links to

    @property
    def chart(self):
        return bar_chart([Bar(r.label, r.count) for r in self.rows], str(self.title))


def public_total() -> int:
    return db.session.scalar(select(func.count(GIProduct.id)).where(product_is_public())) or 0


def by_category() -> list[Row]:
    """Every category, empty ones included, in the categories' own order."""
    return [Row(c.code, display_name(c), n) for c, n in queries.category_counts()]


def by_prefecture(province_code: str) -> list[Row]:
    """The province's prefectures; a product counts in each prefecture its protected area touches."""
    counts = queries.product_counts_below(province_code)
    prefectures = db.session.scalars(
        select(Region).where(Region.parent_code == province_code).order_by(Region.code)
    )
    return [Row(r.code, region_short_name(r), counts.get(r.code, 0)) for r in prefectures]


def by_protection_kind() -> list[Row]:
    """Products holding each kind of protection in force; a product with two kinds counts twice."""
    counts = dict(
        db.session.execute(
            select(Protection.kind, func.count(distinct(Protection.product_id)))
            .join(GIProduct, GIProduct.id == Protection.product_id)
            .where(product_is_public(), Protection.status.in_(IN_FORCE))
            .group_by(Protection.kind)
        ).all()
    )
    return [
        Row(kind, label("PROTECTION_KINDS", kind), counts.get(kind, 0))
        for kind in vocab.PROTECTION_KINDS
    ]


def first_approval_years() -> dict[int, int]:
    """product id → the year of its earliest dated protection in force (dates are YYYY[-MM[-DD]])."""
    rows = db.session.execute(
        select(Protection.product_id, func.min(func.substr(Protection.approved_on, 1, 4)))
        .join(GIProduct, GIProduct.id == Protection.product_id)
        .where(
            product_is_public(),
            Protection.status.in_(IN_FORCE),
            Protection.approved_on.is_not(None),
        )
        .group_by(Protection.product_id)
    ).all()
    return {product_id: int(year) for product_id, year in rows}


def by_year() -> tuple[list[Row], int]:
    """(products first protected in each year, oldest first; how many products have such a year)."""
    years: dict[int, int] = {}
    for year in first_approval_years().values():
        years[year] = years.get(year, 0) + 1
    rows = [Row(str(y), str(y), n) for y, n in sorted(years.items())]
    return rows, sum(years.values())


def figures(province: Region | None, total: int) -> list[Figure]:
    year_rows, dated = by_year()
    result = [
        Figure("category", _l("按产品类别"), _l("类别"), by_category(), link="category"),
    ]
    if province is not None:
        result.append(
            Figure(
                "region",
                _l("按地区（%(name)s各市州）", name=display_name(province)),
                _l("市州"),
                by_prefecture(province.code),
                note=_l("保护地域跨两个市州的产品在两地各计一次；保护地域为全省的不计入各市州。"),
                link="region",
            )
        )
    result += [
        Figure(
            "protection",
            _l("按保护类型"),
            _l("保护类型"),
            by_protection_kind(),
            note=_l("只计已批准或已变更的保护；一个产品有两类保护时在两类中各计一次。"),
            link="protection",
        ),
        Figure(
            "year",
            _l("按首次获得保护的年份"),
            _l("年份"),
            year_rows,
            note=_l(
                "按产品最早一项已批准保护的批准年份统计。%(total)s 个产品中 %(dated)s 个收录了批准日期，其余未计入。",
                total=total,
                dated=dated,
            ),
        ),
    ]
    return result
