"""The search results page: the web face of the search engine in ``gi_registry.search``."""

from gi_registry.search_pages.views import bp

__all__ = ["bp"]
