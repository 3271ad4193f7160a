"""Supply-demand matching (产销对接): scoring (scoring.py), candidates from indexes (candidates.py),
a listing's best matches (matches.py), reasons in words (reasons.py) and the /matching board
(board.py, views.py), and what it adds to the listing page and the dashboard (hooks.py).
docs/matching.md has the weights and the trade-offs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__)

from gi_registry.matching import hooks, views  # noqa: E402,F401  (routes; page and panel hooks)
