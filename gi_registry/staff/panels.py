"""The staff dashboard's panels: one per queue of pending work, in the order shown.

A panel function takes the province's date and returns a ``Panel`` (portal.panels) or None. Other
features add theirs to ``PANELS``; ``queue_panel`` draws the usual "count, first few, link" box, so
a new queue (misuse reports, say) needs only its query:

    PANELS.insert(REPORTS_SLOT, lambda today: queue_panel(_l("待处理的侵权举报"), n, url, items))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from gi_registry.extensions import db
from gi_registry.models import Authorization, GuidanceRequest, Listing, Producer
from gi_registry.portal.panels import Panel

PanelFunction = Callable[[date], Panel | None]
PREVIEW = 5  # rows a panel shows before "all …"
EXPIRY_WINDOW = timedelta(days=60)


def queue_panel(title: Any, count: int, url: str, items: Sequence[tuple[str, str]]) -> Panel:
    """A queue's box: its title and count, the first ``items`` as (text, link), and a link to all."""
    return Panel("staff/_queue.html", {"title": title, "count": count, "url": url, "rows": items})


def counted(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def pending_organisations(today: date) -> Panel:
    query = sa.select(Producer).where(Producer.status == "pending")
    first = db.session.scalars(query.order_by(Producer.id).limit(PREVIEW))
    items = [(p.name_zh, url_for("staff.organisation", slug=p.slug)) for p in first]
    url = url_for("staff.organisations", status="pending")
    return queue_panel(_l("待审核的经营主体"), counted(query), url, items)


def pending_listings(today: date) -> Panel:
    query = sa.select(Listing).where(Listing.status == "pending")
    first = db.session.scalars(query.order_by(Listing.updated_at, Listing.id).limit(PREVIEW))
    items = [(listing.title, url_for("staff.listings", status="pending")) for listing in first]
    url = url_for("staff.listings", status="pending")
    return queue_panel(_l("待审核的供需信息"), counted(query), url, items)


def open_guidance(today: date) -> Panel:
    query = sa.select(GuidanceRequest).where(GuidanceRequest.status == "received")
    first = db.session.scalars(query.order_by(GuidanceRequest.id).limit(PREVIEW))
    items = [
        (f"{r.tracking_code} · {r.question[:30]}", url_for("staff.request", code=r.tracking_code))
        for r in first
    ]
    url = url_for("staff.guidance", status="received")
    return queue_panel(_l("待答复的指导咨询"), counted(query), url, items)


def expiring_authorizations(today: date) -> Panel:
    """Active authorisations whose term ends within 60 days of the province's date (not yet past)."""
    query = (
        sa.select(Authorization)
        .where(
            Authorization.status == "active",
            Authorization.valid_to.is_not(None),
            Authorization.valid_to >= today,
            Authorization.valid_to <= today + EXPIRY_WINDOW,
        )
        .order_by(Authorization.valid_to, Authorization.id)
    )
    return Panel(
        "staff/_expiring.html",
        {
            "count": counted(query),
            "days": EXPIRY_WINDOW.days,
            "authorizations": list(db.session.scalars(query.limit(50))),
        },
    )


PANELS: list[PanelFunction] = [
    pending_organisations,
    pending_listings,
    open_guidance,
    expiring_authorizations,
]
# Where the misuse reports' panel belongs (PANELS.insert(REPORTS_SLOT, …)): after the listings.
REPORTS_SLOT = 2


def dashboard_panels(today: date) -> list[Panel]:
    return [panel for function in PANELS if (panel := function(today)) is not None]
