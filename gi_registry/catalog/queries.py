"""Read-side queries shared by the public pages and the JSON API. The database decides visibility.

Lists load what they show in a fixed number of statements, whatever their length: a template that
walks a relation per row would otherwise run one query per row (tests/test_scale.py keeps count).
Lists that can grow without bound are capped and carry their total.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import Select, String, case, cast, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import (
    Authorization,
    Brand,
    BrandImage,
    Category,
    GIProduct,
    GuidanceStation,
    Listing,
    Producer,
    ProductImage,
    Protection,
    Region,
    brand_producers,
    brand_products,
    product_regions,
)
from gi_registry.models.regions import region_family, region_tree
from gi_registry.models.visibility import (
    brand_is_public,
    listing_current_on,
    listing_live_on,
    producer_is_public,
    product_is_public,
    station_is_public,
)

# Moved to models.regions (the showcase needs them without the catalogue); still found here.
__all__ = ["region_family", "region_tree"]

T = TypeVar("T")

# How many rows a detail page shows of a list that may run into the thousands.
BRAND_PRODUCT_LIMIT = 48
BRAND_PRODUCER_LIMIT = 200
AUTHORIZATION_LIMIT = 100
BRAND_LISTING_LIMIT = 24


@dataclass(frozen=True)
class ProductFilters:
    category: str | None = None
    region: str | None = None
    protection: str | None = None
    q: str | None = None

    def query_args(self) -> dict[str, str]:
        """The filters that are set, as URL parameters: all a pager link may carry over."""
        return {name: value for name, value in asdict(self).items() if value}


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first rows of a list too long to show in full, and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


def capped(query: Select, limit: int) -> Capped:
    items = list(db.session.scalars(query.limit(limit)))
    if len(items) < limit:
        return Capped(items, len(items))  # the whole list: no count needed
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Capped(items, total or 0)


# --- Visibility


def public_products() -> Select:
    return select(GIProduct).where(product_is_public())


def public_brands() -> Select:
    return select(Brand).where(brand_is_public())


def public_producers() -> Select:
    return select(Producer).where(producer_is_public())


def public_parent(brand: Brand) -> Brand | None:
    """The umbrella brand, unless it is a draft or archived: then the member shows none."""
    parent = brand.parent
    return parent if parent is not None and parent.is_public else None


# --- Loader options


def card_options() -> tuple[ORMOption, ...]:
    """What a product card shows (picture, category, regions, protection kinds), one query each."""
    return (
        selectinload(GIProduct.images).selectinload(ProductImage.media),
        selectinload(GIProduct.category),
        selectinload(GIProduct.regions),
        selectinload(GIProduct.protections),
    )


def region_name_options(path) -> ORMOption:
    """A region and its two ancestors, so ``full_name`` (county, prefecture, province) runs no query."""
    return selectinload(path).selectinload(Region.parent).selectinload(Region.parent)


def brand_card_options() -> tuple[ORMOption, ...]:
    """What a brand card shows: its picture and how many public member brands it has."""
    return (
        selectinload(Brand.images).selectinload(BrandImage.media),
        selectinload(Brand.members),
    )


# --- Products


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
    return query.options(*card_options()).order_by(GIProduct.name_pinyin, GIProduct.id)


def get_public_product(slug: str) -> GIProduct | None:
    return db.session.scalar(
        public_products()
        .where(GIProduct.slug == slug)
        .options(*card_options(), region_name_options(GIProduct.regions))
    )


def brands_where(condition) -> list[Brand]:
    """Public brands matching ``condition``, their umbrella loaded; umbrella brands first."""
    is_umbrella = Brand.members.any()
    return list(
        db.session.scalars(
            public_brands()
            .where(condition)
            .options(selectinload(Brand.parent))
            .order_by(case((is_umbrella, 0), else_=1), Brand.name_pinyin, Brand.id)
        )
    )


def product_brands(product: GIProduct) -> list[Brand]:
    return brands_where(Brand.products.any(GIProduct.id == product.id))


def producer_brands(producer: Producer) -> list[Brand]:
    return brands_where(Brand.producers.any(Producer.id == producer.id))


def serving_stations(record: Producer | Brand) -> list[GuidanceStation]:
    """The public guidance stations (商标品牌指导站) that name this producer or brand among those
    they help: where its owner can ask about trademarks and the GI mark."""
    served = GuidanceStation.producers if isinstance(record, Producer) else GuidanceStation.brands
    query = (
        select(GuidanceStation)
        .where(served.any(id=record.id), station_is_public())
        .options(selectinload(GuidanceStation.region))
        .order_by(GuidanceStation.slug)
    )
    return list(db.session.scalars(query))


def product_authorizations(
    product: GIProduct, limit: int = AUTHORIZATION_LIMIT
) -> Capped[Authorization]:
    """Public producers authorised for the product, by name, with their producer loaded."""
    query = (
        select(Authorization)
        .join(Authorization.producer)
        .where(Authorization.product_id == product.id, producer_is_public())
        .options(contains_eager(Authorization.producer))
        .order_by(Producer.name_pinyin, Producer.id)
    )
    return capped(query, limit)


def featured_products(limit: int) -> list[GIProduct]:
    """Products the provincial plan names (they carry programmes) first, then the rest by pinyin.

    The showcase's feature slots will replace this with staff-curated choices.
    """
    # JSON has no portable emptiness test; its text form is "[]" on SQLite and PostgreSQL alike.
    has_programmes = func.length(cast(GIProduct.programmes, String)) > 2
    query = filter_products(ProductFilters()).order_by(None)
    return list(
        db.session.scalars(
            query.order_by(
                case((has_programmes, 0), else_=1), GIProduct.name_pinyin, GIProduct.id
            ).limit(limit)
        )
    )


def category_counts() -> list[tuple[Category, int]]:
    rows = db.session.execute(
        select(Category, func.count(GIProduct.id))
        .outerjoin(GIProduct, (GIProduct.category_id == Category.id) & product_is_public())
        .group_by(Category.id)
        .order_by(Category.position)
    )
    return [(category, n) for category, n in rows]


def filter_choices(province_code: str | None) -> dict:
    """Options for the product filter form: the categories, and the province's prefectures with
    their counties loaded (two statements, however many prefectures)."""
    prefectures: list[Region] = []
    if province_code:
        prefectures = list(
            db.session.scalars(
                select(Region)
                .where(Region.parent_code == province_code)
                .options(selectinload(Region.children))
                .order_by(Region.code)
            )
        )
    categories = list(db.session.scalars(select(Category).order_by(Category.position)))
    return {"categories": categories, "prefectures": prefectures}


# --- Brands


def brand_list() -> Select:
    """Public brands by slug, with the umbrella brand each may name (if that one is public)."""
    return public_brands().options(selectinload(Brand.parent)).order_by(Brand.slug)


def brand_cards() -> Select:
    """Brand cards, umbrella brands (those with members) first."""
    return (
        brand_list()
        .options(*brand_card_options())
        .order_by(None)
        .order_by(case((Brand.members.any(), 0), else_=1), Brand.name_pinyin, Brand.id)
    )


def get_public_brand(slug: str) -> Brand | None:
    return db.session.scalar(public_brands().where(Brand.slug == slug))


def brand_groups(brands: list[Brand]) -> tuple[list[tuple[Brand, list[Brand]]], list[Brand]]:
    """Split a list of public brands into (umbrella, its members in the list) pairs, umbrellas in
    list order, and the brands belonging to no umbrella shown."""
    members: dict[int, list[Brand]] = {}
    for brand in brands:
        if brand.parent_id is not None:
            members.setdefault(brand.parent_id, []).append(brand)
    groups = [(b, members[b.id]) for b in brands if b.id in members]
    grouped = {m.id for _, ms in groups for m in ms} | {b.id for b, _ in groups}
    return groups, [b for b in brands if b.id not in grouped]


def umbrella_brands() -> list[Brand]:
    return list(db.session.scalars(brand_cards().where(Brand.parent_id.is_(None))))


def public_members(brand: Brand) -> list[Brand]:
    return list(
        db.session.scalars(public_brands().where(Brand.parent_id == brand.id).order_by(Brand.slug))
    )


def brand_overview(brand: Brand, limit: int = BRAND_PRODUCT_LIMIT) -> dict:
    """What a brand page shows: public members, then the products, producers and current listings
    of the brand and its members (an umbrella brand gathers its members'), lists capped."""
    members = public_members(brand)
    family = [brand.id, *(m.id for m in members)]
    product_ids = select(brand_products.c.product_id).where(brand_products.c.brand_id.in_(family))
    producer_ids = select(brand_producers.c.producer_id).where(
        brand_producers.c.brand_id.in_(family)
    )
    products = (
        public_products()
        .where(GIProduct.id.in_(product_ids))
        .options(*card_options())
        .order_by(GIProduct.name_pinyin, GIProduct.id)
    )
    producers = (
        public_producers()
        .where(Producer.id.in_(producer_ids))
        .order_by(Producer.name_pinyin, Producer.id)
    )
    listings = (
        select(Listing)
        .where(Listing.producer_id.in_(producer_ids), listing_current_on(local_today()))
        .options(selectinload(Listing.producer), selectinload(Listing.product))
        .order_by(Listing.available_from.desc().nulls_last(), Listing.id)
    )
    return {
        "parent": public_parent(brand),
        "members": members,
        "products": capped(products, limit),
        "producers": capped(producers, BRAND_PRODUCER_LIMIT),
        "listings": capped(listings, BRAND_LISTING_LIMIT),
    }


# --- Producers


def get_public_producer(slug: str) -> Producer | None:
    return db.session.scalar(
        public_producers()
        .where(Producer.slug == slug)
        .options(region_name_options(Producer.region))
    )


def producer_list(region_code: str | None = None) -> Select:
    """Public producers by name, their regions loaded; with a region, those in it or below."""
    query = public_producers()
    if region_code:
        below, _ = region_family(region_code)
        query = query.where(Producer.region_code.in_(below))
    return query.options(region_name_options(Producer.region)).order_by(
        Producer.name_pinyin, Producer.id
    )


def producers_in(region_codes: list[str]) -> Select:
    return (
        public_producers()
        .where(Producer.region_code.in_(region_codes))
        .order_by(Producer.name_pinyin, Producer.id)
    )


def public_authorizations(producer: Producer) -> list[Authorization]:
    """The producer's authorisations for public products; one for a draft or archived product is
    not shown anywhere, page or API."""
    return list(
        db.session.scalars(
            select(Authorization)
            .join(Authorization.product)
            .where(Authorization.producer_id == producer.id, product_is_public())
            .options(contains_eager(Authorization.product))
            .order_by(GIProduct.name_pinyin, Authorization.id)
        )
    )


def producer_listings(producer: Producer) -> list[Listing]:
    """Published listings, newest availability first (undated last on every database).

    A listing of a draft or archived product is hidden with the product; one for a whole category
    has no product and is shown.
    """
    return list(
        db.session.scalars(
            select(Listing)
            .outerjoin(Listing.product)
            .where(
                Listing.producer_id == producer.id,
                Listing.status == "published",
                or_(Listing.available_to.is_(None), Listing.available_to >= local_today()),
                or_(Listing.product_id.is_(None), product_is_public()),
            )
            .options(contains_eager(Listing.product))
            .order_by(Listing.available_from.desc().nulls_last(), Listing.id)
        )
    )


def get_public_listing(slug: str) -> Listing | None:
    """A published listing of a public producer, within its availability; hidden with its product,
    as on the producer page."""
    return db.session.scalar(
        select(Listing).where(Listing.slug == slug, listing_live_on(local_today()))
    )


def mark_status(auth: Authorization, on: date | None = None) -> str:
    """'valid', or why not: the answer to "may this producer use the GI mark?".

    The yes or no is ``Authorization.is_valid_on`` (one rule for the whole application); this only
    names the reason for a no. ``on`` defaults to today in the registry's time zone.
    """
    on = on or local_today()
    if auth.is_valid_on(on):
        return "valid"
    if auth.status != "active":
        return auth.status
    if auth.valid_from and on < auth.valid_from:
        return "not_yet"
    return "expired"


# --- Regions


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
            .options(*card_options())
            .order_by(GIProduct.name_pinyin, GIProduct.id)
            .limit(limit)
        ).all()
    products = capped(
        in_region.options(*card_options()).order_by(GIProduct.name_pinyin, GIProduct.id), limit
    )
    return {
        "products": products.items,
        "product_total": products.total,
        "covering": covering,
        "producers": db.session.scalars(producers_in(below).limit(50)).all(),
        "children": region.children,  # ordered by code on the relationship
        "child_counts": product_counts_below(region.code),
    }


def count_products_in(region_codes: list[str]) -> int:
    query = public_products().where(GIProduct.regions.any(Region.code.in_(region_codes)))
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def product_counts_below(code: str) -> dict[str, int]:
    """For the region and each region below it: how many public products have their protected area
    in it or below it. A product protected in two counties of one prefecture counts once for the
    prefecture; one protected for the whole province counts for the province, not for each county.

    One statement per level of the tree and one for the products, whatever their number.
    """
    tree = region_tree(code)
    rows = db.session.execute(
        select(product_regions.c.product_id, product_regions.c.region_code)
        .join(GIProduct, GIProduct.id == product_regions.c.product_id)
        .where(product_is_public(), product_regions.c.region_code.in_(list(tree)))
    )
    products: dict[str, set[int]] = {c: set() for c in tree}
    for product_id, region_code in rows:
        node: str | None = region_code
        while node is not None and product_id not in products[node]:
            products[node].add(product_id)
            node = tree[node]
    return {c: len(ids) for c, ids in products.items()}
