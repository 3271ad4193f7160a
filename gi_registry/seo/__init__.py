"""Search engines: sitemap.xml (from per-feature sources), robots.txt and canonical URLs."""

from gi_registry.seo.sitemap import Entry, sitemap_source
from gi_registry.seo.views import bp, canonical_url

__all__ = ["Entry", "bp", "canonical_url", "sitemap_source"]
