"""Read side of the showcase: public stories and events, the featured slots showing now, the home
page's key figures and the feeds' entries. Plain functions; pages and tests call them alike.

"Public" for a story or event is "published, not archived and due": a scheduled item appears when its
moment passes, with nothing to run. Slots are compared with the current instant (their bounds were
entered in the province's time and stored in UTC); events with the province's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import (
    Authorization,
    Brand,
    BrandImage,
    Event,
    FeatureSlot,
    GIProduct,
    Listing,
    Producer,
    ProductImage,
    Region,
    Story,
    now_utc,
)
from gi_registry.models.regions import region_family
from gi_registry.models.visibility import (
    brand_is_public,
    listing_in_regions,
    listing_is_public,
    producer_is_public,
    product_is_public,
)

FEED_LENGTH = 50


def is_public_at(model: type[Story] | type[Event], moment: datetime) -> sa.ColumnElement[bool]:
    """SQL twin of ``Publishable.is_public_at``."""
    return sa.and_(
        model.status == "published",
        model.archived_at.is_(None),
        model.published_at.is_not(None),
        model.published_at <= moment,
    )


def home_content() -> dict:
    """What the home page adds to the catalogue: slots showing now, stories, events, figures."""
    moment, today = now_utc(), local_today()
    events, events_upcoming = home_events(moment, today)
    return {
        "slots": showing_slots(moment),
        "stories": latest_stories(moment),
        "events": events,
        "events_upcoming": events_upcoming,
        "figures": key_figures(today),
    }


# --- Stories


def public_stories(moment: datetime) -> Select:
    """Public stories, newest first."""
    return (
        select(Story)
        .where(is_public_at(Story, moment))
        .options(selectinload(Story.cover))
        .order_by(Story.published_at.desc(), Story.id.desc())
    )


def get_public_story(slug: str, moment: datetime) -> Story | None:
    """A public story with the public ones of its products and brands."""
    return db.session.scalar(
        public_stories(moment)
        .where(Story.slug == slug)
        .options(selectinload(Story.products), selectinload(Story.brands))
    )


def latest_stories(moment: datetime, limit: int = 4) -> list[Story]:
    return list(db.session.scalars(public_stories(moment).limit(limit)))


# --- Events


@dataclass(frozen=True)
class EventList:
    upcoming: list[Event]  # soonest first; running now counts as upcoming
    past: list[Event]  # latest first
    undated: list[Event]  # the sources give no day (never invented)


def public_events(moment: datetime) -> Select:
    return select(Event).where(is_public_at(Event, moment)).options(selectinload(Event.region))


def upcoming_clause(today: date) -> sa.ColumnElement[bool]:
    """Dated and not yet over on ``today`` (the province's day)."""
    return sa.and_(
        Event.starts_on.is_not(None), func.coalesce(Event.ends_on, Event.starts_on) >= today
    )


def event_list(moment: datetime, today: date) -> EventList:
    query = public_events(moment)
    upcoming = query.where(upcoming_clause(today)).order_by(Event.starts_on, Event.id)
    past = query.where(Event.starts_on.is_not(None), ~upcoming_clause(today)).order_by(
        Event.starts_on.desc(), Event.id.desc()
    )
    undated = query.where(Event.starts_on.is_(None)).order_by(Event.published_at.desc())
    return EventList(
        upcoming=list(db.session.scalars(upcoming)),
        past=list(db.session.scalars(past)),
        undated=list(db.session.scalars(undated)),
    )


def get_public_event(slug: str, moment: datetime) -> Event | None:
    return db.session.scalar(public_events(moment).where(Event.slug == slug))


def home_events(moment: datetime, today: date, limit: int = 3) -> tuple[list[Event], bool]:
    """The next events; when none is coming, the latest past ones. (events, are_upcoming)."""
    query = public_events(moment)
    upcoming = list(
        db.session.scalars(
            query.where(upcoming_clause(today)).order_by(Event.starts_on, Event.id).limit(limit)
        )
    )
    if upcoming:
        return upcoming, True
    recent = query.order_by(Event.starts_on.desc().nulls_last(), Event.id.desc()).limit(limit)
    return list(db.session.scalars(recent)), False


# --- Featured slots


def showing_slots(moment: datetime, limit: int = 6) -> list[FeatureSlot]:
    """Slots whose window holds ``moment`` and whose target the public may see, by position."""
    target_public = sa.or_(
        FeatureSlot.product.has(product_is_public()),
        FeatureSlot.brand.has(brand_is_public()),
        FeatureSlot.story.has(is_public_at(Story, moment)),
        FeatureSlot.event.has(is_public_at(Event, moment)),
    )
    query = (
        select(FeatureSlot)
        .where(
            sa.or_(FeatureSlot.starts_at.is_(None), FeatureSlot.starts_at <= moment),
            sa.or_(FeatureSlot.ends_at.is_(None), FeatureSlot.ends_at > moment),
            target_public,
        )
        .options(
            selectinload(FeatureSlot.product)
            .selectinload(GIProduct.images)
            .selectinload(ProductImage.media),
            selectinload(FeatureSlot.brand)
            .selectinload(Brand.images)
            .selectinload(BrandImage.media),
            selectinload(FeatureSlot.story).selectinload(Story.cover),
            selectinload(FeatureSlot.event),
        )
        .order_by(FeatureSlot.position, FeatureSlot.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def all_slots() -> list[FeatureSlot]:
    """Every slot, for staff: by position, ended ones included."""
    return list(
        db.session.scalars(select(FeatureSlot).order_by(FeatureSlot.position, FeatureSlot.id))
    )


# --- Key figures


@dataclass(frozen=True)
class KeyFigures:
    products: int  # published GI products
    brands: int  # published brands
    producers: int  # active producers
    authorized_producers: int  # public producers that may use a GI mark today
    supply_listings: int  # open: public and not past their availability
    demand_listings: int


def authorized_today(today: date) -> sa.ColumnElement[bool]:
    """SQL twin of ``Authorization.is_valid_on(today)``, for a public producer and product."""
    return sa.and_(
        Authorization.status == "active",
        sa.or_(Authorization.valid_from.is_(None), Authorization.valid_from <= today),
        sa.or_(Authorization.valid_to.is_(None), Authorization.valid_to >= today),
        Authorization.producer.has(producer_is_public()),
        Authorization.product.has(product_is_public()),
    )


def open_listings(kind: str, today: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        listing_is_public(),
        Listing.kind == kind,
        sa.or_(Listing.available_to.is_(None), Listing.available_to >= today),
    )


def key_figures(today: date) -> KeyFigures:
    """The home page's figures, in one statement of scalar subqueries."""

    def count(model, *where) -> sa.ScalarSelect:
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    row = db.session.execute(
        select(
            count(GIProduct, product_is_public()),
            count(Brand, brand_is_public()),
            count(Producer, producer_is_public()),
            select(func.count(func.distinct(Authorization.producer_id)))
            .where(authorized_today(today))
            .scalar_subquery(),
            count(Listing, open_listings("supply", today)),
            count(Listing, open_listings("demand", today)),
        )
    ).one()
    return KeyFigures(*(int(n or 0) for n in row))


# --- Feeds


def new_products(region_code: str | None = None, limit: int = FEED_LENGTH) -> list[GIProduct]:
    """The latest public GI products, newest entry in the registry first; with a region, those
    whose protected area lies in it or below it."""
    query = select(GIProduct).where(product_is_public())
    if region_code:
        below, _ = region_family(region_code)
        query = query.where(GIProduct.regions.any(Region.code.in_(below)))
    query = query.options(selectinload(GIProduct.category), selectinload(GIProduct.regions))
    return list(
        db.session.scalars(
            query.order_by(GIProduct.created_at.desc(), GIProduct.id.desc()).limit(limit)
        )
    )


def new_listings(region_code: str | None = None, limit: int = FEED_LENGTH) -> list[Listing]:
    """The latest public listings; with a region, those in it or below it (the producer's region
    when the listing names none)."""
    query = select(Listing).where(listing_is_public())
    if region_code:
        below, _ = region_family(region_code)
        query = query.where(listing_in_regions(below))
    query = query.options(selectinload(Listing.producer), selectinload(Listing.product))
    return list(
        db.session.scalars(
            query.order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit)
        )
    )
