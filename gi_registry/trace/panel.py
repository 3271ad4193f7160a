"""The dashboard's batch panel: the organisation's latest batches with their scan counts, and a
link to create one when the organisation holds an authorisation valid today."""

from __future__ import annotations

from gi_registry.models import User
from gi_registry.portal.panels import PANELS, Panel
from gi_registry.services.trace import authorised_products, scan_counts
from gi_registry.trace.queries import newest_batches

RECENT = 5


def batches_panel(user: User) -> Panel | None:
    producer = user.producer
    if producer is None:
        return None
    recent = newest_batches(producer, RECENT)
    can_create = bool(authorised_products(producer))
    if not recent and not can_create:
        return None  # nothing to show and nothing it may do here
    return Panel(
        "trace/_panel.html",
        {
            "batches": recent,
            "counts": scan_counts([b.id for b in recent]),
            "can_create": can_create,
        },
    )


PANELS.append(batches_panel)
