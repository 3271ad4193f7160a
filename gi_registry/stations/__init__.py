"""Trademark-brand guidance stations (商标品牌指导站): the directory, each station's page, the public
guidance request form and the request's status page; ``flask guidance`` for staff."""

from gi_registry.stations import sitemap  # noqa: F401  (registers its pages with sitemap.xml)
from gi_registry.stations.views import bp

__all__ = ["bp"]
