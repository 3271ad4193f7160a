"""/matching: supply and demand for one product, category or region side by side, with the best pairs.

The work is bounded whatever the table's size: the newest ``SIDE_LIMIT`` listings of each side (one
indexed query each), then every supply × demand pair among them scored in Python
(``SIDE_LIMIT``² pairs at most, no further queries), the best ``PAIR_LIMIT`` shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from gi_registry.extensions import db
from gi_registry.matching.candidates import load_sides
from gi_registry.matching.matches import display_listings
from gi_registry.matching.scoring import Reason, score_pair
from gi_registry.models import Category, GIProduct, Listing, Region
from gi_registry.models.regions import find_region, region_tree
from gi_registry.models.visibility import (
    listing_in_regions,
    listing_is_public,
    product_is_public,
)

SIDE_LIMIT = 20
PAIR_LIMIT = 10
PRODUCT_CHOICES = 300


@dataclass
class BoardFilters:
    product: GIProduct | None = None
    category: Category | None = None
    region: Region | None = None

    @property
    def chosen(self) -> bool:
        return bool(self.product or self.category or self.region)


@dataclass
class Pair:
    supply: Listing
    demand: Listing
    score: float
    reasons: list[Reason]


@dataclass
class Board:
    supply: list[Listing] = field(default_factory=list)
    demand: list[Listing] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)


def board_filters(args: MultiDict) -> BoardFilters:
    """?product=<slug>&category=<code>&region=<code>; unknown values are ignored (an empty board)."""
    product = None
    if slug := (args.get("product") or "").strip()[:80]:
        product = db.session.scalar(
            sa.select(GIProduct).where(GIProduct.slug == slug, product_is_public())
        )
    category = None
    if code := (args.get("category") or "").strip()[:32]:
        category = db.session.scalar(sa.select(Category).where(Category.code == code))
    return BoardFilters(product, category, find_region(args.get("region")))


def side_query(kind: str, filters: BoardFilters, today: date) -> sa.Select:
    query = sa.select(Listing.id).where(
        Listing.status == "published",
        Listing.kind == kind,
        sa.or_(Listing.available_to.is_(None), Listing.available_to >= today),
        listing_is_public(),
    )
    if filters.product is not None:
        query = query.where(Listing.product_id == filters.product.id)
    if filters.category is not None:
        query = query.where(Listing.category_id == filters.category.id)
    if filters.region is not None:
        codes = list(region_tree(filters.region.code))
        query = query.where(listing_in_regions(codes))
    return query.order_by(Listing.published_at.desc(), Listing.id.desc()).limit(SIDE_LIMIT)


def build_board(filters: BoardFilters, today: date) -> Board:
    if not filters.chosen:
        return Board()
    supply_ids = list(db.session.scalars(side_query("supply", filters, today)))
    demand_ids = list(db.session.scalars(side_query("demand", filters, today)))
    listings = display_listings(supply_ids + demand_ids)
    sides = load_sides(supply_ids + demand_ids, today)
    supplies = [s for s in sides if s.kind == "supply"]
    demands = [s for s in sides if s.kind == "demand"]
    scored = [
        (supply, demand, result)
        for demand in demands
        for supply in supplies
        if (result := score_pair(demand, supply, today))
    ]
    scored.sort(key=lambda t: (-t[2].score, -t[0].id, -t[1].id))
    pairs = [
        Pair(listings[s.id], listings[d.id], result.score, result.reasons)
        for s, d, result in scored[:PAIR_LIMIT]
    ]
    return Board([listings[i] for i in supply_ids], [listings[i] for i in demand_ids], pairs)


def product_choices() -> list[GIProduct]:
    """Public products that have a published listing, by name (at most ``PRODUCT_CHOICES``)."""
    listed = sa.select(Listing.product_id).where(
        Listing.status == "published", Listing.product_id.is_not(None)
    )
    return list(
        db.session.scalars(
            sa.select(GIProduct)
            .where(product_is_public(), GIProduct.id.in_(listed))
            .order_by(GIProduct.name_pinyin, GIProduct.slug)
            .limit(PRODUCT_CHOICES)
        )
    )
