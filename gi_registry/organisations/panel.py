"""The dashboard's organisation panel: the organisation, its status, members and authorisations, or
for a user without one, the way to create one (or to accept an invitation)."""

from __future__ import annotations

from gi_registry.accounts.access import is_staff
from gi_registry.localtime import local_today
from gi_registry.models import User
from gi_registry.organisations.views import authorizations
from gi_registry.portal.panels import PANELS, Panel
from gi_registry.services.memberships import members


def organisation_panel(user: User) -> Panel | None:
    if user.producer is None:
        # Staff review organisations; they do not own one.
        return None if is_staff(user) else Panel("organisations/panel.html", {"producer": None})
    producer = user.producer
    return Panel(
        "organisations/panel.html",
        {
            "producer": producer,
            "members": members(producer),
            "authorizations": authorizations(producer),
            "today": local_today(),
        },
    )


if organisation_panel not in PANELS:
    PANELS.insert(0, organisation_panel)  # the organisation comes first: everything else is its
