"""Candidates for a listing's matches, from indexes: a bounded set, whatever the table's size.

The other side's listings of the same product (then of the same category) are read through the
indexes ``ix_listings_match_{product,category}`` (status, kind, product or category, published_at)
and ``ix_listings_match_{product,category}_region`` (…, region_code, published_at), in index order and
with a LIMIT, so each query stops after a few dozen rows. Per tier:

- the newest listings in the same county (``COUNTY_LIMIT``),
- listings in the same prefecture and province (``PREFECTURE_LIMIT``, ``PROVINCE_LIMIT``; by region
  code, newest first within a county),
- the newest listings anywhere (``NEWEST_LIMIT``).

One UNION ALL statement reads them all with their scoring facts (the producer joined: its region,
verification and public status); scoring then happens in Python on at most ``CANDIDATE_BOUND`` rows. The trade-off (docs/matching.md): a good old listing in a far province,
or a listing without its own region whose producer is near, is found only among the newest; the
score is exact for every candidate found.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from gi_registry.extensions import db
from gi_registry.localtime import local_date
from gi_registry.matching.scoring import Side
from gi_registry.models import Authorization, GIProduct, Listing, Producer
from gi_registry.models.visibility import (
    authorization_valid_on,
    producer_is_public,
    product_is_public,
)

COUNTY_LIMIT = 20
PREFECTURE_LIMIT = 30
PROVINCE_LIMIT = 30
NEWEST_LIMIT = 60
CANDIDATE_BOUND = 2 * (COUNTY_LIMIT + PREFECTURE_LIMIT + PROVINCE_LIMIT + NEWEST_LIMIT)

OPPOSITE = {"supply": "demand", "demand": "supply"}

# What scoring needs of a listing, read together with its producer (one row per listing).
SIDE_COLUMNS = (
    Listing.id,
    Listing.kind,
    Listing.producer_id,
    Listing.product_id,
    Listing.category_id,
    sa.func.coalesce(Listing.region_code, Producer.region_code),
    Listing.quantity,
    Listing.unit,
    Listing.price_min,
    Listing.price_max,
    Listing.price_unit,
    Listing.available_from,
    Listing.available_to,
    Listing.published_at,
    Producer.verified,
)


# The statement's values travel as parameters, so each shape of statement is built, keyed and
# compiled once per process; building and keying an eight-part UNION per call cost more than running
# it (docs/matching.md).
P = {
    name: sa.bindparam(name, type_=kind)
    for name, kind in (
        ("kind", sa.String()),
        ("producer_id", sa.Integer()),
        ("today", sa.Date()),
        ("product_id", sa.Integer()),
        ("category_id", sa.Integer()),
        ("county", sa.String()),
        ("prefecture_from", sa.String()),
        ("prefecture_to", sa.String()),
        ("province_from", sa.String()),
        ("province_to", sa.String()),
    )
}


@dataclass(frozen=True)
class Shape:
    """Which statement: the tier ("product" or "category"; in the category tier, whether to leave
    out the source's product, read by the product tier) and the region levels the source has."""

    tier: str
    other_product: bool
    county: bool
    prefecture: bool
    province: bool


def matchable() -> sa.Select:
    """The other side's public listings, not of this organisation, whose window has not ended.

    ``visibility.listing_is_public`` as a join: the producer is read anyway (its region and
    verification), so its public test costs nothing more. The product's test is the tier's.
    """
    return (
        sa.select(*SIDE_COLUMNS)
        .join(Listing.producer)
        .where(
            Listing.status == "published",
            Listing.kind == P["kind"],
            Listing.producer_id != P["producer_id"],
            sa.or_(Listing.available_to.is_(None), Listing.available_to >= P["today"]),
            producer_is_public(),
        )
    )


def tier_condition(shape: Shape) -> sa.ColumnElement[bool]:
    """Same product, when that product is public (tested once, not per row); or same category: a
    whole category's listing or another public product's."""
    if shape.tier == "product":
        public = sa.exists().where(GIProduct.id == P["product_id"], product_is_public())
        return sa.and_(Listing.product_id == P["product_id"], public)
    other = Listing.product.has(product_is_public())
    if shape.other_product:
        other = sa.and_(Listing.product_id != P["product_id"], other)
    same = Listing.category_id == P["category_id"]
    return sa.and_(same, sa.or_(Listing.product_id.is_(None), other))


def region_queries(base: sa.Select, shape: Shape) -> list[sa.Select]:
    """Bounded reads near the source (county, prefecture, province by GB/T 2260 prefix)."""
    newest = (Listing.region_code.desc(), Listing.published_at.desc())
    queries = []
    if shape.county:
        queries.append(
            base.where(Listing.region_code == P["county"])
            .order_by(Listing.published_at.desc())
            .limit(COUNTY_LIMIT)
        )
    if shape.prefecture:
        near = Listing.region_code.between(P["prefecture_from"], P["prefecture_to"])
        queries.append(base.where(near).order_by(*newest).limit(PREFECTURE_LIMIT))
    if shape.province:
        near = Listing.region_code.between(P["province_from"], P["province_to"])
        queries.append(base.where(near).order_by(*newest).limit(PROVINCE_LIMIT))
    return queries


@functools.cache
def candidate_statement(shape: Shape) -> sa.CompoundSelect:
    base = matchable().where(tier_condition(shape))
    queries = region_queries(base, shape)
    queries.append(base.order_by(Listing.published_at.desc()).limit(NEWEST_LIMIT))
    # Each part keeps its own ORDER BY and LIMIT inside a subquery (SQLite allows neither on a
    # member of a compound SELECT).
    return sa.union_all(*(sa.select(*q.subquery().c) for q in queries))


def shape_and_values(source: Side, tier: str, today: date) -> tuple[Shape, dict]:
    region = source.region_code if source.region_code and len(source.region_code) == 6 else ""
    shape = Shape(
        tier=tier,
        other_product=source.product_id is not None,
        county=bool(region) and not region.endswith("00"),
        prefecture=bool(region) and region[2:4] != "00",
        province=bool(region),
    )
    values = {
        "kind": OPPOSITE[source.kind],
        "producer_id": source.producer_id,
        "today": today,
        "product_id": source.product_id,
        "category_id": source.category_id,
        "county": region,
        "prefecture_from": region[:4] + "00",
        "prefecture_to": region[:4] + "99",
        "province_from": region[:2] + "0000",
        "province_to": region[:2] + "9999",
    }
    return shape, values


def candidates(source: Side, today: date, enough: int | None = None) -> list[Side]:
    """At most ``CANDIDATE_BOUND`` listings that may match ``source``, with their scoring facts.

    The same-product tier is read first. When it alone gives ``enough`` candidates, the category
    tier is not read: its matches rank below every same-product match, so they could not reach the
    top ``enough``. One statement per tier read, one for the authorisations.
    """
    if source.kind not in OPPOSITE:
        return []
    rows: dict[int, sa.Row] = {}
    for tier, key in (("product", source.product_id), ("category", source.category_id)):
        if key is None or (enough is not None and len(rows) >= enough):
            continue
        shape, values = shape_and_values(source, tier, today)
        for row in db.session.execute(candidate_statement(shape), values):
            rows.setdefault(row[0], row)
    return sides_from_rows(list(rows.values()), today)


def load_sides(ids: Iterable[int], today: date) -> list[Side]:
    """The scoring facts of these listings, public or not."""
    ids = list(ids)
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(*SIDE_COLUMNS).join(Listing.producer).where(Listing.id.in_(ids))
    ).all()
    return sides_from_rows(rows, today)


