"""Candidates for a listing's matches, from indexes: a bounded set, whatever the table's size.

The other side's listings of the same product (then of the same category) are read through the
indexes ``ix_listings_match_{product,category}`` (status, kind, product or category, published_at)
and ``ix_listings_match_{product,category}_region`` (…, region_code, published_at), in index order and
with a LIMIT, so each query stops after a few dozen rows. Per tier:

- the newest listings in the same county (``COUNTY_LIMIT``),
- listings in the same prefecture and province (``PREFECTURE_LIMIT``, ``PROVINCE_LIMIT``; by region
  code, newest first within a county),
- the newest listings anywhere (``NEWEST_LIMIT``).

One UNION ALL statement reads them all; scoring then happens in Python on at most
``CANDIDATE_BOUND`` rows. The trade-off (docs/matching.md): a good old listing in a far province,
or a listing without its own region whose producer is near, is found only among the newest; the
score is exact for every candidate found.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from gi_registry.extensions import db
from gi_registry.localtime import local_date
from gi_registry.matching.scoring import Side
from gi_registry.models import Authorization, Listing, Producer
from gi_registry.models.visibility import authorization_valid_on, listing_is_public

COUNTY_LIMIT = 40
PREFECTURE_LIMIT = 60
PROVINCE_LIMIT = 60
NEWEST_LIMIT = 120
CANDIDATE_BOUND = 2 * (COUNTY_LIMIT + PREFECTURE_LIMIT + PROVINCE_LIMIT + NEWEST_LIMIT)

OPPOSITE = {"supply": "demand", "demand": "supply"}


def matchable(kind: str, producer_id: int, today: date) -> list[sa.ColumnElement[bool]]:
    """The other side's public listings, not of this organisation, whose window has not ended."""
    return [
        Listing.status == "published",
        Listing.kind == kind,
        Listing.producer_id != producer_id,
        sa.or_(Listing.available_to.is_(None), Listing.available_to >= today),
        listing_is_public(),
    ]


def tier_conditions(source: Side) -> list[sa.ColumnElement[bool]]:
    """Same product; same category (another product's or a whole category's listing)."""
    tiers = []
    if source.product_id is not None:
        tiers.append(Listing.product_id == source.product_id)
    if source.category_id is not None:
        other_product = sa.or_(
            Listing.product_id.is_(None), Listing.product_id != source.product_id
        )
        same = Listing.category_id == source.category_id
        tiers.append(sa.and_(same, other_product) if source.product_id is not None else same)
    return tiers


def region_queries(base: sa.Select, region: str | None) -> list[sa.Select]:
    """Bounded reads near ``region`` (county, prefecture, province by GB/T 2260 prefix)."""
    if not region or len(region) != 6:
        return []
    newest = (Listing.region_code.desc(), Listing.published_at.desc())
    queries = []
    if not region.endswith("00"):
        queries.append(
            base.where(Listing.region_code == region)
            .order_by(Listing.published_at.desc())
            .limit(COUNTY_LIMIT)
        )
    if region[2:4] != "00":
        prefecture = Listing.region_code.between(region[:4] + "00", region[:4] + "99")
        queries.append(base.where(prefecture).order_by(*newest).limit(PREFECTURE_LIMIT))
    province = Listing.region_code.between(region[:2] + "0000", region[:2] + "9999")
    queries.append(base.where(province).order_by(*newest).limit(PROVINCE_LIMIT))
    return queries


def candidate_ids(source: Side, today: date) -> list[int]:
    """Ids of at most ``CANDIDATE_BOUND`` listings that may match ``source``, in one statement."""
    kind = OPPOSITE.get(source.kind)
    if kind is None:
        return []
    common = matchable(kind, source.producer_id, today)
    queries: list[sa.Select] = []
    for condition in tier_conditions(source):
        base = sa.select(Listing.id).where(*common, condition)
        queries += region_queries(base, source.region_code)
        queries.append(base.order_by(Listing.published_at.desc()).limit(NEWEST_LIMIT))
    if not queries:
        return []
    # Each part keeps its own ORDER BY and LIMIT inside a subquery (SQLite allows neither on a
    # member of a compound SELECT).
    parts = [sa.select(q.subquery().c.id) for q in queries]
    ids = db.session.scalars(sa.union_all(*parts)).all()
    return list(dict.fromkeys(ids))


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


def load_sides(ids: Iterable[int], today: date) -> list[Side]:
    """The scoring facts of these listings: two queries (listings with producers, authorisations)."""
    ids = list(ids)
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(*SIDE_COLUMNS).join(Listing.producer).where(Listing.id.in_(ids))
    ).all()
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


def side_of(listing: Listing, today: date) -> Side:
    """A listing already loaded (the page's or the API's) as scoring facts."""
    return load_sides([listing.id], today)[0]
