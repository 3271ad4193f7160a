"""Open data: the published registry as gi-registry/1 JSON and as a Frictionless Data Package."""

from gi_registry.opendata.views import bp

__all__ = ["bp"]
