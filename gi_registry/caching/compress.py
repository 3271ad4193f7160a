"""gzip for text answers, where no proxy in front does it (``COMPRESS_RESPONSES``).

Brotli would save another ~15 % on HTML, but needs a compiled package; gzip is in the standard
library and what every browser and WeChat's accepts. A stored answer is compressed once, not per
request. Bodies under ``COMPRESS_MIN_BYTES`` are sent as they are: the header costs more than it saves.
"""

from __future__ import annotations

import gzip

from flask import Response, current_app, request

from gi_registry.caching.store import GZIP_LEVEL, AnswerStore, Entry

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/atom+xml",
    "application/schema+json",
    "image/svg+xml",
)
NO_BODY = {204, 206, 304}


def _compressible(response: Response) -> bool:
    return (
        response.status_code not in NO_BODY
        and "Content-Encoding" not in response.headers
        and not response.is_streamed
        and not response.direct_passthrough
        and (response.mimetype or "").startswith(COMPRESSIBLE)
    )


def compress(response: Response, entry: Entry | None, store: AnswerStore | None) -> Response:
    if not current_app.config["COMPRESS_RESPONSES"] or not _compressible(response):
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    body = response.get_data()
    if len(body) < current_app.config["COMPRESS_MIN_BYTES"]:
        return response
    if entry is not None and entry.body == body:
        before = entry.size
        packed = entry.gzip()
        if store is not None:
            store.grew(entry, before)
    else:
        packed = gzip.compress(body, GZIP_LEVEL, mtime=0)
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # the bytes differ now; only the meaning is the same
        response.set_etag(etag, weak=True)
    return response


__all__ = ["compress"]