def sides_from_rows(rows: list[sa.Row], today: date) -> list[Side]:
    authorised = valid_authorisations(rows, today)
    return [side_from_row(row, (row[2], row[3]) in authorised) for row in rows]


def side_from_row(row: sa.Row, authorised: bool) -> Side:
    (id_, kind, producer_id, product_id, category_id, region, quantity, unit) = row[:8]
    (price_min, price_max, price_unit, start, end, published_at, verified) = row[8:]
    return Side(
        id=id_,
        kind=kind,
        producer_id=producer_id,
        product_id=product_id,
        category_id=category_id,
        region_code=region,
        quantity=quantity,
        unit=unit or "",
        price_min=price_min,
        price_max=price_max,
        price_unit=price_unit or "",
        available_from=start,
        available_to=end,
        published_on=local_date(published_at) if published_at else None,
        verified=bool(verified),
        authorised=authorised,
    )


def valid_authorisations(rows: list[sa.Row], today: date) -> set[tuple[int, int]]:
    """(producer, product) pairs among ``rows`` whose GI-mark authorisation is valid today."""
    producers = {row[2] for row in rows if row[3] is not None}
    products = {row[3] for row in rows if row[3] is not None}
    if not products:
        return set()
    found = db.session.execute(
        sa.select(Authorization.producer_id, Authorization.product_id).where(
            Authorization.producer_id.in_(producers),
            Authorization.product_id.in_(products),
            authorization_valid_on(today),
        )
    ).all()
    return {(producer, product) for producer, product in found}


def side_of(listing: Listing) -> Side:
    """A listing already loaded (the page's or the API's) as scoring facts, without a query when its
    producer is loaded too. Its own authorisation plays no part: boosts are the other side's."""
    producer = listing.producer
    return Side(
        id=listing.id,
        kind=listing.kind,
        producer_id=listing.producer_id,
        product_id=listing.product_id,
        category_id=listing.category_id,
        region_code=listing.region_code or producer.region_code,
        quantity=listing.quantity,
        unit=listing.unit or "",
        price_min=listing.price_min,
        price_max=listing.price_max,
        price_unit=listing.price_unit or "",
        available_from=listing.available_from,
        available_to=listing.available_to,
        published_on=local_date(listing.published_at) if listing.published_at else None,
        verified=producer.verified,
    )
