"""Batch trace codes (溯源): producers' batches and their QR label sheets under /portal/batches,
the public scan page /t/<token> (and its GS1 Digital Link form /01/<GTIN>/10/<batch>), the
dashboard's panel and ``flask batch``.

``views`` holds the portal pages, ``scan`` the public pages, ``labels`` draws the PDF sheet,
``panel`` adds the dashboard panel, ``cli`` the staff's commands. Writes go through
``services.trace``.
"""

from flask import Blueprint

bp = Blueprint("trace", __name__)

from gi_registry.trace import panel, scan, views  # noqa: E402,F401  (routes and the panel register)

__all__ = ["bp"]
