"""A real feed server on 127.0.0.1 (http.server in a thread): RSS with an ETag that answers
304 when unchanged, Atom, and the failures a fetch must survive: too large (announced, or
streamed without a length), too slow, malformed XML, not a feed, missing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

from tests.local_http import LocalServer, serving


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 document of (guid, title, description) items."""
    body = "".join(
        f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title>"
        f"<link>https://news.example.com/{escape(g)}</link>"
        f"<description>{escape(d)}</description>"
        "<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>"
        for g, t, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Test feed</title><link>https://news.example.com/</link>{body}</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, str, str]]) -> bytes:
    """An Atom 1.0 document of (id, title, summary) entries."""
    body = "".join(
        f"<entry><id>{escape(i)}</id><title>{escape(t)}</title>"
        f'<link href="https://patents.example.com/{escape(i)}"/>'
        f'<updated>2026-11-02T09:00:00Z</updated><summary type="html">{escape(s)}</summary></entry>'
        for i, t, s in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Patents</title><id>urn:test</id><updated>2026-11-02T09:00:00Z</updated>{body}</feed>"
    ).encode()


@dataclass
class FeedServer:
    """What the server answers, by path; `requests` counts each path asked."""

    base: str = ""
    documents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path
            server.requests[path] = server.requests.get(path, 0) + 1
            if path == "/huge":  # announces its size
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                return
            if path == "/endless":  # no length: streams past any limit
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                try:
                    for _ in range(256):
                        self.wfile.write(b"<!-- padding -->" * 4096)
                except OSError:
                    pass
                return
            if path == "/slow":  # starts, then stalls until the test ends
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                try:
                    self.wfile.write(b"<?xml version='1.0'?><rss version='2.0'>")
                    self.wfile.flush()
                    while not server.release.wait(0.05):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass
                return
            if path not in server.documents:
                self.send_error(404, "Not Found")
                return
            data, etag = server.documents[path]
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    """A feed server on a free port of 127.0.0.1 for the block."""
    state = FeedServer()
    httpd = LocalServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    with serving(httpd):
        try:
            yield state
        finally:
            state.release.set()
