"""Read-only JSON API v1. See docs/api.md and /api/v1/openapi.json."""

from gi_registry.api import openapi  # noqa: F401  (registers /openapi.json on bp)
from gi_registry.api.views import bp

__all__ = ["bp"]
