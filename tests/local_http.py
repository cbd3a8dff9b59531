"""A web server on 127.0.0.1 for tests that fetch (scans of a URL, watchlist feeds): quiet when
a client hangs up in the middle of an answer, which the size and time limit tests make it do
on purpose; any other error of a handler is still printed. `serving` runs any socketserver in a
thread for the duration of a block."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from socket import socket
from socketserver import BaseServer
from typing import Any, TypeVar

S = TypeVar("S", bound=BaseServer)

#: how often serve_forever looks for shutdown: the default 0.5 s made each server's stop wait
#: up to half a second (about 10 s of every test run across the suite's servers)
POLL_SECONDS = 0.05


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server whose handler threads never outlive the test process."""

    daemon_threads = True

    def handle_error(self, request: socket | tuple[bytes, socket], client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # the client hung up: expected here
            return
        super().handle_error(request, client_address)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """`server` answering in a daemon thread; shut down and closed when the block ends."""
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
