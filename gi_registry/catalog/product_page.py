"""What a product page shows around the product: who may use the mark today, brands, supply, kin.

Each part is one statement (two when a list is long enough to need its total), whatever its length,
so the page costs the same for a product with one producer as for one with five hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager, selectinload

from gi_registry.catalog.queries import (
    AUTHORIZATION_LIMIT,
    Capped,
    capped,
    card_options,
    product_brands,
    public_products,
)
from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, Brand, GIProduct, Listing, Producer, Region
from gi_registry.models.visibility import (
    authorization_valid_on,
    listing_current_on,
    producer_is_public,
)

LISTING_LIMIT = 12
RELATED_LIMIT = 8


@dataclass(frozen=True)
class ProductPage:
    product: GIProduct
    brands: list[Brand]
    authorizations: Capped[Authorization]
    listings: Capped[Listing]
    related: list[GIProduct]
    today: date


def product_page(product: GIProduct, today: date | None = None) -> ProductPage:
    today = today or local_today()
    return ProductPage(
        product=product,
        brands=product_brands(product),
        authorizations=authorized_on(product, today),
        listings=current_supply(product, today),
        related=related_products(product),
        today=today,
    )


def authorized_on(
    product: GIProduct, day: date, limit: int = AUTHORIZATION_LIMIT
) -> Capped[Authorization]:
    """Public producers that may use the product's GI mark on ``day`` (active and in date), by name.

    An expired, suspended, revoked or not yet valid authorisation is left out: the page answers
    "who may use it", and the producer's own page and the verification say why someone may not.
    """
    query = (
        select(Authorization)
        .join(Authorization.producer)
        .where(
            Authorization.product_id == product.id,
            producer_is_public(),
            authorization_valid_on(day),
        )
        .options(contains_eager(Authorization.producer))
        .order_by(Producer.name_pinyin, Producer.id)
    )
    return capped(query, limit)


def current_supply(product: GIProduct, day: date, limit: int = LISTING_LIMIT) -> Capped[Listing]:
    """Published supply listings of the product whose availability includes ``day``, newest first."""
    query = (
        select(Listing)
        .where(Listing.product_id == product.id, Listing.kind == "supply")
        .where(listing_current_on(day))
        .options(selectinload(Listing.producer))
        .order_by(Listing.available_from.desc().nulls_last(), Listing.id)
    )
    return capped(query, limit)


def related_products(product: GIProduct, limit: int = RELATED_LIMIT) -> list[GIProduct]:
    """Public products of the same category or sharing a region of the protected area.

    Those sharing both come first, then a shared region (a visitor there can buy both), then the
    category; by pinyin within each.
    """
    codes = [r.code for r in product.regions]
    shares_region = GIProduct.regions.any(Region.code.in_(codes))
    same_category = GIProduct.category_id == product.category_id
    rank = case((shares_region & same_category, 0), (shares_region, 1), else_=2)
    query = (
        public_products()
        .where(GIProduct.id != product.id, shares_region | same_category)
        .options(*card_options())
        .order_by(rank, GIProduct.name_pinyin, GIProduct.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
