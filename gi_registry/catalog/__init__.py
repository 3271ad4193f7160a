"""Public pages: products, brands, producers and regions. The full showcase builds on these."""

from gi_registry.catalog.views import bp

__all__ = ["bp"]
