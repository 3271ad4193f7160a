"""Page numbers and sizes from a query string, bounded, and the error that names a bad parameter.

A leaf module, so that every web feature can read ``?page=`` the same way: a number too large for
the database (``page=99999999999999999999``) is capped, not passed on. ``strict`` (the API) refuses
what is out of range with a ``ParamError`` naming the field; pages fall back to the nearest value.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

MAX_PAGE = 10_000


class ParamError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def page_number(args: MultiDict, *, strict: bool) -> int:
    return _bounded_int(args, "page", 1, 1, MAX_PAGE, strict)


def per_page(args: MultiDict, default: int, maximum: int, *, strict: bool) -> int:
    return _bounded_int(args, "per_page", default, 1, maximum, strict)


def _bounded_int(
    args: MultiDict, name: str, default: int, low: int, high: int, strict: bool
) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw) if len(raw) <= 9 else high + 1
    except ValueError:
        if strict:
            raise ParamError(name, "应为整数") from None
        return default
    if low <= value <= high:
        return value
    if strict:
        raise ParamError(name, f"应在 {low} 到 {high} 之间")
    return min(max(value, low), high)
