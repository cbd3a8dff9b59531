"""A syslog listener run in a background thread for tests, and real socket clients."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from crownjewels.monitoring.sources.listener import Received, SyslogListener

#: how long a test waits for something the listener must do before it gives up (not a
#: measurement: a healthy run takes milliseconds)
PATIENCE = 15.0


class Collector:
    """A batch handler that keeps every batch it is handed."""

    def __init__(self) -> None:
        self.batches: list[list[Received]] = []
        self._lock = threading.Lock()

    def __call__(self, batch: list[Received]) -> None:
        with self._lock:
            self.batches.append(batch)

    @property
    def lines(self) -> list[Received]:
        with self._lock:
            return [item for batch in self.batches for item in batch]

    def texts(self) -> list[str]:
        return [item.text for item in self.lines]


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Return once `condition()` holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.005)


@contextmanager
def listening(
    handler: Callable[[list[Received]], None], **options: Any
) -> Iterator[SyslogListener]:
    """A listener on 127.0.0.1 (a free port) in its own event loop thread; stopped at exit."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    listener = SyslogListener(handler, host="127.0.0.1", port=0, **options)
    try:
        asyncio.run_coroutine_threadsafe(listener.start(), loop).result(PATIENCE)
        yield listener
        asyncio.run_coroutine_threadsafe(listener.stop(), loop).result(PATIENCE)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(PATIENCE)
        loop.close()


def send_tcp(port: int, data: bytes) -> None:
    """One TCP connection that sends `data` and closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as conn:
        conn.sendall(data)


def send_udp(port: int, *datagrams: bytes) -> None:
    """UDP datagrams, one message each."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in datagrams:
            sock.sendto(datagram, ("127.0.0.1", port))
