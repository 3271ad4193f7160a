"""/sitemap.xml, /robots.txt and the canonical URL of every page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for

from gi_registry.seo import sitemap
from gi_registry.web import public_base, public_url

bp = Blueprint("seo", __name__)

# Query parameters that make a list page a page of its own (a category, a region, a page number).
# Everything else (a name filter, a page size, tracking tags) canonicalises to the page without it.
CANONICAL_PARAMS = ("category", "region", "protection", "kind", "gi", "page")
# Paths a crawler should leave alone: answers to queries (endless, and costly to build), QR-code
# tokens and tracking codes (not secret, but meant for whoever holds the pack or the receipt).
DISALLOWED = (
    "/search",
    "/api/v1/search",
    "/api/v1/suggest",
    "/verify/",
    "/verify?",
    "/guidance/requests/",
    "/*?*q=",
)


def absolute(path: str) -> str:
    """An absolute URL under PUBLIC_URL; without it, under the request's own host (never stored)."""
    if public_base() is not None:
        return public_url(path)
    return request.host_url.rstrip("/") + path


def xml(body: str) -> Response:
    response = Response(body, mimetype="application/xml")
    if public_base() is None:
        # Built from the Host header: a shared cache must not keep it for other hosts.
        response.cache_control.private = True
    return response


@bp.route("/sitemap.xml")
def sitemap_xml():
    entries = sitemap.all_entries()
    if len(entries) <= sitemap.URLS_PER_FILE:
        return xml(sitemap.urlset(entries, absolute))
    parts = -(-len(entries) // sitemap.URLS_PER_FILE)
    return xml(sitemap.index(parts, absolute))


@bp.route("/sitemap/<int:number>.xml")
def sitemap_part(number: int):
    entries = sitemap.all_entries()
    start = (number - 1) * sitemap.URLS_PER_FILE
    if number < 1 or start >= len(entries) or len(entries) <= sitemap.URLS_PER_FILE:
        abort(404)
    return xml(sitemap.urlset(entries[start : start + sitemap.URLS_PER_FILE], absolute))


@bp.route("/robots.txt")
def robots_txt():
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {absolute(url_for('seo.sitemap_xml'))}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    if public_base() is None:
        response.cache_control.private = True
    return response


def canonical_url() -> str | None:
    """This page's address without the parameters that do not make it a page of its own.

    Absolute under PUBLIC_URL; root-relative without it (the Host header is never trusted).
    """
    if request.endpoint is None or request.url_rule is None:
        return None
    kept = {
        name: request.args[name]
        for name in CANONICAL_PARAMS
        if request.args.get(name) and not (name == "page" and request.args[name] == "1")
    }
    return public_url(url_for(request.endpoint, **(request.view_args or {}), **kept))


bp.add_app_template_global(canonical_url)


__all__ = ["absolute", "bp", "canonical_url"]
