"""Static files under names that carry their content's digest, so they can be kept for a year.

``url_for('static', filename='css/site.css')`` gives ``/static/css/site.3f9c2a1b7d0e.css`` (a
``url_defaults`` hook: templates need no change). That URL is answered with
``Cache-Control: public, max-age=31536000, immutable``; a new release changes the digest and so the
URL. An old digest (a page cached before a release) still gets the current file, with a short
lifetime, and the plain name is served as before.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request
from werkzeug.security import safe_join

from gi_registry.caching.store import Entry

YEAR = 365 * 24 * 3600
SHORT_LIFETIME = 300
DIGEST_CHARS = 12
HASHED_NAME = re.compile(
    rf"(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_CHARS}}})(?P<ext>\.[A-Za-z0-9]+)"
)


@dataclass(frozen=True)
class StaticFile:
    digest: str
    entry: Entry
    signature: tuple[int, int]


_files: dict[str, StaticFile] = {}
_lock = threading.Lock()


def _load(folder: str, filename: str) -> StaticFile | None:
    """The file's digest and bytes, read again only when its size or time changed."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        info = Path(path).stat()
    except (OSError, ValueError):  # ValueError: a NUL in the name ("/static/%00")
        return None
    if not Path(path).is_file():
        return None
    signature = (info.st_size, info.st_mtime_ns)
    key = f"{folder}/{filename}"
    known = _files.get(key)
    if known is not None and known.signature == signature:
        return known
    body = Path(path).read_bytes()
    mimetype, _ = mimetypes.guess_type(filename)
    mimetype = mimetype or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml"):
        mimetype += "; charset=utf-8"
    digest = hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]
    loaded = StaticFile(digest, Entry(200, [("Content-Type", mimetype)], body), signature)
    with _lock:
        _files[key] = loaded
    return loaded


def hashed_name(filename: str) -> str:
    loaded = _load(current_app.static_folder or "", filename)
    if loaded is None:
        return filename
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        return f"{filename}.{loaded.digest}"
    return f"{stem}.{loaded.digest}.{ext}"


def add_digest(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = hashed_name(values["filename"])


def serve(filename: str) -> Response:
    folder = current_app.static_folder or ""
    loaded = _load(folder, filename)
    immutable = False
    if loaded is None:
        match = HASHED_NAME.fullmatch(filename)
        loaded = _load(folder, match["stem"] + match["ext"]) if match else None
        if loaded is None or match is None:
            abort(404)
        immutable = match["digest"] == loaded.digest
    response = loaded.entry.response()
    response.set_etag(loaded.digest)
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if immutable else SHORT_LIFETIME
    if immutable:
        response.cache_control.immutable = True
    g.http_cache_entry = loaded.entry  # compress once per file, not per request
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.url_defaults(add_digest)
    app.view_functions["static"] = serve


__all__ = ["add_digest", "hashed_name", "init_app", "serve"]
