"""What a page carries for leaving the site: its QR code, schema.org JSON-LD and Open Graph tags.

All of it names the page by its canonical absolute URL (``links.absolute_url``), so a QR code on a
poster, a card shared in WeChat and a search engine's record all point at the same address.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import segno
from flask_babel import gettext as _
from markupsafe import Markup

from gi_registry.links import absolute_url
from gi_registry.models import Brand, GIProduct, MediaAsset

# Card-sized pictures for previews: WeChat and others want at least 300 px and load them on phones.
PREVIEW_VARIANT = "card"
DESCRIPTION_CHARS = 150
# JSON inside <script> ends at the first "</": escaping "<", ">" and "&" as JSON escapes keeps any
# stored text from closing the element early, and the data parses the same.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@lru_cache(maxsize=2048)
def qr_svg(url: str, title: str, lang: str = "") -> Markup:
    """The URL as an inline SVG QR code, error correction M (a smudged label still reads).
    ``lang``: the title's language where it differs from the page's (a Chinese name on an
    English page).

    segno writes presentation attributes only (fill, stroke), no ``style``, so the page's
    Content-Security-Policy has nothing to refuse. Cached: the same page asks for the same code.
    """
    code = segno.make(url, error="m")
    svg = code.svg_inline(
        scale=4, border=4, svgclass="qr-code", lineclass=None, light="#fff", title=title
    )
    lang_attr = f' lang="{lang}"' if lang else ""
    return Markup(svg.replace("<svg ", f'<svg role="img"{lang_attr} ', 1))


def image_url(asset: MediaAsset | None, variant: str = PREVIEW_VARIANT) -> str | None:
    if asset is None:
        return None
    return absolute_url("media.file", filename=asset.file_for(variant))


def first_image(record: GIProduct | Brand) -> MediaAsset | None:
    return record.images[0].media if record.images else None


def short_description(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"


def product_json_ld(product: GIProduct, brands: list[Brand], url: str) -> Markup:
    """schema.org ``Product`` with the fields the registry knows to be true, ready for a
    ``<script type="application/ld+json">``.

    countryOfOrigin is China for every GI the registry holds (protected areas are Chinese divisions);
    no offers, ratings or prices: the registry sells nothing and has no reviews.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name_zh,
        "url": url,
        "category": product.category.name_zh,
        "countryOfOrigin": {"@type": "Country", "name": _("中国")},
    }
    if product.summary:
        data["description"] = product.summary
    names = [n for n in (product.name_en, *product.aliases) if n]
    if names:
        data["alternateName"] = names
    images = [image_url(link.media, "hero") for link in product.images]
    if images:
        data["image"] = images
    if brands:
        data["brand"] = [{"@type": "Brand", "name": b.name_zh} for b in brands]
    return Markup(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


def open_graph(
    title: str, description: str, url: str, image: MediaAsset | None, kind: str = "website"
) -> dict:
    """Open Graph properties (og:*) in the order a page writes them as <meta property> tags.
    ``kind`` is og:type: "website" for a record's page, "article" for a story."""
    tags = {
        "og:type": kind,
        "og:title": title,
        "og:description": short_description(description),
        "og:url": url,
        "og:site_name": _("吉林地理标志与品牌名录"),
    }
    if image is not None:
        variant = image.variants[PREVIEW_VARIANT]
        tags["og:image"] = image_url(image)
        tags["og:image:width"] = str(variant["width"])
        tags["og:image:height"] = str(variant["height"])
    return tags
