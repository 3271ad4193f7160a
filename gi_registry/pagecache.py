"""Whole-response cache for public GET pages and API reads, dropped on every registry change.

Rendering a product page costs a dozen queries and a template; the answer only changes when the
registry changes. So each worker keeps rendered responses keyed by

    (registry generation, the province's date, language, method + path + query)

and answers a repeat from memory. The **generation** is the newest history entry's id
(``audit_entries``): every write through the services records history, in every process and on
every host that shares the database. A worker reads it at most every ``PAGE_CACHE_CHECK_SECONDS``
(one indexed ``max(id)``), and at once after its own commits, so its own writes are never served
stale. What changes with time alone (a story scheduled for 10:00, a featured slot's window) is bounded
by ``PAGE_CACHE_SECONDS``; the date in the key turns "authorised today" over at the province's midnight.

Never cached: requests that carry a session cookie (a signed-in user, a flashed message), responses
that touched the session (a form's CSRF token), set a cookie, are not 200, stream files, or come
from the endpoints in ``UNCACHED`` (search, suggestions: they follow the index, not the registry).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Request, Response, current_app, has_app_context, request
from flask.sessions import SessionInterface, SessionMixin
from flask_babel import get_locale
from sqlalchemy.orm import Session

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import AuditEntry

# Endpoints (or blueprint prefixes ending in ".") whose answers follow something else than the registry.
UNCACHED = ("search.", "api.search", "api.suggest", "media.", "static")
CACHED_TYPES = ("text/html", "application/json", "application/xml", "application/atom+xml")


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]

    def to_response(self) -> Response:
        response = Response(self.body, status=self.status, headers=list(self.headers))
        response.headers["X-Page-Cache"] = "hit"
        return response


class PageCache:
    """A bounded LRU of rendered responses, safe for threaded servers."""

    def __init__(self, max_entries: int, max_bytes: int, ttl: float, check_interval: float):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.check_interval = check_interval
        self._entries: OrderedDict[tuple, tuple[float, CachedResponse]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._generation_read_at = float("-inf")

    def generation(self) -> int:
        now = time.monotonic()
        if now - self._generation_read_at >= self.check_interval or self._generation is None:
            self._generation = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
            self._generation_read_at = now
        return self._generation

    def forget(self) -> None:
        """Drop everything and read the generation again (this process committed a change).

        Clearing, not only re-reading, so that a commit that wrote no history (a test's factory, a
        repair script) is still never served stale by the process that made it.
        """
        self.clear()
        self._generation_read_at = float("-inf")

    def get(self, key: tuple) -> CachedResponse | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, cached = found
            if time.monotonic() - stored_at > self.ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return cached

    def put(self, key: tuple, cached: CachedResponse) -> None:
        size = len(cached.body)
        if size > self.max_bytes // 8:  # one huge page must not flush everything else
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic(), cached)
            self._bytes += size
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: tuple) -> None:
        _, cached = self._entries.pop(key)
        self._bytes -= len(cached.body)


def init_app(app: Flask) -> None:
    if not app.config["PAGE_CACHE"]:
        return
    cache = PageCache(
        max_entries=app.config["PAGE_CACHE_ENTRIES"],
        max_bytes=app.config["PAGE_CACHE_BYTES"],
        ttl=app.config["PAGE_CACHE_SECONDS"],
        check_interval=app.config["PAGE_CACHE_CHECK_SECONDS"],
    )
    app.extensions["page_cache"] = cache
    # Any commit in this process may have changed the registry: look again before the next answer.
    if not sa.event.contains(Session, "after_commit", _forget_after_commit):
        sa.event.listen(Session, "after_commit", _forget_after_commit)
    app.before_request(_answer_from_cache)
    app.session_interface = StoreAfterSessionSave(app.session_interface)


class StoreAfterSessionSave(SessionInterface):
    """The app's session interface, storing each cacheable response once the session is saved.

    That moment comes after every ``after_request`` hook, so what is kept is exactly what the client
    got; and it is the one place that can tell whether the request used the session (reading
    ``flask.session.accessed`` in a hook would itself mark the session as used).
    """

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def open_session(self, app: Flask, request_: Request):
        return self.inner.open_session(app, request_)

    def is_null_session(self, obj: object) -> bool:
        return self.inner.is_null_session(obj)

    def save_session(self, app: Flask, session_: SessionMixin, response: Response) -> None:
        self.inner.save_session(app, session_, response)
        if not session_.accessed:
            _store_in_cache(response)


def _forget_after_commit(_session: Session) -> None:
    cache = page_cache() if has_app_context() else None
    if cache is not None:
        cache.forget()


def page_cache() -> PageCache | None:
    return current_app.extensions.get("page_cache")


def _cacheable_request() -> bool:
    if request.method != "GET" or request.endpoint is None:
        return False
    if request.endpoint.startswith(UNCACHED):
        return False
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _key(cache: PageCache) -> tuple:
    # Whether the client takes gzip is in the key: a compressed body must only go to those that do.
    gzip = "gzip" in request.accept_encodings
    return (cache.generation(), local_today(), str(get_locale()), gzip, request.full_path)


def _answer_from_cache() -> Response | None:
    cache = page_cache()
    if cache is None or not _cacheable_request():
        return None
    request.environ["gi.page_cache_key"] = key = _key(cache)
    cached = cache.get(key)
    if cached is None:
        return None
    request.environ["gi.page_cache_hit"] = True
    return cached.to_response()


def _store_in_cache(response: Response) -> None:
    key = request.environ.get("gi.page_cache_key")
    if key is None or request.environ.get("gi.page_cache_hit"):
        return
    if not _cacheable_response(response):
        return
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() != "content-length")
    page_cache().put(key, CachedResponse(response.get_data(), response.status_code, headers))
    response.headers["X-Page-Cache"] = "miss"


def _cacheable_response(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.direct_passthrough
        and not response.is_streamed
        and response.mimetype in CACHED_TYPES
        and "Set-Cookie" not in response.headers
        and "no-store" not in response.headers.get("Cache-Control", "")
        and "private" not in response.headers.get("Cache-Control", "")
    )
