"""What the public may see, as SQL: one rule for pages, the API and the search index.

The Python side of the same rules is each model's ``is_public`` property.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from gi_registry.models.brands import Brand
from gi_registry.models.catalog import GIProduct
from gi_registry.models.listings import Listing
from gi_registry.models.producers import Authorization, Producer
from gi_registry.models.stations import GuidanceStation


def product_is_public() -> sa.ColumnElement[bool]:
    return sa.and_(GIProduct.status == "published", GIProduct.archived_at.is_(None))


def producer_is_public() -> sa.ColumnElement[bool]:
    return sa.and_(Producer.status == "active", Producer.archived_at.is_(None))


def brand_is_public() -> sa.ColumnElement[bool]:
    return sa.and_(Brand.status == "published", Brand.archived_at.is_(None))


def listing_is_public() -> sa.ColumnElement[bool]:
    """Published, by a public producer, and hidden with its product when it names one."""
    return sa.and_(
        Listing.status == "published",
        Listing.producer.has(producer_is_public()),
        sa.or_(Listing.product_id.is_(None), Listing.product.has(product_is_public())),
    )


def listing_in_regions(codes: list[str]) -> sa.ColumnElement[bool]:
    """A listing placed in one of ``codes``: its own region, or its producer's when it names none."""
    return sa.or_(
        Listing.region_code.in_(codes),
        sa.and_(
            Listing.region_code.is_(None), Listing.producer.has(Producer.region_code.in_(codes))
        ),
    )


def listing_live_on(day: date) -> sa.ColumnElement[bool]:
    """Public and not past its availability window on ``day``: what the boards, the listing page, the
    API and matching show. A listing not yet available is live (buyers plan ahead)."""
    return sa.and_(
        listing_is_public(), sa.or_(Listing.available_to.is_(None), Listing.available_to >= day)
    )


def station_is_public() -> sa.ColumnElement[bool]:
    return sa.and_(GuidanceStation.status == "published", GuidanceStation.archived_at.is_(None))


def authorization_valid_on(day: date) -> sa.ColumnElement[bool]:
    """May the producer use the GI mark on ``day``? ``Authorization.is_valid_on`` as SQL."""
    return sa.and_(
        Authorization.status == "active",
        sa.or_(Authorization.valid_from.is_(None), Authorization.valid_from <= day),
        sa.or_(Authorization.valid_to.is_(None), Authorization.valid_to >= day),
    )


def listing_current_on(day: date) -> sa.ColumnElement[bool]:
    """A public listing whose availability window (open at either end) includes ``day``."""
    return sa.and_(
        listing_is_public(),
        sa.or_(Listing.available_from.is_(None), Listing.available_from <= day),
        sa.or_(Listing.available_to.is_(None), Listing.available_to >= day),
    )
