"""The read side of listings: the boards' filtered query, one public listing, its badge, and an
organisation's own listings. Shared by the pages and the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import (
    Authorization,
    Category,
    GIProduct,
    Listing,
    ListingImage,
    ListingStat,
    Producer,
    Region,
)
from gi_registry.models.regions import region_tree
from gi_registry.models.visibility import (
    authorization_valid_on,
    listing_live_on,
    product_is_public,
)

SORTS = ("newest", "price_asc", "price_desc", "soonest")


@dataclass(frozen=True)
class BoardFilters:
    """A board's question, validated (``params.board_filters``)."""

    kind: str | None = None
    product: str | None = None
    category: str | None = None
    region: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    month: str | None = None  # YYYY-MM
    sort: str = "newest"

    def query_args(self, **changes) -> dict[str, str]:
        """The parameters that are set, as strings for links; ``changes`` replace some."""
        values = {**asdict(self), **changes}
        if values.get("sort") == "newest":
            values["sort"] = None
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    @property
    def narrowed(self) -> bool:
        return any(
            (self.product, self.category, self.region, self.price_min, self.price_max, self.month)
        )


def month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def board_query(filters: BoardFilters, today: date) -> Select:
    """Live listings matching ``filters`` in the chosen order (id last, so pages never overlap)."""
    query = select(Listing).where(listing_live_on(today)).options(*card_loads())
    if filters.kind:
        query = query.where(Listing.kind == filters.kind)
    if filters.product:
        query = query.where(Listing.product.has(GIProduct.slug == filters.product))
    if filters.category:
        query = query.where(Listing.category.has(Category.code == filters.category))
    if filters.region:
        # A prefecture includes its counties: the tree below the region, walked by parent links.
        query = query.where(Listing.region_code.in_(list(region_tree(filters.region))))
    query = query.where(*price_overlap(filters.price_min, filters.price_max))
    if filters.month:
        first, last = month_bounds(filters.month)
        query = query.where(
            sa.or_(Listing.available_from.is_(None), Listing.available_from <= last),
            sa.or_(Listing.available_to.is_(None), Listing.available_to >= first),
        )
    return query.order_by(*ORDERS[filters.sort](), Listing.id.desc())


def price_overlap(low: Decimal | None, high: Decimal | None) -> list[sa.ColumnElement[bool]]:
    """A listing's price range [min, max] (either alone is a single price) meets [low, high].
    A listing without a price does not answer a price question."""
    floor = sa.func.coalesce(Listing.price_min, Listing.price_max)
    ceiling = sa.func.coalesce(Listing.price_max, Listing.price_min)
    conditions = []
    if low is not None:
        conditions.append(ceiling >= low)
    if high is not None:
        conditions.append(floor <= high)
    return conditions


ORDERS = {
    "newest": lambda: (Listing.published_at.desc().nulls_last(),),
    "price_asc": lambda: (
        sa.func.coalesce(Listing.price_min, Listing.price_max).asc().nulls_last(),
    ),
    "price_desc": lambda: (
        sa.func.coalesce(Listing.price_max, Listing.price_min).desc().nulls_last(),
    ),
    # Available now (no start, or a start passed) first, then by start.
    "soonest": lambda: (Listing.available_from.asc().nulls_first(),),
}


def card_loads() -> tuple:
    return (
        selectinload(Listing.producer),
        selectinload(Listing.product),
        selectinload(Listing.category),
        selectinload(Listing.region),
        selectinload(Listing.images).selectinload(ListingImage.media),
    )


def get_live_listing(slug: str, today: date) -> Listing | None:
    """A listing the public may see today; None for anything else (drafts, past windows …)."""
    return db.session.scalar(
        select(Listing).where(Listing.slug == slug, listing_live_on(today)).options(*card_loads())
    )


def mark_authorization(listing: Listing, today: date) -> Authorization | None:
    """The authorisation behind a supply listing's GI name, when valid today: its badge links to
    the authorisation's verification page."""
    if listing.kind != "supply" or listing.product_id is None:
        return None
    return db.session.scalar(
        select(Authorization).where(
            Authorization.producer_id == listing.producer_id,
            Authorization.product_id == listing.product_id,
            authorization_valid_on(today),
        )
    )


def authorised_ids(listings: list[Listing], today: date) -> set[int]:
    """Which of ``listings`` carry the badge today, in one query (for the boards' cards)."""
    pairs = {(item.producer_id, item.product_id) for item in listings if item.kind == "supply"}
    pairs = {pair for pair in pairs if pair[1] is not None}
    if not pairs:
        return set()
    valid = set(
        db.session.execute(
            select(Authorization.producer_id, Authorization.product_id).where(
                sa.tuple_(Authorization.producer_id, Authorization.product_id).in_(list(pairs)),
                authorization_valid_on(today),
            )
        )
    )
    return {
        item.id
        for item in listings
        if item.kind == "supply" and (item.producer_id, item.product_id) in valid
    }


def organisation_listings(producer: Producer) -> list[tuple[Listing, int]]:
    """Every listing of an organisation with its view count, latest change first."""
    query = (
        select(Listing, sa.func.coalesce(ListingStat.views, 0))
        .outerjoin(ListingStat, ListingStat.listing_id == Listing.id)
        .where(Listing.producer_id == producer.id)
        .options(selectinload(Listing.product), selectinload(Listing.category))
        .order_by(Listing.updated_at.desc(), Listing.id.desc())
    )
    return [(listing, int(views)) for listing, views in db.session.execute(query)]


def view_count(listing: Listing) -> int:
    stat = db.session.get(ListingStat, listing.id)
    return stat.views if stat else 0


def form_choices(province_code: str | None) -> dict:
    """What the forms and filters offer: public products by pinyin, categories, the province's
    prefectures with their counties."""
    products = list(
        db.session.scalars(
            select(GIProduct).where(product_is_public()).order_by(GIProduct.name_pinyin)
        )
    )
    categories = list(db.session.scalars(select(Category).order_by(Category.position)))
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
    return {"products": products, "categories": categories, "prefectures": prefectures}
