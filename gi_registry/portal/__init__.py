"""The producer portal's home: the dashboard under /portal/ that gathers each feature's panel.

Each feature (organisations, listings, inquiries, trace codes) keeps its own pages and gives the
dashboard one panel function; this package only lays them out.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from gi_registry.portal import views  # noqa: E402,F401  (routes register on bp)
