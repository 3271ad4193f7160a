"""The language switch: /lang/<code>?next=<the page the visitor was on>."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request

from gi_registry.i18n import LANGUAGE_COOKIE, LOCALES, bp

# Remembered for a year: a choice of language is not something a visitor wants to make twice.
COOKIE_MAX_AGE = 365 * 24 * 3600


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/``: the switch must not be an open redirect.

    Rejected: absolute and scheme-relative URLs (``https://x``, ``//x``), backslashes (browsers read
    ``/\\x`` as ``//x``), and control characters (a newline would split the Location header).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.route("/lang/<code>")
def switch(code: str):
    if code not in LOCALES:
        abort(404)
    response = redirect(local_path(request.args.get("next")), code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    # The redirect carries a cookie: never store it in a shared cache.
    response.cache_control.no_store = True
    response.headers["X-Robots-Tag"] = "noindex"
    return response
