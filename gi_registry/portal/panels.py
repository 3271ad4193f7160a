"""The dashboard's panels, in the order they are shown.

A panel is a function of the signed-in user that returns the template to include and its context,
or None when it has nothing to show that user. Features add theirs to ``PANELS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gi_registry.models import User


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelFunction = Callable[[User], Panel | None]

PANELS: list[PanelFunction] = []


def dashboard_panels(user: User) -> list[Panel]:
    return [panel for function in PANELS if (panel := function(user)) is not None]
