"""Numbers as JSON and pages show them."""

from __future__ import annotations

from decimal import Decimal


def json_number(value: Decimal | None) -> int | float | None:
    """JSON numbers: 12 rather than 12.000, so exports stay stable across databases."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value.normalize())
