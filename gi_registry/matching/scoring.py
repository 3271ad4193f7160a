"""How well two listings match (产销对接): plain functions over plain values, with the weights below.

A match is scored in two steps. The *tier* is a hard order: the same GI product always outranks the
same category, however near, fresh or cheap the category match is. Within a tier, a weighted sum of
components in 0..1 places the candidates; the tier maps that sum into its own band of the final
score, so the score (0..1) sorts exactly as (tier, sum) does:

    same GI product   score = 0.50 + 0.50 × sum      (0.50 … 1.00)
    same category     score = 0.45 × sum             (0.00 … 0.45)

Every component that adds to the sum also gives a ``Reason``: structured data (a code and a value),
turned into words in the reader's language by ``reasons.reason_text``. docs/matching.md explains
the choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Within a tier; they add up to 1. Nearness first, then the trade terms, then boosts.
WEIGHTS = {
    "region": 0.30,  # same county 1, same prefecture 0.6, same province 0.3
    "window": 0.22,  # share of the shorter availability window that overlaps the other
    "quantity": 0.20,  # share of the demand the supply can meet (same unit only)
    "price": 0.15,  # price ranges overlap, or the supply is cheaper (same price unit only)
    "fresh": 0.08,  # published within a week 1, falling to 0 at 90 days
    "verified": 0.025,  # the other side's organisation is verified by the centre
    "authorised": 0.025,  # it holds a valid GI-mark authorisation for the product it offers
}
REGION_LEVELS = {"county": 1.0, "prefecture": 0.6, "province": 0.3}
PRODUCT_FLOOR = 0.5
CATEGORY_SPAN = 0.45
FRESH_DAYS = 7
STALE_DAYS = 90

TIER_PRODUCT = 2
TIER_CATEGORY = 1


@dataclass(frozen=True)
class Side:
    """What scoring needs of one listing. ``region_code`` is the listing's, or its producer's when
    the listing names none; ``authorised`` says whether the producer may use the GI mark today for
    the listing's product."""

    id: int
    kind: str
    producer_id: int
    product_id: int | None = None
    category_id: int | None = None
    region_code: str | None = None
    quantity: Decimal | None = None
    unit: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    price_unit: str = ""
    available_from: date | None = None
    available_to: date | None = None
    published_on: date | None = None
    verified: bool = False
    authorised: bool = False


@dataclass(frozen=True)
class Reason:
    """Why two listings match: ``code`` names the reason, ``value`` is its number or region code."""

    code: str
    value: int | str | None = None


@dataclass
class Scored:
    tier: int
    score: float
    reasons: list[Reason] = field(default_factory=list)


def tier(source: Side, other: Side) -> int:
    """2 for the same GI product, 1 for the same category, 0 for no match at all."""
    if source.product_id is not None and source.product_id == other.product_id:
        return TIER_PRODUCT
    if source.category_id is not None and source.category_id == other.category_id:
        return TIER_CATEGORY
    return 0


def can_match(source: Side, other: Side) -> bool:
    """Opposite kinds, different organisations, and a shared product or category."""
    return (
        source.kind != other.kind
        and source.producer_id != other.producer_id
        and tier(source, other) > 0
    )


def score_pair(source: Side, other: Side, today: date) -> Scored | None:
    """The score and reasons of ``other`` as a match for ``source``; None when they cannot match."""
    if not can_match(source, other):
        return None
    level = tier(source, other)
    reasons = [Reason("same_product" if level == TIER_PRODUCT else "same_category")]
    supply, demand = (source, other) if source.kind == "supply" else (other, source)
    parts = {
        "region": region_part(source.region_code, other.region_code),
        "window": window_part(source, other),
        "quantity": quantity_part(supply, demand),
        "price": price_part(supply, demand),
        "fresh": fresh_part(other.published_on, today),
        "verified": (1.0, Reason("verified")) if other.verified else (0.0, None),
        "authorised": (1.0, Reason("authorised")) if other.authorised else (0.0, None),
    }
    total = 0.0
    for name, (value, reason) in parts.items():
        total += WEIGHTS[name] * value
        if reason is not None:
            reasons.append(reason)
    total = min(1.0, max(0.0, total))
    score = (
        PRODUCT_FLOOR + PRODUCT_FLOOR * total if level == TIER_PRODUCT else CATEGORY_SPAN * total
    )
    return Scored(level, round(score, 4), reasons)


Part = tuple[float, Reason | None]


def shared_region(a: str | None, b: str | None) -> tuple[str, str] | None:
    """(level, code of the shared region) by GB/T 2260 structure: a county code is six digits, its
    prefecture the first four (+ "00"), its province the first two (+ "0000")."""
    if not a or not b or len(a) != 6 or len(b) != 6:
        return None
    if a == b and not a.endswith("00"):
        return "county", a
    if a[:4] == b[:4] and a[2:4] != "00":
        return "prefecture", a[:4] + "00"
    if a[:2] == b[:2]:
        return "province", a[:2] + "0000"
    return None


def region_part(a: str | None, b: str | None) -> Part:
    shared = shared_region(a, b)
    if shared is None:
        return 0.0, None
    level, code = shared
    return REGION_LEVELS[level], Reason("same_" + level, code)


def window_part(a: Side, b: Side) -> Part:
    """How much the availability windows overlap; an open end reaches as far as the other side's."""
    starts = [d for d in (a.available_from, b.available_from) if d is not None]
    ends = [d for d in (a.available_to, b.available_to) if d is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and end < start:
        return 0.0, None
    if start is None or end is None:
        return 1.0, Reason("window_open")
    days = (end - start).days + 1
    spans = [
        (s.available_to - s.available_from).days + 1
        for s in (a, b)
        if s.available_from is not None and s.available_to is not None
    ]
    share = min(1.0, days / min(spans)) if spans else 1.0
    if days >= 7:
        return share, Reason("window_weeks", days // 7)
    return share, Reason("window_days", days)


def quantity_part(supply: Side, demand: Side) -> Part:
    """The share of the wanted quantity that the offered quantity covers, in one unit."""
    if not supply.quantity or not demand.quantity or not supply.unit:
        return 0.0, None
    if supply.unit != demand.unit or supply.quantity <= 0 or demand.quantity <= 0:
        return 0.0, None
    share = min(1.0, float(supply.quantity / demand.quantity))
    percent = int(share * 100)
    return (share, Reason("quantity", percent)) if percent >= 1 else (0.0, None)


def price_range(side: Side) -> tuple[Decimal, Decimal] | None:
    if side.price_min is None:
        return None
    return side.price_min, side.price_max if side.price_max is not None else side.price_min


def price_part(supply: Side, demand: Side) -> Part:
    """Full marks when the asked and offered ranges overlap or the supply asks less; one price unit."""
    offered, wanted = price_range(supply), price_range(demand)
    if offered is None or wanted is None or not supply.price_unit:
        return 0.0, None
    if supply.price_unit != demand.price_unit:
        return 0.0, None
    if offered[0] <= wanted[1] and wanted[0] <= offered[1]:
        return 1.0, Reason("price_overlap")
    if offered[1] < wanted[0]:
        return 1.0, Reason("price_below")
    return 0.0, None


def fresh_part(published_on: date | None, today: date) -> Part:
    """Full within a week of publication, falling linearly to nothing at ``STALE_DAYS``."""
    if published_on is None:
        return 0.0, None
    age = max(0, (today - published_on).days)
    if age <= FRESH_DAYS:
        return 1.0, Reason("fresh")
    return max(0.0, 1 - (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)), None
