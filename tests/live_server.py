"""The sample site on a local port for the browser tests: werkzeug's server, closing every body.

werkzeug's development server (3.1) skips ``close()`` on a response body when the client hangs up
after the body was sent: ``execute()`` drains the socket in a ``finally`` before it closes the body,
and reading a reset connection raises first. Chromium resets connections for images it no longer
needs, so a file opened by ``send_from_directory`` was left to the garbage collector, and its
ResourceWarning failed whichever test happened to run then. This server closes what the
application returned once the request is over, however it ended. Production serves through
gunicorn, which does not have the fault.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

_current = threading.local()  # the threaded server answers each request on its own thread


class _ClosingHandler(WSGIRequestHandler):
    def run_wsgi(self) -> None:
        _current.body = None
        try:
            super().run_wsgi()
        finally:
            body: Iterable[bytes] | None = _current.body
            _current.body = None
            close = getattr(body, "close", None)
            if close is not None:
                close()  # a second close of a Response or FileWrapper does nothing


def _remembering_bodies(app):
    def app_remembering_body(environ, start_response):
        body = app(environ, start_response)
        _current.body = body
        return body

    return app_remembering_body


def make_live_server(app) -> BaseWSGIServer:
    """A threaded server on a free port of 127.0.0.1; the caller runs ``serve_forever``."""
    return make_server(
        "127.0.0.1",
        0,
        _remembering_bodies(app),
        threaded=True,
        request_handler=_ClosingHandler,
    )
