"""A web server on 127.0.0.1 for tests that fetch (scans of a URL, watchlist feeds): quiet when
a client hangs up in the middle of an answer, which the size and time limit tests make it do
on purpose; any other error of a handler is still printed."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from socket import socket
from typing import Any


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server whose handler threads never outlive the test process."""

    daemon_threads = True

    def handle_error(self, request: socket | tuple[bytes, socket], client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # the client hung up: expected here
            return
        super().handle_error(request, client_address)
