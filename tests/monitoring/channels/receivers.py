"""Real receivers on 127.0.0.1 for the channel tests: an HTTP server that checks each
webhook's signature as a receiver would, and syslog receivers over UDP and TCP (octet-counted
frames). Each keeps what it received; `wait` blocks until a message came (bounded, so a
test that sends nothing fails instead of hanging)."""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crownjewels.monitoring.channels import formats
from tests.local_http import serving

#: the longest a test waits for a message that should arrive (never reached when it does)
PATIENCE = 10.0


@dataclass
class Received:
    """One webhook request: its headers, raw body and whether its signature checked out."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class WebhookReceiver:
    """What the HTTP receiver got; `key` is the signing key it checks against (set once the
    channel is added), `status` what it answers."""

    port: int
    key: str | None = None
    status: int = 200
    got: queue.Queue[Received] = field(default_factory=queue.Queue)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/alerts"

    def wait(self) -> Received:
        return self.got.get(timeout=PATIENCE)

    def empty(self) -> bool:
        return self.got.empty()


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A running HTTP receiver on a free port."""
    state: dict[str, WebhookReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = state["r"]
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = bool(receiver.key) and formats.verify(
                receiver.key or "",
                timestamp=headers.get(formats.TIMESTAMP_HEADER.lower(), ""),
                body=body,
                given=headers.get(formats.SIGNATURE_HEADER.lower(), ""),
                now=time.time(),
            )
            self.send_response(receiver.status if verified else 401)
            self.end_headers()
            self.wfile.write(b"ok" if verified else b"bad signature")
            receiver.got.put(Received(self.path, headers, body, verified))

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = WebhookReceiver(port=server.server_address[1])
    with serving(server):
        yield state["r"]


@dataclass
class SyslogReceiver:
    """What a syslog receiver got, one message per item."""

    transport: str
    port: int
    got: queue.Queue[bytes] = field(default_factory=queue.Queue)

    @property
    def target(self) -> str:
        return f"{self.transport}://127.0.0.1:{self.port}"

    def wait(self) -> bytes:
        return self.got.get(timeout=PATIENCE)


def _read_frames(conn: socket.socket, out: queue.Queue[bytes]) -> None:
    """Octet-counted frames (RFC 6587 §3.4.1) until the sender closes."""
    buffer = b""
    with conn:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buffer += chunk
            while b" " in buffer:
                length, rest = buffer.split(b" ", 1)
                if len(rest) < int(length):
                    break
                out.put(rest[: int(length)])
                buffer = rest[int(length) :]


@contextmanager
def syslog_receiver(transport: str) -> Iterator[SyslogReceiver]:
    """A running UDP or TCP syslog receiver on a free port."""
    kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))
    receiver = SyslogReceiver(transport, sock.getsockname()[1])
    stop = threading.Event()
    sock.settimeout(0.2)

    def serve() -> None:
        if transport == "tcp":
            sock.listen()
        while not stop.is_set():
            try:
                if transport == "udp":
                    data, _ = sock.recvfrom(65536)
                    receiver.got.put(data)
                else:
                    conn, _ = sock.accept()
                    conn.settimeout(PATIENCE)
                    _read_frames(conn, receiver.got)
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        stop.set()
        thread.join()
        sock.close()
