"""URL converters: a malformed slug or region code is a 404 before any query runs.

Without them ``/products/a%00b`` reached PostgreSQL, which refuses text containing NUL, and the
visitor got a 500. Slugs follow the importer's rule (docs/data-format.md), so every importable record
stays reachable.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_LENGTH = (2, 80)


class SlugConverter(BaseConverter):
    regex = SLUG_PATTERN

    def to_python(self, value: str) -> str:
        # The length is checked here rather than in the pattern: the rule is a repeat of groups.
        low, high = SLUG_LENGTH
        if not low <= len(value) <= high:
            raise ValidationError()
        return value


class RegionCodeConverter(BaseConverter):
    """Six ASCII digits (GB/T 2260); ``[0-9]`` because ``\\d`` would accept full-width digits."""

    regex = r"[0-9]{6}"


CONVERTERS: dict[str, type[BaseConverter]] = {
    "slug": SlugConverter,
    "region_code": RegionCodeConverter,
}
