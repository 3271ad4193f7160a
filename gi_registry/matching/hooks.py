"""Matching's additions to the listing features: the best matches on a listing's page and the number
of matches in the dashboard's listing table (extension points in listings.views and listings.panel)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gi_registry.listings.panel import TABLE_EXTRAS
from gi_registry.listings.views import PAGE_EXTRAS
from gi_registry.localtime import local_today
from gi_registry.matching.matches import count_matches, find_matches
from gi_registry.matching.reasons import reason_lists
from gi_registry.models import Listing

# The dashboard counts matches for this many of an organisation's published listings at most
# (each count is one bounded candidate read, docs/matching.md).
COUNTED = 50


def page_matches(listing: Listing, today: date) -> dict[str, Any]:
    """The listing page's best matches and their reasons in the page's language."""
    found = find_matches(listing, today=today)
    return {"matches": found, "match_reasons": reason_lists([m.reasons for m in found])}


def match_counts(listings: list[Listing]) -> dict[str, Any]:
    """Matches per published listing: the bounded candidate set's size (every candidate matches)."""
    today = local_today()
    published = [item for item in listings if item.status == "published"][:COUNTED]
    return {"match_counts": {item.id: count_matches(item, today) for item in published}}


PAGE_EXTRAS.append(page_matches)
TABLE_EXTRAS.append(match_counts)
