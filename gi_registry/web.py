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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["number"] = json_number
    # Timestamps are stored in UTC; a page shows the date in the registry's time zone (TIMEZONE).
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.globals.update(vocab=vocab, srcset=srcset)

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
