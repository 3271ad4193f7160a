"""Read-only JSON API v1. See docs/api.md."""

from gi_registry.api.views import bp

__all__ = ["bp"]
