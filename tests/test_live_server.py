"""The browser tests' server closes every response body, also when the client resets the connection."""

from __future__ import annotations

import socket
import struct
import threading
import time

from tests.live_server import make_live_server

BODY = b"x" * 200_000  # larger than one socket buffer: the reset can land mid-body or after it


class CountedBody:
    """A body whose close() is counted, as Flask's file wrapper closes its file."""

    opened = 0
    closed = 0
    lock = threading.Lock()

    def __init__(self) -> None:
        self.was_closed = False
        with CountedBody.lock:
            CountedBody.opened += 1

    def __iter__(self):
        yield BODY

    def close(self) -> None:
        with CountedBody.lock:
            CountedBody.closed += not self.was_closed  # a second close is allowed and not counted
            self.was_closed = True


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return CountedBody()


def reset_after_first_bytes(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        conn.recv(100)
        # SO_LINGER 0: close() sends a reset instead of a FIN, as a browser cancelling an image does.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_every_body_is_closed_when_clients_reset_their_connections():
    server = make_live_server(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            reset_after_first_bytes(server.server_port)
        deadline = time.monotonic() + 10
        while CountedBody.closed < 100 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    assert CountedBody.opened == 100
    assert CountedBody.closed == 100
