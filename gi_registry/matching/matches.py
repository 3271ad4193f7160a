"""A listing's best matches: candidates from indexes, scored in Python, the top few loaded for display."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.matching.candidates import candidates, side_of
from gi_registry.matching.scoring import Reason, Scored, Side, score_pair
from gi_registry.models import Listing, Producer

TOP = 20


@dataclass
class Match:
    listing: Listing
    score: float
    reasons: list[Reason]
    authorised: bool = False  # its producer may use the GI mark for its product today


def ranked(source: Side, others: list[Side], today: date) -> list[tuple[Side, Scored]]:
    """Scored matches, best first; ties go to the newer listing, then the higher id."""
    scored = [(other, s) for other in others if (s := score_pair(source, other, today))]
    scored.sort(key=lambda pair: (-pair[1].score, -pair[0].id))
    return scored


def find_matches(listing: Listing, limit: int = TOP, today: date | None = None) -> list[Match]:
    """The ``limit`` best public listings on the other side for ``listing``, best first."""
    today = today or local_today()
    source = side_of(listing)
    best = ranked(source, candidates(source, today, enough=limit), today)[:limit]
    loaded = display_listings([side.id for side, _ in best])
    return [Match(loaded[side.id], s.score, s.reasons, side.authorised) for side, s in best]


def count_matches(listing: Listing, today: date | None = None) -> int:
    """How many matches the bounded candidate set holds (every candidate matches; at most
    ``candidates.CANDIDATE_BOUND``)."""
    return len(candidates(side_of(listing), today or local_today()))


def display_listings(ids: list[int]) -> dict[int, Listing]:
    """Listings with what a match shows (producer, product, category, region) in one query."""
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Listing)
        .where(Listing.id.in_(ids))
        .options(
            joinedload(Listing.producer).joinedload(Producer.region),
            joinedload(Listing.product),
            joinedload(Listing.category),
            joinedload(Listing.region),
        )
    )
    return {item.id: item for item in rows}
