"""Read-side queries shared by the public pages and the JSON API. The database decides visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import (
    Authorization,
    Brand,
    Category,
    GIProduct,
    Listing,
    Producer,
    Protection,
    Region,
)


@dataclass(frozen=True)
class ProductFilters:
    category: str | None = None
    region: str | None = None
    protection: str | None = None
    q: str | None = None


def public_products() -> Select:
    return select(GIProduct).where(GIProduct.status == "published", GIProduct.archived_at.is_(None))


def region_family(code: str) -> tuple[list[str], list[str]]:
    """(the region and everything below it, the regions above it). Walks links, not code prefixes."""
    below, frontier = [code], [code]
    while frontier:
        frontier = list(
            db.session.scalars(select(Region.code).where(Region.parent_code.in_(frontier)))
        )
        frontier = [c for c in frontier if c not in below]
        below += frontier
    region = db.session.get(Region, code)
    above = [r.code for r in region.lineage()[:-1]] if region else []
    return below, above


def filter_products(filters: ProductFilters) -> Select:
    query = public_products()
    if filters.category:
        query = query.join(GIProduct.category).where(Category.code == filters.category)
    if filters.region:
        below, above = region_family(filters.region)
        # A product protected for the whole prefecture is also a product of each of its counties.
        query = query.where(GIProduct.regions.any(Region.code.in_(below + above)))
    if filters.protection:
        query = query.where(GIProduct.protections.any(Protection.kind == filters.protection))
    if filters.q:
        # A plain name filter until the search module takes over; autoescape keeps % and _ literal.
        q = filters.q
        compact = q.lower().replace(" ", "")
        query = query.where(
            or_(
                GIProduct.name_zh.contains(q, autoescape=True),
                GIProduct.name_en.icontains(q, autoescape=True),
                func.replace(GIProduct.name_pinyin, " ", "").contains(compact, autoescape=True),
                GIProduct.name_initials == compact,
            )
        )
    return query.options(
        selectinload(GIProduct.category),
        selectinload(GIProduct.regions),
        selectinload(GIProduct.protections),
        selectinload(GIProduct.images),
    ).order_by(GIProduct.name_pinyin, GIProduct.id)


def get_public_product(slug: str) -> GIProduct | None:
    return db.session.scalar(public_products().where(GIProduct.slug == slug))


def product_brands(product: GIProduct) -> list[Brand]:
    return list(
        db.session.scalars(
            public_brands()
            .where(Brand.products.any(GIProduct.id == product.id))
            .order_by(Brand.slug)
        )
    )


def product_authorizations(product: GIProduct) -> list[Authorization]:
    return list(
        db.session.scalars(
            select(Authorization)
            .join(Authorization.producer)
            .where(
                Authorization.product_id == product.id,
                Producer.status == "active",
                Producer.archived_at.is_(None),
            )
            .order_by(Producer.name_pinyin)
        )
    )


def public_brands() -> Select:
    return select(Brand).where(Brand.status == "published", Brand.archived_at.is_(None))


def get_public_brand(slug: str) -> Brand | None:
    return db.session.scalar(public_brands().where(Brand.slug == slug))


def public_producers() -> Select:
    return select(Producer).where(Producer.status == "active", Producer.archived_at.is_(None))


def get_public_producer(slug: str) -> Producer | None:
    return db.session.scalar(public_producers().where(Producer.slug == slug))


def producers_in(region_codes: list[str]) -> Select:
    return (
        public_producers()
        .where(Producer.region_code.in_(region_codes))
        .order_by(Producer.name_pinyin)
    )


def producer_listings(producer: Producer) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.producer_id == producer.id, Listing.status == "published")
            .order_by(Listing.available_from.desc(), Listing.id)
        )
    )


def mark_status(auth: Authorization, on: date | None = None) -> str:
    """'valid', or why not: the answer to "may this producer use the GI mark?"."""
    on = on or date.today()
    if auth.status != "active":
        return auth.status
    if auth.valid_to and on > auth.valid_to:
        return "expired"
    if auth.valid_from and on < auth.valid_from:
        return "not_yet"
    return "valid"


def category_counts() -> list[tuple[Category, int]]:
    rows = db.session.execute(
        select(Category, func.count(GIProduct.id))
        .outerjoin(
            GIProduct,
            (GIProduct.category_id == Category.id)
            & (GIProduct.status == "published")
            & GIProduct.archived_at.is_(None),
        )
        .group_by(Category.id)
        .order_by(Category.position)
    )
    return [(category, n) for category, n in rows]


def filter_choices() -> dict:
    """Options for the filter form: categories and the home province's prefectures and counties."""
    return {"categories": list(db.session.scalars(select(Category).order_by(Category.position)))}


def featured_products(limit: int) -> list[GIProduct]:
    """Products the provincial plan names (they carry programmes) first, then the rest by pinyin.

    The showcase's feature slots will replace this with staff-curated choices.
    """
    # JSON has no portable emptiness test; its text form is "[]" on SQLite and PostgreSQL alike.
    has_programmes = func.length(cast(GIProduct.programmes, String)) > 2
    chosen = list(
        db.session.scalars(filter_products(ProductFilters()).where(has_programmes).limit(limit))
    )
    if len(chosen) < limit:
        rest = filter_products(ProductFilters()).where(~has_programmes).limit(limit - len(chosen))
        chosen += db.session.scalars(rest)
    return chosen


def umbrella_brands() -> list[Brand]:
    return list(
        db.session.scalars(public_brands().where(Brand.parent_id.is_(None)).order_by(Brand.slug))
    )


def region_overview(region: Region, limit: int = 48) -> dict:
    """What a region page shows: GIs of the region, GIs covering it, producers and sub-regions.

    Lists are capped: a province may hold thousands of GIs; the page links to the filtered list.
    """
    below, above = region_family(region.code)
    in_region = public_products().where(GIProduct.regions.any(Region.code.in_(below)))
    covering = []
    if above:
        covering = db.session.scalars(
            public_products()
            .where(GIProduct.regions.any(Region.code.in_(above)))
            .where(~GIProduct.regions.any(Region.code.in_(below)))
            .order_by(GIProduct.name_pinyin)
            .limit(limit)
        ).all()
    children = db.session.scalars(
        select(Region).where(Region.parent_code == region.code).order_by(Region.code)
    ).all()
    return {
        "products": db.session.scalars(
            in_region.order_by(GIProduct.name_pinyin).limit(limit)
        ).all(),
        "product_total": count_products_in(below),
        "covering": covering,
        "producers": db.session.scalars(producers_in(below).limit(50)).all(),
        "children": children,
    }


def count_products_in(region_codes: list[str]) -> int:
    query = public_products().where(GIProduct.regions.any(Region.code.in_(region_codes)))
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
