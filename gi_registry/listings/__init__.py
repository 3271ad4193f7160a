"""Supply and demand listings (产销对接): the public boards (/listings), the listing page's content,
the organisation's pages under /portal/listings, its dashboard panel and ``flask listings``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("listings", __name__)

from gi_registry.listings import panel, portal, views  # noqa: E402,F401  (routes and the panel)

__all__ = ["bp"]
