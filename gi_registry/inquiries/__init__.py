"""Inquiries on the web: asking about a listing, the threads under /portal/inquiries, and the
dashboard's panel of the latest threads (services/inquiries.py holds the rules)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inquiries", __name__)

from gi_registry.inquiries import views  # noqa: E402,F401  (routes register on bp)
from gi_registry.inquiries.panel import register_panel  # noqa: E402

register_panel()
