"""The dashboard's listings panel: the organisation's listings with status and views.

Features that know more about a listing add columns through ``TABLE_EXTRAS`` (matching adds
``match_counts``: listing id → number of matches); ``templates/listings/_table.html`` shows a
column for each name it knows once a function provides it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gi_registry.listings import queries
from gi_registry.models import Listing, Producer, User
from gi_registry.portal.panels import PANELS, Panel

TableExtra = Callable[[list[Listing]], dict[str, Any]]
TABLE_EXTRAS: list[TableExtra] = []


def table_context(producer: Producer) -> dict[str, Any]:
    rows = queries.organisation_listings(producer)
    context: dict[str, Any] = {"rows": rows, "producer": producer}
    for extra in TABLE_EXTRAS:
        context.update(extra([listing for listing, _views in rows]))
    return context


def listings_panel(user: User) -> Panel | None:
    if user.producer is None:
        return None
    return Panel("listings/_panel.html", table_context(user.producer))


PANELS.append(listings_panel)
