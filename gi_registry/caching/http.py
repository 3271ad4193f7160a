"""Conditional answers for public pages and the API: weak ETags, 304s, Vary and the answer store.

An answer's ETag is a digest of the registry marker (marker.py), the language (pages only: the API
speaks one language) and the URL. A request whose If-None-Match holds it gets a 304 before any
view runs; a request for an answer already built gets the stored bytes. Neither needs more than
the marker's one small query.

Not cached, always built afresh: anything but GET and HEAD; views marked ``@exempt`` (search,
whose index follows the registry a moment after each commit); answers that read the session (a
form's CSRF token, a signed-in user), set a cookie, say ``private`` or ``no-store``, or are not 200.
A request that carries a session cookie is answered by the view, never from the store, but its
answer is still stored and given an ETag when it did not read the session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from flask import Response, current_app, g, request
from flask.globals import request_ctx
from flask_babel import get_locale

from gi_registry.caching.compress import compress
from gi_registry.caching.marker import registry_marker
from gi_registry.caching.store import AnswerStore, Entry

EXEMPT = "_http_cache_exempt"
# Pages follow the language, which comes from the `lang` cookie only; Accept-Language does not choose it
# (docs/i18n.md), so varying by it would only split caches.
PAGE_VARY = ("Cookie",)
# Headers the store leaves out: they are set afresh for every answer (or are per-visitor).
UNSTORED = {"set-cookie", "content-length", "date"}

View = TypeVar("View", bound=Callable)


def exempt(view: View) -> View:
    """Mark a view whose answers must never be stored or answered with a 304 by this module."""
    setattr(view, EXEMPT, True)
    return view


def is_api() -> bool:
    return request.path.startswith("/api/")


def cache_key() -> str:
    language = "" if is_api() else str(get_locale())
    query = request.query_string.decode("latin-1")
    raw = f"{registry_marker()}|{language}|{request.path}?{query}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _cacheable_request() -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint in (None, "static"):
        return False
    view = current_app.view_functions.get(request.endpoint)
    return view is not None and not getattr(view, EXEMPT, False)


def _has_session_cookie() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _store() -> AnswerStore:
    return current_app.extensions["caching"].store


def describe(response: Response, key: str) -> Response:
    """The validator and the headers a cache needs, on a full answer or a 304 alike."""
    response.set_etag(key, weak=True)
    if not is_api():
        for header in PAGE_VARY:
            response.vary.add(header)
    if not response.cache_control.max_age and not response.cache_control.no_cache:
        # Keep it, but ask first: a 304 costs one small query, and an edit shows at once.
        response.cache_control.no_cache = True
    return response


def before_request() -> Response | None:
    # g outlives the request when the caller holds an app context (tests, scripts): start clean.
    g.pop("http_cache_key", None)
    g.pop("http_cache_entry", None)
    if not _cacheable_request():
        return None
    key = g.http_cache_key = cache_key()
    if _has_session_cookie():
        return None
    if request.if_none_match.contains_weak(key):
        return describe(Response(status=304), key)
    entry = _store().get(key)
    if entry is None:
        return None
    g.http_cache_entry = entry
    return entry.response()


def _session_was_read() -> bool:
    """Whether the view read the session. The ``session`` proxy itself marks it read (Flask 3.1),
    so the request context's own session object is asked instead."""
    opened = getattr(request_ctx._get_current_object(), "_session", None)
    return bool(opened is not None and opened.accessed)


def _storable(response: Response) -> bool:
    control = response.cache_control
    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and not _session_was_read()
        and not (control.private or control.no_store)
    )


def after_request(response: Response) -> Response:
    key = g.pop("http_cache_key", None)
    entry = g.pop("http_cache_entry", None)
    if key is not None and entry is None and _storable(response):
        describe(response, key)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in UNSTORED]
        entry = Entry(200, headers, response.get_data())
        _store().put(key, entry)
        response = response.make_conditional(request)
    return compress(response, entry, _store())


__all__ = ["after_request", "before_request", "cache_key", "describe", "exempt"]
