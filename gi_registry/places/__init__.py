"""Places and figures: the home province's map with GI counts per prefecture, and the statistics page.

The region pages themselves stay in ``catalog`` (``/regions``, ``/regions/<code>``); they draw the map
through the ``home_region_map()`` template global this package registers.
"""

from gi_registry.places.views import bp

__all__ = ["bp"]
