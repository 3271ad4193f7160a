"""Serving the stored picture sizes: the web face of ``gi_registry.services.media``."""

from gi_registry.media_files.views import bp

__all__ = ["bp"]
