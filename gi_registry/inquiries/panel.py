"""The dashboard's inquiries panel: the latest threads with their unread counts."""

from __future__ import annotations

from gi_registry.models import User
from gi_registry.portal.panels import PANELS, Panel
from gi_registry.services.inquiries import threads_of

PANEL_SIZE = 5


def inquiries_panel(user: User) -> Panel:
    summaries = threads_of(user, limit=PANEL_SIZE)
    return Panel("inquiries/_panel.html", {"summaries": summaries})


def register_panel() -> None:
    if inquiries_panel not in PANELS:
        PANELS.append(inquiries_panel)
