"""How a record found by search appears on the web: its page URL and its marked-up text.

The search package hands out kind, slug and (text, is_match) segments only; pages and the API turn
them into links and HTML here, so the engine stays usable from commands and workers.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from markupsafe import Markup, escape

from gi_registry.search.documents import KINDS
from gi_registry.web import public_base, public_url

# The page of each searchable kind.
ENDPOINTS = {
    "product": "catalog.product",
    "brand": "catalog.brand",
    "producer": "catalog.producer",
    "listing": "catalog.listing",
}
assert set(ENDPOINTS) >= set(KINDS), "every indexed kind needs a page to link to"


def record_url(kind: str, slug: str) -> str:
    """The root-relative path of a record's public page."""
    return url_for(ENDPOINTS[kind], slug=slug)


def marked_html(segments: list[tuple[str, bool]]) -> Markup:
    """Matches in <mark>, everything else escaped: safe to insert as HTML."""
    return Markup("").join(
        Markup("<mark>%s</mark>") % text if is_match else escape(text)
        for text, is_match in segments
    )


def page_url(endpoint: str, **values: Any) -> str:
    return public_url(url_for(endpoint, **values))


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for what leaves the site (QR codes, shared links, og:url, JSON-LD).

    Under ``PUBLIC_URL`` as the API builds it. Unset (development, a first start), the request's own
    host is the only base there is; production sets ``PUBLIC_URL`` so a forged Host header never
    reaches a printed label or a shared card.
    """
    url = page_url(endpoint, **values)
    if public_base() is None:
        return request.host_url.rstrip("/") + url
    return url
