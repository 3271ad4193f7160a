"""The showcase's stories, events and Atom feeds (public pages); the home page uses its queries."""

from gi_registry.promotion import sitemap  # noqa: F401  (registers its pages with sitemap.xml)
from gi_registry.promotion.views import bp

__all__ = ["bp"]
