"""Template helpers and response headers shared by every page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import nh3
from flask import Flask, Response, current_app, request, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from gi_registry import vocab
from gi_registry.localtime import local_date
from gi_registry.numbers import json_number

if TYPE_CHECKING:
    from gi_registry.models import MediaAsset

# Raw HTML in Markdown is off; what remains is sanitised again so a stored description can never
# carry a script, whatever editor produced it.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
    "a",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def render_markdown(text: str | None) -> Markup:
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


def public_url(path: str) -> str:
    """A path of this site as the public reaches it: absolute under ``PUBLIC_URL``, else root-relative.

    Never built from the request's Host header: a response that repeats a forged host could be kept
    by a shared cache and served to everyone (suggestions are cacheable for a minute).
    """
    base = public_base()
    if base is None:
        return path
    # url_for includes the mount point (SCRIPT_NAME); PUBLIC_URL already names it.
    root = request.script_root
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    return base + path


def public_base() -> str | None:
    value = current_app.config.get("PUBLIC_URL")
    return value.rstrip("/") if value else None


def srcset(asset: MediaAsset) -> str:
    """The ``srcset`` of a picture: each stored size with its width, smallest first."""
    return ", ".join(
        f"{url_for('media.file', filename=v['file'])} {v['width']}w"
        for v in sorted(asset.variants.values(), key=lambda v: v["width"])
    )


# ``sizes`` for each picture slot, from site.css: the page is .wrap (1120 px at most, 16 px padding
# each side). A browser picks the smallest file of ``srcset`` covering slot width × pixel ratio, so a
# slot that claims more than it gets makes a phone fetch the 1280 px file for a 170 px card.
# tests/test_browser.py measures the rendered widths at 375 and 1366 px against these.
IMAGE_SIZES = {
    # .grid: 2 columns (gap 12) on a phone, 3 (gap 14) from 640 px, 4 (gap 16) from 1000 px; the
    # picture sits inside the card's 1 px border.
    "card": (
        "(min-width: 1120px) 258px, (min-width: 1000px) calc(25vw - 22px), "
        "(min-width: 640px) calc(33.33vw - 22px), calc(50vw - 24px)"
    ),
    # .detail-head: one column on a phone, halves (gap 24) from 640 px, 11fr/9fr (gap 32) from 1000.
    "hero": (
        "(min-width: 1120px) 581px, (min-width: 1000px) calc(55vw - 35px), "
        "(min-width: 640px) calc(50vw - 28px), calc(100vw - 32px)"
    ),
    # .umbrella-head on /brands: the card's width less its padding and border, 280 px from 640.
    "umbrella": "(min-width: 640px) 280px, calc(100vw - 58px)",
    # .story-cover: the text column (46em, 736 px) once the window is wider than it and its margins.
    "cover": "(min-width: 768px) 736px, calc(100vw - 32px)",
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["number"] = json_number
    # Timestamps are stored in UTC; a page shows the date in the registry's time zone (TIMEZONE).
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.globals.update(vocab=vocab, srcset=srcset, image_sizes=IMAGE_SIZES)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        _relative_location(response)
        return response


def _relative_location(response: Response) -> None:
    """Make Werkzeug's own redirects (``//products`` → ``/products``) root-relative.

    It writes them absolute with the request's Host header, so a forged host would be repeated in a
    cacheable 308. Leading slashes (and backslashes, which browsers read as slashes) are folded so the
    result can never read as ``//other.host``.
    """
    location = response.headers.get("Location")
    if location and location.startswith(request.host_url):
        response.headers["Location"] = "/" + location[len(request.host_url) :].lstrip("/\\")
