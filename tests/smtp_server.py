"""A real SMTP server on a free local port (aiosmtpd) that keeps what it receives, for the
mail tests; and a port where nothing listens, for a failing server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """What the server received: each envelope, and its parsed message."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list[Message]:
        return [message_from_bytes(e.content) for e in self.envelopes]

    def bodies(self) -> list[str]:
        """The plain-text body of each message."""
        out = []
        for m in self.messages:
            payload = m.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out.append(payload.decode())
        return out


def free_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A running server and its port, stopped at the end."""
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
